"""On PostgreSQL, refuse UPDATE, DELETE and TRUNCATE on the audit trail at the database.

The only exception is TRUNCATE in a database whose `luozhuang.allow_audit_truncate` is on:
the test suite sets it on its throwaway test database so that Django can empty tables
between transactional tests. A production database never has it.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION luozhuang_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('luozhuang.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '审计日志只允许追加，禁止 % 操作', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_event_no_update_delete
    BEFORE UPDATE OR DELETE ON luozhuang_dsj_auditevent
    FOR EACH ROW EXECUTE FUNCTION luozhuang_audit_append_only();

CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON luozhuang_dsj_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION luozhuang_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON luozhuang_dsj_auditevent;
DROP TRIGGER IF EXISTS audit_event_no_update_delete ON luozhuang_dsj_auditevent;
DROP FUNCTION IF EXISTS luozhuang_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("luozhuang_dsj", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
