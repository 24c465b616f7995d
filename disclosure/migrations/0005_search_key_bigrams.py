"""A bigram index on the name part of the search key (PostgreSQL only).

A two-character query — the most common kind in Chinese ("顺鑫", "商贸") — has no trigram,
so the trigram index of 0004 cannot serve it and PostgreSQL scanned every published result
(≈100 ms on 200,000). `disclosure_name_bigrams(search_key)` is the set of the name's
two-character substrings; a GIN index on it finds the rows holding a given bigram.
SQLite keeps scanning (the demo's few rows)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION disclosure_name_bigrams(key text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(name, i, 2)), '{}')
  FROM (SELECT split_part(key, '|', 1) AS name) AS n, generate_series(1, length(name) - 1) AS i
$$
"""


def create_bigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS disclosure_public_result_search_bigram "
        "ON disclosure_publishedresult USING gin (disclosure_name_bigrams(search_key::text))"
    )


def drop_bigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS disclosure_public_result_search_bigram")
    schema_editor.execute("DROP FUNCTION IF EXISTS disclosure_name_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0004_search_key_trigram")]

    operations = [migrations.RunPython(create_bigram_index, drop_bigram_index)]
