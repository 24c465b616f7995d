"""On PostgreSQL, allow the retention purge and nothing else to delete audit events.

DELETE is now allowed only when both hold:
- the transaction has `SET LOCAL luozhuang.audit_purge = 'on'` (only `audit_purge()` does), and
- the row is older than 184 days (等保 2.0 level 3 asks for at least six months). The floor
  is written here, in the database, so no setting or code change can shorten it.
UPDATE stays refused always; TRUNCATE as before (only a test database may).

`audit_purge()` records a checkpoint event holding the hash of the last purged event, so
`audit_verify_chain()` can start from it and the chain stays verifiable after a purge.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION luozhuang_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('luozhuang.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' AND current_setting('luozhuang.audit_purge', true) = 'on' THEN
        IF OLD.at < now() - interval '184 days' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '审计日志至少保存 184 天，第 % 号事件（%）未到期，不得删除', OLD.id, OLD.at
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION '审计日志只允许追加，禁止 % 操作', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

# The function of 0002, as it was.
BACKWARD = """
CREATE OR REPLACE FUNCTION luozhuang_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('luozhuang.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '审计日志只允许追加，禁止 % 操作', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("luozhuang_dsj", "0004_encrypt_existing_phone_numbers")]
    operations = [migrations.RunPython(forward, backward)]
