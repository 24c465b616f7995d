import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from luozhuang_dsj.audit import GENESIS_HASH, audit_record, audit_verify_chain
from luozhuang_dsj.models import AuditEvent
from tests.conftest import client_for


def _three_events(actor):
    return [
        audit_record(action="test.one", actor=actor, object_type="测试", object_key="1", after={"n": 1}),
        audit_record(
            action="test.two",
            actor=actor,
            object_type="测试",
            object_key="2",
            before={"n": 1},
            after={"n": 2},
        ),
        audit_record(action="test.three", actor=actor, object_type="测试", object_key="3"),
    ]


def _tamper(sql, params):
    """Change the table behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # a superuser bypasses triggers
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_each_event_links_to_the_one_before(staff):
    first, second, third = _three_events(staff)
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert AuditEvent.objects.order_by("id").first().previous_hash == GENESIS_HASH
    report = audit_verify_chain()
    assert report.is_intact
    assert report.checked == AuditEvent.objects.count()


def test_the_event_records_who_and_what(staff):
    event = audit_record(
        action="test.one", actor=staff, object_type="测试", object_key="k", after={"a": "甲"}
    )
    event.refresh_from_db()
    assert (event.username, event.role, event.department_code, event.after) == (
        "staff1",
        "dept_staff",
        "SCJG",
        {"a": "甲"},
    )


def test_an_edited_event_breaks_the_chain_at_that_event(staff):
    _, second, _ = _three_events(staff)
    _tamper("UPDATE luozhuang_dsj_auditevent SET object_key = %s WHERE id = %s", ["99", second.id])
    report = audit_verify_chain()
    assert not report.is_intact
    assert report.broken_at == second.id
    assert report.problem == f"第 {second.id} 号事件的内容与其哈希不符：该事件被改动。"


def test_a_deleted_event_breaks_the_chain_at_the_next_one(staff):
    first, second, third = _three_events(staff)
    _tamper("DELETE FROM luozhuang_dsj_auditevent WHERE id = %s", [second.id])
    report = audit_verify_chain()
    assert report.broken_at == third.id
    assert (
        report.problem
        == f"第 {third.id} 号事件的前序哈希与第 {first.id} 号事件之后不符：其间的事件被删除或改动。"
    )


def test_the_command_fails_on_a_broken_chain(staff):
    _, second, _ = _three_events(staff)
    _tamper("UPDATE luozhuang_dsj_auditevent SET action = %s WHERE id = %s", ["test.forged", second.id])
    with pytest.raises(CommandError, match=f"第 {second.id} 号事件"):
        call_command("verify_audit_chain")


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_on_the_trail(staff):
    event = audit_record(action="test.one", actor=staff)
    for sql in (
        "UPDATE luozhuang_dsj_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM luozhuang_dsj_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="审计日志只允许追加"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.id])
    with (
        pytest.raises(DatabaseError, match="禁止 TRUNCATE"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL luozhuang.allow_audit_truncate = 'off'")  # as on a production database
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE luozhuang_dsj_auditevent CASCADE")
    event.refresh_from_db()
    assert event.action == "test.one"


def test_an_event_rolled_back_with_its_change_leaves_no_gap_in_the_chain(staff):
    first = audit_record(action="test.one", actor=staff)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.lost", actor=staff)
        raise RuntimeError("the change failed")
    after = audit_record(action="test.two", actor=staff)
    assert after.previous_hash == first.hash
    assert audit_verify_chain().is_intact


def test_the_auditor_verifies_the_chain_in_the_browser(staff, auditor):
    _, second, _ = _three_events(staff)
    client = client_for(auditor)
    assert "审计链完整" in client.get(reverse("audit-verify")).content.decode()
    _tamper("DELETE FROM luozhuang_dsj_auditevent WHERE id = %s", [second.id])
    page = client.get(reverse("audit-verify")).content.decode()
    assert "审计链断裂" in page
    assert f"第 {second.id + 1} 号事件的前序哈希" in page


def test_the_auditor_filters_the_trail(staff, outsider, auditor):
    audit_record(action="test.mine", actor=staff)
    audit_record(action="test.theirs", actor=outsider)
    page = (
        client_for(auditor)
        .get(reverse("audit-home"), {"department": "JYJ", "action": "test."})
        .content.decode()
    )
    assert "test.theirs" in page
    assert "test.mine" not in page


def test_nobody_but_the_auditor_reads_the_trail(cast):
    for who in ("office", "staff", "head", "inspector", "sysadmin", "secadmin"):
        assert client_for(cast[who]).get(reverse("audit-home")).status_code == 403
