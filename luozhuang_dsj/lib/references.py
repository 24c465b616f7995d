"""Foreign keys checked a statement at a time, for the few columns that bulk writes fill.

PostgreSQL checks an ordinary foreign key with one query per written row (Django's keys
are deferred, so at COMMIT): a draw that writes fifty thousand team members with three
keys each runs a hundred and fifty thousand of them, a second or two of the database's
time, and an import of a hundred thousand targets checks each one's town. Those columns
are declared with `db_constraint=False` and get, through the migration operation
`CheckReferencesByStatement`, triggers that keep the same guarantees in bulk:

- on the referencing table, after each INSERT statement, one query over all the new rows
  (a transition table) finds every referenced row and locks it FOR KEY SHARE, exactly as
  the per-row check does, so that no transaction can delete it before this one ends; a
  key that is not there is refused with SQLSTATE 23503 (foreign_key_violation, which
  Django raises as IntegrityError), naming the key;
- after an UPDATE that changes the column, the same check for that row (updates of such
  columns are rare, and the trigger does not fire for updates that leave it alone);
- on the referenced table, before a DELETE (or a change of the referenced key), the row
  is refused while any row still references it. The row is locked before the trigger
  runs, and under READ COMMITTED (Django's default) the trigger's query sees what a
  concurrent writer committed while it waited.

The difference from a declared foreign key: the check is immediate, not deferred to
COMMIT, so a referenced row must be written before the rows that reference it (every
writer of these columns does so); and TRUNCATE of a referenced table alone is not
refused. On SQLite (the embedded demo) there is nothing to install: the ORM's own checks
(`on_delete`) are what it has for these columns.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.utils import truncate_name

_MAX_NAME = 63  # PostgreSQL's identifier length


def _names(child_table: str, column: str) -> dict[str, str]:
    base = f"{child_table}_{column}"
    return {
        name: truncate_name(f"{base}_{name}", _MAX_NAME)
        for name in ("check", "guard", "inserted", "updated", "deleted", "rekeyed")
    }


def install_sql(
    child_table: str, column: str, parent_table: str, parent_column: str, key_type: str = "bigint"
) -> list[str]:
    """The statements that install the checks of child_table.column → parent_table.parent_column
    (whose database type is key_type)."""
    names = _names(child_table, column)
    quoted = {
        "child": f'"{child_table}"',
        "col": f'"{column}"',
        "parent": f'"{parent_table}"',
        "pcol": f'"{parent_column}"',
    }
    violation = (
        "RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', "
        f"MESSAGE = 'insert or update on table \"{child_table}\" violates foreign key {names['check']}', "
        f"DETAIL = format('Key ({column})=(%s) is not present in table \"{parent_table}\".', missing);"
    )
    # Identifiers from the models' metadata (the migration's historical models), quoted.
    check = f"""
CREATE OR REPLACE FUNCTION "{names["check"]}"() RETURNS trigger LANGUAGE plpgsql AS $function$
DECLARE
    wanted {key_type}[];
    present bigint;
    missing text;
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        PERFORM 1 FROM ONLY {quoted["parent"]} AS p WHERE p.{quoted["pcol"]} = NEW.{quoted["col"]}
            FOR KEY SHARE OF p;
        IF NOT FOUND THEN
            missing := NEW.{quoted["col"]}::text;
            {violation}
        END IF;
        RETURN NULL;
    END IF;
    -- One pass over the new rows for their distinct keys, one lookup of them all.
    SELECT array_agg(d.key) INTO wanted
    FROM (SELECT DISTINCT n.{quoted["col"]} AS key FROM new_rows AS n WHERE n.{quoted["col"]} IS NOT NULL) AS d;
    IF wanted IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO present FROM (
        SELECT 1 FROM ONLY {quoted["parent"]} AS p WHERE p.{quoted["pcol"]} = ANY(wanted) FOR KEY SHARE OF p
    ) AS locked;
    IF present < cardinality(wanted) THEN
        SELECT w.key::text INTO missing FROM unnest(wanted) AS w(key)
        WHERE NOT EXISTS (SELECT 1 FROM ONLY {quoted["parent"]} AS p WHERE p.{quoted["pcol"]} = w.key)
        ORDER BY w.key LIMIT 1;
        {violation}
    END IF;
    RETURN NULL;
END
$function$"""  # noqa: S608  # nosec B608
    guard = f"""
CREATE OR REPLACE FUNCTION "{names["guard"]}"() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
    IF EXISTS (SELECT 1 FROM ONLY {quoted["child"]} AS c WHERE c.{quoted["col"]} = OLD.{quoted["pcol"]}) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = 'update or delete on table "{parent_table}" violates foreign key {names["check"]} on table "{child_table}"',
            DETAIL = format('Key ({parent_column})=(%s) is still referenced from table "{child_table}".', OLD.{quoted["pcol"]});
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$function$"""  # noqa: S608  # nosec B608
    return [
        check,
        guard,
        f'CREATE OR REPLACE TRIGGER "{names["inserted"]}" AFTER INSERT ON {quoted["child"]} '
        f'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "{names["check"]}"()',
        f'CREATE OR REPLACE TRIGGER "{names["updated"]}" AFTER UPDATE OF {quoted["col"]} ON {quoted["child"]} FOR EACH ROW '
        f"WHEN (NEW.{quoted['col']} IS NOT NULL AND NEW.{quoted['col']} IS DISTINCT FROM OLD.{quoted['col']}) "
        f'EXECUTE FUNCTION "{names["check"]}"()',
        f'CREATE OR REPLACE TRIGGER "{names["deleted"]}" BEFORE DELETE ON {quoted["parent"]} FOR EACH ROW '
        f'EXECUTE FUNCTION "{names["guard"]}"()',
        f'CREATE OR REPLACE TRIGGER "{names["rekeyed"]}" BEFORE UPDATE OF {quoted["pcol"]} ON {quoted["parent"]} FOR EACH ROW '
        f'WHEN (NEW.{quoted["pcol"]} IS DISTINCT FROM OLD.{quoted["pcol"]}) EXECUTE FUNCTION "{names["guard"]}"()',
    ]


def uninstall_sql(child_table: str, column: str, parent_table: str) -> list[str]:
    names = _names(child_table, column)
    return [
        f'DROP TRIGGER IF EXISTS "{names["inserted"]}" ON "{child_table}"',
        f'DROP TRIGGER IF EXISTS "{names["updated"]}" ON "{child_table}"',
        f'DROP TRIGGER IF EXISTS "{names["deleted"]}" ON "{parent_table}"',
        f'DROP TRIGGER IF EXISTS "{names["rekeyed"]}" ON "{parent_table}"',
        f'DROP FUNCTION IF EXISTS "{names["check"]}"()',
        f'DROP FUNCTION IF EXISTS "{names["guard"]}"()',
    ]


def trigger_names(child_table: str, column: str) -> set[str]:
    """The names of the four triggers that check child_table.column (for tests)."""
    names = _names(child_table, column)
    return {names[name] for name in ("inserted", "updated", "deleted", "rekeyed")}


class CheckReferencesByStatement(migrations.operations.base.Operation):
    """Migration operation: check a foreign key declared with db_constraint=False by the
    triggers described above (PostgreSQL; nothing elsewhere). Put it after the AlterField
    that drops the declared constraint."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, model_name: str, name: str) -> None:
        self.model_name = model_name
        self.name = name

    def deconstruct(self):  # type: ignore[no-untyped-def]
        return (self.__class__.__qualname__, [self.model_name, self.name], {})

    def state_forwards(self, app_label, state):  # type: ignore[no-untyped-def]
        pass  # the model state is the field's own (db_constraint=False)

    def _tables(self, app_label, state, connection) -> tuple[str, str, str, str, str]:  # type: ignore[no-untyped-def]
        model = state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        return (
            model._meta.db_table,
            field.column,
            field.related_model._meta.db_table,
            field.target_field.column,
            field.db_type(connection),
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in install_sql(*self._tables(app_label, to_state, schema_editor.connection)):
            schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        child_table, column, parent_table, _, _ = self._tables(
            app_label, from_state, schema_editor.connection
        )
        for statement in uninstall_sql(child_table, column, parent_table):
            schema_editor.execute(statement, params=None)

    def describe(self) -> str:
        return f"Check {self.model_name}.{self.name} a statement at a time"

    @property
    def migration_name_fragment(self) -> str:
        return f"check_{self.model_name.lower()}_{self.name.lower()}_by_statement"
