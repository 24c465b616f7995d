"""Seal the phone numbers stored in plain text before the column was encrypted.

The encrypted field reads a plain value as it is and seals it when saved, so saving each
row is the whole migration. Backwards, the values are written out in plain text again.
"""

from django.db import migrations, models
from django.db.models import Value


def encrypt_phones(apps, schema_editor):
    User = apps.get_model("luozhuang_dsj", "User")
    for user in User.objects.exclude(phone="").only("id", "phone").iterator():
        user.save(update_fields=["phone"])


def decrypt_phones(apps, schema_editor):
    User = apps.get_model("luozhuang_dsj", "User")
    for user in User.objects.exclude(phone="").only("id", "phone").iterator():
        # An expression bypasses the field's encryption: the plain value is written as it is.
        User.objects.filter(pk=user.pk).update(phone=Value(user.phone, output_field=models.TextField()))


class Migration(migrations.Migration):
    dependencies = [("luozhuang_dsj", "0003_user_phone_encrypted_username_unique_ignoring_case")]
    operations = [migrations.RunPython(encrypt_phones, decrypt_phones)]
