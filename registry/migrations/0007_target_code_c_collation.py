"""Target.code compares byte by byte (collation "C") on PostgreSQL, and loses its second index.

Django gives a unique text column a second b-tree with `varchar_pattern_ops`, because under a
linguistic collation (en_US.UTF-8, zh_CN.UTF-8) the ordinary b-tree cannot serve `LIKE 'X%'`
(the list's search by the start of a credit code). Under "C" the ordinary unique index serves
it, so the second index only cost time on every imported row (about a fifth of the writing of
a first import). Codes are upper-case ASCII letters and digits, so their order does not change;
for any other key "C" is code-point order, the order the draw protocol's frame file uses.

PostgreSQL only: on SQLite, the embedded demo's database, this migration does nothing. (A later
migration that alters the column with Django's AlterField would reset the collation and bring
the second index back; nothing breaks then, imports are only slower.)
"""

from django.db import migrations

TABLE = "registry_target"


def _like_index(schema_editor):
    return schema_editor.quote_name(schema_editor._create_index_name(TABLE, ["code"], suffix="_like"))


def to_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {_like_index(schema_editor)}")
    schema_editor.execute(f'ALTER TABLE {TABLE} ALTER COLUMN code TYPE varchar(40) COLLATE "C"')


def to_default_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'ALTER TABLE {TABLE} ALTER COLUMN code TYPE varchar(40) COLLATE "default"')
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {_like_index(schema_editor)} ON {TABLE} (code varchar_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_trigram_index_pending_list")]

    operations = [migrations.RunPython(to_c_collation, to_default_collation)]
