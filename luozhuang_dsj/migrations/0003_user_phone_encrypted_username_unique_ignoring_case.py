

import django.db.models.functions.text
import luozhuang_dsj.lib.fieldcrypt
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('luozhuang_dsj', '0002_audit_events_append_only'),
        ('registry', '0002_targets_inspectors_sub_registries'),
    ]

    operations = [
        migrations.AlterModelManagers(
            name='user',
            managers=[
            ],
        ),
        migrations.AlterField(
            model_name='user',
            name='phone',
            field=luozhuang_dsj.lib.fieldcrypt.EncryptedCharField(blank=True, max_length=20, verbose_name='联系电话'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('username'), name='unique_username_ignoring_case'),
        ),
    ]
