"""Trigram index on Target.name, so that a substring search stays fast on millions of rows.

PostgreSQL only (pg_trgm is a trusted extension, so the database owner may create it);
on SQLite, the embedded demo's database, this migration does nothing.
"""

from django.db import migrations


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS registry_target_name_trgm ON registry_target USING gin (name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS registry_target_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_target_name_without_btree")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
