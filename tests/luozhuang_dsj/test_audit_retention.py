"""Retention (at least 184 days), the purge, the chain after a purge, and the export."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luozhuang_dsj import audit
from luozhuang_dsj.audit import GENESIS_HASH, audit_purge, audit_record, audit_verify_chain
from luozhuang_dsj.models import AuditEvent, Job
from tests.conftest import client_for

DAY = dt.timedelta(days=1)


def _record_at(monkeypatch, when, **kwargs):
    monkeypatch.setattr(audit.timezone, "now", lambda: when)
    event = audit_record(object_type="测试", **kwargs)
    monkeypatch.undo()
    return event


def _empty_trail():
    """The reference data loaded for the session left recent events; start from none.
    (The test database allows TRUNCATE, see tests/conftest.py; this test's transaction
    rolls it back.)"""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE luozhuang_dsj_auditevent")
        else:
            cursor.execute("DELETE FROM luozhuang_dsj_auditevent")


def _history(monkeypatch):
    """Five events 400, 200, 185, 183 and 1 days old, on an otherwise empty trail."""
    _empty_trail()
    now = timezone.now()
    return [
        _record_at(monkeypatch, now - days * DAY, action=action, username="staff1", object_key=str(key))
        for key, (days, action) in enumerate(
            [(400, "test.old"), (200, "test.old"), (185, "test.old"), (183, "test.young"), (1, "test.young")],
            1,
        )
    ]


def test_the_purge_deletes_only_events_older_than_184_days_and_leaves_a_checkpoint(monkeypatch, db):
    events = _history(monkeypatch)
    report = audit_purge()
    assert report.deleted == 3
    checkpoint = AuditEvent.objects.get(action="audit.purge")
    assert list(AuditEvent.objects.order_by("id").values_list("id", flat=True)) == [
        events[3].id,
        events[4].id,
        checkpoint.id,
    ]
    assert checkpoint.after == {
        "purged_through_id": events[2].id,
        "purged_through_hash": events[2].hash,
        "purged_through_at": events[2].at.isoformat(),
        "deleted": 3,
        "retention_days": 184,
    }


def test_the_chain_verifies_after_a_purge_from_the_checkpoint(monkeypatch, db):
    _history(monkeypatch)
    audit_purge()
    audit_record(action="test.after", username="staff1")
    report = audit_verify_chain()
    assert report.is_intact, report.problem
    assert report.checked == AuditEvent.objects.count()
    assert report.purged_through == AuditEvent.objects.get(action="audit.purge").after["purged_through_id"]


def test_deleting_the_oldest_remaining_event_after_a_purge_is_detected(monkeypatch, db):
    from tests.luozhuang_dsj.test_audit_chain import _tamper

    events = _history(monkeypatch)
    audit_purge()
    _tamper("DELETE FROM luozhuang_dsj_auditevent WHERE id = %s", [events[3].id])
    report = audit_verify_chain()
    assert report.broken_at == events[4].id
    assert "清理检查点记录的第" in report.problem


def test_a_second_purge_moves_the_checkpoint(monkeypatch, db, settings):
    events = _history(monkeypatch)
    settings.AUDIT_RETENTION_DAYS = 365
    assert audit_purge().deleted == 1
    settings.AUDIT_RETENTION_DAYS = 184
    assert audit_purge().deleted == 2
    latest = AuditEvent.objects.filter(action="audit.purge").order_by("-id").first()
    assert latest.after["purged_through_id"] == events[2].id
    assert audit_verify_chain().is_intact


@pytest.mark.postgres
def test_postgresql_refuses_the_purge_when_the_application_clock_runs_ahead(monkeypatch, db):
    events = _history(monkeypatch)
    ahead = timezone.now() + 2 * DAY  # the 183-day-old event looks 185 days old to the application
    monkeypatch.setattr(audit.timezone, "now", lambda: ahead)
    with pytest.raises(DatabaseError, match="审计日志至少保存 184 天"):
        audit_purge()
    monkeypatch.undo()
    assert AuditEvent.objects.filter(id__in=[e.id for e in events]).count() == 5


def test_nothing_to_purge_leaves_no_checkpoint(staff):
    audit_record(action="test.young", actor=staff)
    assert audit_purge().deleted == 0
    assert not AuditEvent.objects.filter(action="audit.purge").exists()


def test_a_longer_configured_retention_keeps_more(monkeypatch, db, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    events = _history(monkeypatch)
    audit_purge()
    assert not AuditEvent.objects.filter(id=events[0].id).exists()
    assert AuditEvent.objects.filter(id=events[1].id).exists()


def test_the_retention_cannot_be_configured_below_184_days():
    from luozhuang_dsj.lib.env import SettingsError, env_int

    with pytest.raises(SettingsError, match="不能小于 184"):
        env_int("AUDIT_RETENTION_DAYS", 184, minimum=184, environ={"AUDIT_RETENTION_DAYS": "30"})


@pytest.mark.postgres
def test_postgresql_refuses_to_delete_a_young_event_even_with_the_purge_flag(staff):
    event = audit_record(action="test.young", actor=staff)
    with (
        pytest.raises(DatabaseError, match="审计日志至少保存 184 天"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL luozhuang.audit_purge = 'on'")
        cursor.execute("DELETE FROM luozhuang_dsj_auditevent WHERE id = %s", [event.id])
    assert AuditEvent.objects.filter(id=event.id).exists()


@pytest.mark.postgres
def test_postgresql_refuses_to_delete_an_old_event_without_the_purge_flag(monkeypatch, db):
    old = _history(monkeypatch)[0]
    with pytest.raises(DatabaseError, match="禁止 DELETE"), transaction.atomic():
        AuditEvent.objects.filter(id=old.id).delete()
    assert AuditEvent.objects.filter(id=old.id).exists()


@pytest.mark.postgres
def test_postgresql_still_refuses_every_update_even_with_the_purge_flag(staff):
    event = audit_record(action="test.young", actor=staff)
    with (
        pytest.raises(DatabaseError, match="禁止 UPDATE"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL luozhuang.audit_purge = 'on'")
        cursor.execute("UPDATE luozhuang_dsj_auditevent SET action = 'x' WHERE id = %s", [event.id])


def test_the_purge_command_reports_what_it_did(monkeypatch, db, capsys):
    from django.core.management import call_command

    _history(monkeypatch)
    call_command("purge_audit_events")
    assert "条审计事件，清理检查点为第" in capsys.readouterr().out


def test_the_chain_starts_at_the_genesis_without_a_purge(db):
    _empty_trail()
    audit_record(action="test.first", username="staff1")
    assert AuditEvent.objects.order_by("id").first().previous_hash == GENESIS_HASH
    assert audit_verify_chain().purged_through == 0


# ---- the auditor's export -----------------------------------------------------------------


def _export(auditor, file_format, django_capture_on_commit_callbacks, **filters):
    client = client_for(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit-export"), {"format": file_format, **filters})
    job = Job.objects.get(kind="audit.export", created_by=auditor)
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    download = client.get(reverse("job-download", args=[job.pk]))
    return job, b"".join(download.streaming_content)


def test_the_auditor_exports_the_filtered_trail_as_csv_and_the_export_is_audited(
    auditor, staff, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    audit_record(action="test.formula", actor=staff, object_key='=HYPERLINK("http://x")')
    job, content = _export(auditor, "csv", django_capture_on_commit_callbacks, username="staff1")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["编号", "时间", "用户名", "角色", "单位代码", "操作"]
    assert [row[5] for row in rows[1:]] == ["test.formula"]
    assert rows[1][7] == '\'=HYPERLINK("http://x")'
    assert job.result == {"rows": 1}
    event = AuditEvent.objects.get(action="audit.export")
    assert (event.username, event.role, event.after["format"], event.after["filters"]["username"]) == (
        "auditor1",
        "auditor",
        "csv",
        "staff1",
    )


def test_the_auditor_exports_xlsx_with_no_formula_cells(
    auditor, staff, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    audit_record(action="test.formula", actor=staff, object_key="=1+1")
    _, content = _export(auditor, "xlsx", django_capture_on_commit_callbacks, action="test.")
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号"
    assert rows[1][7] == "'=1+1"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_export_with_a_bad_format_is_refused_and_nothing_is_queued(auditor):
    response = client_for(auditor).post(reverse("audit-export"), {"format": "pdf"})
    assert response["Location"] == reverse("audit-home")
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action="audit.export").exists()


@pytest.mark.parametrize("who", ["office", "staff", "sysadmin", "secadmin"])
def test_nobody_but_the_auditor_may_export_the_trail(cast, who):
    assert client_for(cast[who]).post(reverse("audit-export"), {"format": "csv"}).status_code == 403
    assert not Job.objects.exists()


def test_verifying_the_chain_from_the_auditors_page_is_itself_audited(auditor):
    page = client_for(auditor).get(reverse("audit-verify")).content.decode()
    assert "审计链完整" in page
    event = AuditEvent.objects.get(action="audit.verify")
    assert (event.username, event.after["intact"]) == ("auditor1", True)
