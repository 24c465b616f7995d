"""Let a large import add names to the trigram index's pending list instead of merging them
into the index inside the import's transaction; (auto)vacuum merges them afterwards.

A search meanwhile also scans the pending list: a few milliseconds per 100,000 names.
PostgreSQL only; nothing to do on SQLite.
"""

from django.db import migrations


def raise_pending_list_limit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX registry_target_name_trgm SET (gin_pending_list_limit = 262144)")


def reset_pending_list_limit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX registry_target_name_trgm RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_fewer_target_indexes")]

    operations = [migrations.RunPython(raise_pending_list_limit, reset_pending_list_limit)]
