"""The search data's version (SearchGeneration): triggers change it with every statement
that writes the published results, or renames a department (its short name is shown in
each result). On PostgreSQL the number comes from a sequence, which a rolled-back
transaction does not give back; SQLite (row triggers, no sequences) takes a random 64-bit
number. Either way a number, once seen, is not seen again for other data."""

from django.db import migrations, models

POSTGRESQL = [
    "CREATE SEQUENCE IF NOT EXISTS disclosure_search_generation_seq",
    """
CREATE OR REPLACE FUNCTION disclosure_search_generation_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO disclosure_searchgeneration (id, value) VALUES (1, nextval('disclosure_search_generation_seq'))
  ON CONFLICT (id) DO UPDATE SET value = excluded.value;
  RETURN NULL;
END
$$
""",
    "CREATE TRIGGER disclosure_search_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
    " ON disclosure_publishedresult FOR EACH STATEMENT EXECUTE FUNCTION disclosure_search_generation_bump()",
    "CREATE TRIGGER disclosure_search_generation AFTER UPDATE OF short_name"
    " ON registry_department FOR EACH STATEMENT EXECUTE FUNCTION disclosure_search_generation_bump()",
    # The results published before this migration: their generation.
    "INSERT INTO disclosure_searchgeneration (id, value) VALUES (1, nextval('disclosure_search_generation_seq'))"
    " ON CONFLICT (id) DO NOTHING",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS disclosure_search_generation ON disclosure_publishedresult",
    "DROP TRIGGER IF EXISTS disclosure_search_generation ON registry_department",
    "DROP FUNCTION IF EXISTS disclosure_search_generation_bump()",
    "DROP SEQUENCE IF EXISTS disclosure_search_generation_seq",
]
SQLITE_BUMP = (
    "INSERT INTO disclosure_searchgeneration (id, value) VALUES (1, random())"
    " ON CONFLICT (id) DO UPDATE SET value = excluded.value;"
)
SQLITE_TRIGGERS = {
    "disclosure_search_generation_insert": "AFTER INSERT ON disclosure_publishedresult",
    "disclosure_search_generation_update": "AFTER UPDATE ON disclosure_publishedresult",
    "disclosure_search_generation_delete": "AFTER DELETE ON disclosure_publishedresult",
    "disclosure_search_generation_department": "AFTER UPDATE OF short_name ON registry_department",
}


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for name, event in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {event} BEGIN {SQLITE_BUMP} END")
        schema_editor.execute(SQLITE_BUMP)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL_DROP:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0006_search_window_index"),
        ("registry", "0008_foreign_keys_checked_by_statement"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(verbose_name="版本号")),
            ],
            options={"verbose_name": "检索数据版本", "verbose_name_plural": "检索数据版本"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
