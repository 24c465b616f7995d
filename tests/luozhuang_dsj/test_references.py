"""Foreign keys checked a statement at a time (luozhuang_dsj.lib.references) refuse what a
declared foreign key refuses: a missing key on insert (one row or a COPY of many) and on
update, and the delete of a row still referenced; and they lock the referenced rows."""

from __future__ import annotations

import psycopg2
import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from inspections.models import Visit
from luozhuang_dsj.lib.bulk import bulk_insert
from luozhuang_dsj.lib.references import trigger_names
from registry.models import Target, Town
from tests import sheets

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


def test_every_foreign_key_without_a_declared_constraint_is_checked_by_statement():
    # Every installed app's models (Django's own all declare their keys).
    unchecked = [
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.local_fields
        if isinstance(field, models.ForeignKey) and not field.db_constraint
    ]
    assert ("registry_target", "town_id") in unchecked
    assert ("inspections_inspectionassignment", "inspector_id") in unchecked
    installed = _triggers()
    assert [key for key in unchecked if not trigger_names(*key) <= installed] == []


def _town() -> Town:
    return Town.objects.order_by("code").first()


def test_an_insert_with_a_missing_key_is_refused_at_once_and_names_the_key():
    missing = Town.objects.order_by("-pk").first().pk + 100
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        Target.objects.create(code=sheets.code(1), name="甲公司", town_id=missing)
    assert f'Key (town_id)=({missing}) is not present in table "registry_town"' in str(raised.value)
    assert not Target.objects.exists()


def test_a_copy_of_many_rows_with_one_missing_key_writes_nothing():
    targets = [Target.objects.create(code=sheets.code(number), name=f"公司{number}") for number in (1, 2, 3)]
    missing = targets[-1].pk + 100
    now = timezone.now()
    rows = [(targets[number % 3].pk, now) for number in range(300)]
    rows.insert(150, (missing, now))
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        bulk_insert(Visit, ["target", "created_at"], rows)
    assert f"Key (target_id)=({missing}) is not present" in str(raised.value)
    assert not Visit.objects.exists()
    bulk_insert(Visit, ["target", "created_at"], [row for row in rows if row[0] != missing])
    assert Visit.objects.filter(target=targets[0]).count() == 100


def test_an_update_to_a_missing_key_is_refused_and_to_a_present_one_allowed():
    first, second = Town.objects.order_by("code")[:2]
    target = Target.objects.create(code=sheets.code(1), name="甲公司", town=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.filter(pk=target.pk).update(town_id=second.pk + first.pk + 1000)
    Target.objects.filter(pk=target.pk).update(town=second)
    Target.objects.filter(pk=target.pk).update(town=None)
    assert Target.objects.get(pk=target.pk).town_id is None


def test_a_referenced_row_cannot_be_deleted_even_past_the_orm():
    town = _town()
    target = Target.objects.create(code=sheets.code(1), name="甲公司", town=town)
    Visit.objects.create(target=target)
    for table, pk in (("registry_town", town.pk), ("registry_target", target.pk)):
        with pytest.raises(IntegrityError) as raised, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608
        assert "is still referenced" in str(raised.value)
    assert Target.objects.filter(pk=target.pk, town=town).exists()
    Visit.objects.filter(target=target).delete()
    target.delete()  # no longer referenced
    assert not Target.objects.exists()


def _other_connection():  # type: ignore[no-untyped-def]
    s = connection.settings_dict
    other = psycopg2.connect(
        dbname=s["NAME"],
        user=s["USER"],
        password=s["PASSWORD"],
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    )
    other.autocommit = True
    return other


def test_a_written_reference_locks_its_row_until_the_transaction_ends():
    town = _town()
    spare = Target.objects.create(code=sheets.code(2), name="乙公司")
    other = _other_connection()
    try:
        with transaction.atomic():
            Target.objects.create(code=sheets.code(1), name="甲公司", town=town)
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '200ms'")
                with pytest.raises(psycopg2.errors.LockNotAvailable):
                    cursor.execute("DELETE FROM registry_town WHERE id = %s", [town.pk])
                cursor.execute("DELETE FROM registry_target WHERE id = %s", [spare.pk])  # not locked
    finally:
        other.close()
    assert Town.objects.filter(pk=town.pk).exists()
    assert list(Target.objects.values_list("code", flat=True)) == [sheets.code(1)]
