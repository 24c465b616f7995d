"""Phone and ID numbers encrypted at rest, keys rotated, and masked in lists."""

import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from luozhuang_dsj.lib import fieldcrypt
from luozhuang_dsj.lib.masking import mask_id_number, mask_name, mask_phone
from luozhuang_dsj.models import AuditEvent, User
from tests.conftest import client_for

PHONE = "13812341234"


def _stored_phone(user):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM luozhuang_dsj_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def _new_key():
    return os.urandom(32)


def test_a_phone_number_is_stored_encrypted_and_read_back_in_clear(staff):
    User.objects.filter(pk=staff.pk).update(phone=PHONE)
    stored = _stored_phone(staff)
    assert stored.startswith("enc:demo:")
    assert PHONE not in stored
    assert User.objects.get(pk=staff.pk).phone == PHONE


def test_the_same_number_encrypts_differently_each_time(staff, head):
    User.objects.filter(pk=staff.pk).update(phone=PHONE)
    User.objects.filter(pk=head.pk).update(phone=PHONE)
    assert _stored_phone(staff) != _stored_phone(head)


def test_a_tampered_or_moved_ciphertext_does_not_decrypt(db):
    sealed = fieldcrypt.encrypt(PHONE, context="luozhuang_dsj.user.phone")
    with pytest.raises(fieldcrypt.DecryptionError):
        fieldcrypt.decrypt(sealed, context="registry.inspector.phone")
    flipped = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(fieldcrypt.DecryptionError):
        fieldcrypt.decrypt(flipped, context="luozhuang_dsj.user.phone")


def test_a_value_sealed_with_an_unknown_key_is_refused(settings):
    sealed = fieldcrypt.encrypt(PHONE, context="x")
    settings.FIELD_ENCRYPTION_KEYS = {"k2": _new_key()}
    settings.FIELD_ENCRYPTION_CURRENT_KEY = "k2"
    with pytest.raises(fieldcrypt.DecryptionError, match="no key with id 'demo'"):
        fieldcrypt.decrypt(sealed, context="x")


def test_keys_rotate_old_values_stay_readable_then_are_resealed_and_audited(staff, settings):
    User.objects.filter(pk=staff.pk).update(phone=PHONE)
    old = settings.FIELD_ENCRYPTION_KEYS["demo"]
    settings.FIELD_ENCRYPTION_KEYS = {"k2": _new_key(), "demo": old}
    settings.FIELD_ENCRYPTION_CURRENT_KEY = "k2"
    assert User.objects.get(pk=staff.pk).phone == PHONE
    call_command("field_keys_rotate", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert _stored_phone(staff).startswith("enc:k2:")
    settings.FIELD_ENCRYPTION_KEYS = {"k2": settings.FIELD_ENCRYPTION_KEYS["k2"]}
    assert User.objects.get(pk=staff.pk).phone == PHONE
    event = AuditEvent.objects.get(action="security.field_keys_rotate")
    assert event.after["luozhuang_dsj.User.phone"] == 1


def test_a_value_written_before_encryption_is_read_as_is_and_sealed_when_saved(staff):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE luozhuang_dsj_user SET phone = %s WHERE id = %s", [PHONE, staff.pk])
    user = User.objects.get(pk=staff.pk)
    assert user.phone == PHONE
    user.save(update_fields=["phone"])
    assert _stored_phone(staff).startswith("enc:")


def test_an_empty_phone_stays_empty_and_can_be_filtered(staff):
    assert _stored_phone(staff) == ""
    assert User.objects.filter(phone="").filter(pk=staff.pk).exists()


def test_searching_an_encrypted_column_by_value_is_refused_rather_than_silently_empty(db):
    with pytest.raises(ImproperlyConfigured):
        list(User.objects.filter(phone=PHONE))
    with pytest.raises(ImproperlyConfigured):
        list(User.objects.filter(phone__contains="138"))


def test_a_blind_index_finds_equal_values_without_revealing_them(db):
    first = fieldcrypt.blind_index("371311199001011234", purpose="inspector.id_number")
    assert first == fieldcrypt.blind_index("371311199001011234", purpose="inspector.id_number")
    assert first != fieldcrypt.blind_index("371311199001011234", purpose="target.id_number")
    assert len(first) == 64 and "371311" not in first


@pytest.mark.parametrize(
    ("function", "value", "masked"),
    [
        (mask_phone, "13812341234", "138****1234"),
        (mask_phone, "0539-8211234", "0539****1234"),
        (mask_phone, "", ""),
        (mask_id_number, "371311199001011234", "3713**********1234"),
        (mask_id_number, "37131119900101123X", "3713**********123X"),
        (mask_name, "张三", "张*"),
        (mask_name, "欧阳娜娜", "欧***"),
        (mask_name, "李", "李"),
    ],
)
def test_masking_keeps_only_what_identifies_the_record(function, value, masked):
    assert function(value) == masked


def test_the_user_list_masks_phone_numbers_and_the_edit_form_shows_them(sysadmin, staff):
    User.objects.filter(pk=staff.pk).update(phone=PHONE)
    client = client_for(sysadmin)
    listing = client.get(reverse("sysadmin-home")).content.decode()
    assert "138****1234" in listing and PHONE not in listing
    assert PHONE in client.get(reverse("sysadmin-user-edit", args=[staff.pk])).content.decode()
