"""Seal the phone numbers stored in plain text before the column was encrypted.

The encrypted field reads a plain value as it is and seals it when saved, so saving each
row is the whole migration. Backwards, the values are written out in plain text again.
"""

from django.db import migrations


def encrypt_phones(apps, schema_editor):
    User = apps.get_model("luozhuang_dsj", "User")
    for user in User.objects.exclude(phone="").only("id", "phone").iterator():
        user.save(update_fields=["phone"])


def decrypt_phones(apps, schema_editor):
    User = apps.get_model("luozhuang_dsj", "User")
    table = schema_editor.quote_name(User._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        for user in User.objects.exclude(phone="").only("id", "phone").iterator():
            cursor.execute(f"UPDATE {table} SET phone = %s WHERE id = %s", [user.phone, user.pk])


class Migration(migrations.Migration):
    dependencies = [("luozhuang_dsj", "0003_user_phone_encrypted_username_unique_ignoring_case")]
    operations = [migrations.RunPython(encrypt_phones, decrypt_phones)]
