"""The search key of rows published before it existed, and a trigram index on it, so
that a substring of a name stays fast on hundreds of thousands of published results.

PostgreSQL only for the index (pg_trgm, as registry 0004); SQLite scans."""

import unicodedata

from django.db import migrations


def _fold(text):
    return "".join(unicodedata.normalize("NFKC", text or "").split()).lower()


def fill_search_key(apps, schema_editor):
    PublishedResult = apps.get_model("disclosure", "PublishedResult")
    rows = PublishedResult.objects.filter(search_key="").only("pk", "target_name", "credit_code")
    batch = []
    for row in rows.iterator(chunk_size=2000):
        row.search_key = f"{_fold(row.target_name)}|{_fold(row.credit_code)}"[:260]
        batch.append(row)
        if len(batch) >= 2000:
            PublishedResult.objects.bulk_update(batch, ["search_key"])
            batch = []
    if batch:
        PublishedResult.objects.bulk_update(batch, ["search_key"])


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS disclosure_public_result_search_trgm "
        "ON disclosure_publishedresult USING gin (search_key gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS disclosure_public_result_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0003_portal_search_objections")]

    operations = [
        migrations.RunPython(fill_search_key, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
