"""The office's exchange page: who may open it, the run and retry buttons, uploads, the
Excel layouts; every action audited, refused ones change nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from exchange import layouts, services
from exchange.models import ExchangeItem, ExchangeRun, InboundFile
from luozhuang_dsj.models import AuditEvent, Job
from tests.access.mass_assignment import attacker_fields
from tests.conftest import client_for
from tests.inspections.helpers import credit_code
from tests.sheets import csv_bytes


@pytest.mark.parametrize(
    "role", ["staff", "head", "inspector", "outsider", "auditor", "sysadmin", "secadmin"]
)
def test_only_the_office_opens_the_exchange_page(cast, role):
    assert client_for(cast[role]).get(reverse("exchange-home")).status_code == 403


def test_the_office_sees_what_went_what_came_and_what_failed(district, office_user, folders, settings):
    services.exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)
    ExchangeItem.objects.filter(kind="plan").update(status="failed", last_error="无法连接省工作平台：超时")
    response = client_for(office_user).get(reverse("exchange-home"))
    assert response.status_code == 200
    assert response.context["counts"] == {"queued": 0, "retrying": 0, "sent": 3, "failed": 1}
    assert "无法连接省工作平台：超时" in response.content.decode()
    assert [run.sent for run in response.context["runs"]] == [4]
    failed = client_for(office_user).get(reverse("exchange-home"), {"status": "failed"})
    assert [item.kind for item in failed.context["page"].object_list] == ["plan"]


def test_a_department_user_cannot_retry_and_nothing_changes(district, staff, folders):
    services.exchange_collect(since=None)
    item = ExchangeItem.objects.get(kind="plan")
    ExchangeItem.objects.filter(pk=item.pk).update(status="failed", attempts=3, last_error="错误")
    response = client_for(staff).post(reverse("exchange-item-retry", args=[item.pk]))
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.status, item.attempts) == ("failed", 3)
    assert not AuditEvent.objects.filter(action="exchange.retry").exists()


def test_the_office_retries_a_failed_item(district, office_user, folders):
    services.exchange_collect(since=None)
    item = ExchangeItem.objects.get(kind="plan")
    ExchangeItem.objects.filter(pk=item.pk).update(status="failed", attempts=3, last_error="错误")
    response = client_for(office_user).post(reverse("exchange-item-retry", args=[item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.attempts) == ("queued", 0)
    assert AuditEvent.objects.get(action="exchange.retry").username == "office1"
    detail = client_for(office_user).get(reverse("exchange-item", args=[item.pk]))
    assert str(item.message_id) in detail.content.decode()


def test_the_office_starts_a_run(district, office_user, folders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office_user).post(reverse("exchange-run"))
    job = Job.objects.get(kind="exchange.run")
    assert response.url == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.result["发送成功"]) == ("succeeded", 4)
    run = ExchangeRun.objects.get()
    assert (run.trigger, run.actor) == ("office", office_user)
    assert AuditEvent.objects.get(action="exchange.run").username == "office1"


def test_the_office_uploads_a_registry_update_once(
    district, office_user, folders, django_capture_on_commit_callbacks
):
    content = csv_bytes([["统一社会信用代码", "企业名称"], [credit_code(950), "罗庄上传商贸有限公司"]])
    client = client_for(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchange-upload"), {"kind": "registry", "file": SimpleUploadedFile("名录.csv", content)}
        )
    inbound = InboundFile.objects.get()
    assert (inbound.source, inbound.uploaded_by, inbound.status) == ("upload", office_user, "applied")
    assert Job.objects.get(kind="exchange.receive").status == "succeeded"
    assert not list((folders / "media" / "exchange" / "uploads").iterdir())
    again = client.post(
        reverse("exchange-upload"), {"kind": "registry", "file": SimpleUploadedFile("再传.csv", content)}
    )
    assert again.status_code == 400
    assert "同一文件已于" in again.content.decode()
    assert InboundFile.objects.count() == 1


def test_a_rejected_upload_shows_its_reason_on_the_job(
    district, office_user, folders, django_capture_on_commit_callbacks
):
    content = csv_bytes([["统一社会信用代码", "企业名称"], ["123", "罗庄上传商贸有限公司"]])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(office_user).post(
            reverse("exchange-upload"), {"kind": "registry", "file": SimpleUploadedFile("名录.csv", content)}
        )
    job = Job.objects.get(kind="exchange.receive")
    inbound = InboundFile.objects.get()
    assert (job.status, job.error) == ("failed", inbound.reason)
    assert inbound.reason.startswith("文件未导入，数据库未作任何改动。第 2 行“统一社会信用代码”列“123”：")


def test_the_results_layout_has_the_chinese_headers_and_one_row_per_result(
    district, office_user, folders, django_capture_on_commit_callbacks
):
    services.exchange_collect(since=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office_user).post(
            reverse("exchange-export"), {"layout": "result", "format": "xlsx"}
        )
    job = Job.objects.get(kind="exports.run")
    assert response.url == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    sheet = load_workbook(io.BytesIO(job.result_file.read()), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [header for header, _ in layouts.RESULT_COLUMNS]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["统一社会信用代码"], row["事项编号"], row["结果代码"], row["检查结果"], row["公开状态"]) == (
        district.result.target.code,
        "SCJG-001",
        "01",
        "未发现问题",
        None,
    )
    event = AuditEvent.objects.get(action="exchange.export")
    assert (event.username, event.object_key) == ("office1", "exchange.results")


def test_the_plan_layout_has_one_row_per_plan_item(district, office_user, folders):
    services.exchange_collect(since=None)
    rows = list(layouts.plan_rows({"year": "2027"}))
    assert [header for header, _ in layouts.PLAN_COLUMNS][:6] == [
        "计划年度",
        "制定单位代码",
        "制定单位",
        "计划类型",
        "计划名称",
        "修订号",
    ]
    assert [row[:6] for row in rows] == [
        (
            2027,
            "SCJG",
            "罗庄区市场监督管理局",
            "部门年度抽查工作计划",
            "罗庄区市场监督管理局2027年度随机抽查工作计划",
            1,
        )
    ]
    assert list(layouts.plan_rows({"year": "2026"})) == []
    draws = list(layouts.simple_rows("draw", layouts.DRAW_COLUMNS, {}))
    assert sorted(row[5] for row in draws) == ["已取消", "已抽取"]


def test_an_upload_ignores_fields_an_attacker_adds(
    district, office_user, outsider, folders, django_capture_on_commit_callbacks
):
    content = csv_bytes([["统一社会信用代码", "企业名称"], [credit_code(951), "罗庄上传商贸有限公司"]])
    extra = {
        **attacker_fields(other_department=district.world.jyj, other_user=outsider),
        "uploaded_by": outsider.pk,
        "source": "inbox",
        "sha256": "0" * 64,
        "reason": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client_for(office_user).post(
            reverse("exchange-upload"),
            {**extra, "kind": "registry", "file": SimpleUploadedFile("名录.csv", content)},
        )
    inbound = InboundFile.objects.get()
    assert (inbound.uploaded_by, inbound.source, inbound.status) == (office_user, "upload", "applied")
    assert inbound.sha256 != "0" * 64
