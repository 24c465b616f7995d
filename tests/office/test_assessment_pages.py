"""The assessment pages and exports: who sees what, and files with exactly the rows asked for."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luozhuang_dsj.models import AuditEvent, Job
from tests.conftest import client_for as client_of
from tests.office.helpers import YEAR, build_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(office_user, staff, head, inspector_user, outsider):  # type: ignore[no-untyped-def]
    return build_case(office_user, staff, head, inspector_user, outsider)


def run_export(client, url, data, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    job = Job.objects.order_by("-created_at").first()
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    return job


def workbook_of(client, job):  # type: ignore[no-untyped-def]
    response = client.get(reverse("job-download", args=[job.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def sheet_rows(workbook, title):  # type: ignore[no-untyped-def]
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


# ---- pages and isolation ------------------------------------------------------------------------------


def test_the_office_sees_every_department_and_a_department_only_itself(case, office_user, outsider):  # type: ignore[no-untyped-def]
    url = f"{reverse('assessment-home')}?year={YEAR}"
    page = client_of(office_user).get(url).content.decode()
    assert case.scjg.name in page and case.jyj.name in page
    page = client_of(outsider).get(url).content.decode()
    assert case.jyj.name in page
    assert case.scjg.name not in page


def test_a_department_cannot_open_another_department_s_rows(case, outsider):  # type: ignore[no-untyped-def]
    client = client_of(outsider)
    assert (
        client.get(reverse("assessment-metric", args=[case.jyj.code, "entry"]) + f"?year={YEAR}").status_code
        == 200
    )
    assert (
        client.get(reverse("assessment-metric", args=[case.scjg.code, "entry"]) + f"?year={YEAR}").status_code
        == 404
    )
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("assessment-metric-export", args=[case.scjg.code, "entry"]), {"format": "xlsx"}
    )
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before
    assert not Job.objects.exists()


def test_an_unknown_metric_is_not_found(case, office_user):  # type: ignore[no-untyped-def]
    assert (
        client_of(office_user).get(reverse("assessment-metric", args=[case.scjg.code, "nope"])).status_code
        == 404
    )


def test_the_drill_down_lists_the_rows_of_the_filter(case, office_user):  # type: ignore[no-untyped-def]
    url = reverse("assessment-metric", args=[case.scjg.code, "follow_up"])
    page = client_of(office_user).get(f"{url}?year={YEAR}&as_of=2026-03-01&state=missed").content.decode()
    assert "明细（1 条）" in page
    assert "2025-09-15" in page and "2025-08-31" not in page


# ---- exports ---------------------------------------------------------------------------------------------


def test_the_assessment_workbook_has_the_scores_and_one_sheet_per_metric(
    case, office_user, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    client = client_of(office_user)
    job = run_export(
        client,
        f"{reverse('assessment-export')}?year={YEAR}&as_of=2026-03-01",
        {"format": "xlsx"},
        django_capture_on_commit_callbacks,
    )
    workbook = workbook_of(client, job)
    assert workbook.sheetnames == [
        "考核得分",
        "年度计划按时报送",
        "抽查任务完成",
        "检查结果按时录入",
        "检查结果按时公开",
        "部门联合抽查占比",
        "后续处置按期办结",
    ]
    scores = sheet_rows(workbook, "考核得分")
    assert scores[0][:4] == [
        "部门",
        "年度计划按时报送·达标数",
        "年度计划按时报送·应计数",
        "年度计划按时报送·得分",
    ]
    by_name = {row[0]: row for row in scores[1:]}
    assert by_name[case.scjg.name][-1] == 60.0
    entry = sheet_rows(workbook, "检查结果按时录入")
    assert entry[0] == [
        "部门",
        "任务编号",
        "检查对象",
        "抽查事项",
        "录入期限",
        "提交时间",
        "结果状态",
        "是否计入",
        "是否达标",
    ]
    assert len(entry) == 1 + 8  # SCJG 4 + JYJ 4 expected results
    event = AuditEvent.objects.get(action="office.export")
    assert (event.object_key, event.after["report"], event.after["format"]) == (
        str(job.pk),
        "assessment",
        "xlsx",
    )


def test_a_metric_export_contains_exactly_the_filtered_rows_with_formulas_neutralised(
    case, office_user, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    target = case.inspections["I2"].target
    target.name = '=HYPERLINK("http://x")'
    target.save(update_fields=["name"])
    client = client_of(office_user)
    url = (
        reverse("assessment-metric-export", args=[case.scjg.code, "entry"])
        + f"?year={YEAR}&as_of=2026-03-01&state=missed"
    )
    job = run_export(client, url, {"format": "xlsx"}, django_capture_on_commit_callbacks)
    rows = sheet_rows(workbook_of(client, job), "检查结果按时录入")
    assert [(row[1], row[2], row[8]) for row in rows[1:]] == [
        ("T1", '\'=HYPERLINK("http://x")', "否"),
        ("T2", case.inspections["I4"].target.name, "否"),
    ]


def test_a_department_s_csv_holds_only_its_own_scores(case, outsider, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    client = client_of(outsider)
    job = run_export(
        client,
        f"{reverse('assessment-export')}?year={YEAR}&as_of=2026-03-01",
        {"format": "csv"},
        django_capture_on_commit_callbacks,
    )
    response = client.get(reverse("job-download", args=[job.pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "部门"
    assert [row[0] for row in rows[1:]] == [case.jyj.name]
    assert job.result_filename.endswith(".csv")


def test_a_job_asking_for_another_department_fails_without_a_file(case, outsider):  # type: ignore[no-untyped-def]
    from luozhuang_dsj.jobs import run_job
    from office.services import export_start

    job = export_start(
        actor=outsider,
        report="metric",
        fmt="xlsx",
        title="篡改",
        params={"year": YEAR, "department": case.scjg.code, "metric": "entry", "as_of": "2026-03-01"},
        role="dept_staff",
    )
    run_job(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.error, bool(job.result_file)) == (Job.Status.FAILED, "您无权导出该报表。", False)


def test_the_weights_page_refuses_a_bad_sum_and_saves_a_good_one(office_user):  # type: ignore[no-untyped-def]
    client = client_of(office_user)
    url = f"{reverse('assessment-weights')}?year=2027"
    data = {"plan": 20, "tasks": 20, "entry": 20, "publication": 20, "joint": 10, "follow_up": 20}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "各项指标权重之和须为 100，当前为 110。" in response.content.decode()
    data["follow_up"] = 10
    response = client.post(url, data)
    assert response.status_code == 302
    from office.models import AssessmentWeights

    assert AssessmentWeights.objects.get(year=2027).follow_up == 10


def test_the_annual_summary_page_and_workbook(case, office_user, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    client = client_of(office_user)
    page = client.get(f"{reverse('report-summary')}?year={YEAR}").content.decode()
    assert "2025年度工作总结报表" in page
    assert "问题发现率" in page
    job = run_export(
        client,
        f"{reverse('report-summary-export')}?year={YEAR}&as_of=2026-03-01",
        {"format": "xlsx"},
        django_capture_on_commit_callbacks,
    )
    workbook = workbook_of(client, job)
    assert workbook.sheetnames == ["年度工作总结", "部门考核得分"]
    figures = {(row[0], row[1]): row[2] for row in sheet_rows(workbook, "年度工作总结")[1:]}
    assert figures[("检查", "检查总数（户次）")] == 6
    assert figures[("检查结果（按结果性质）", "已提交的事项检查结果")] == 6
    assert figures[("检查结果公开", "应公开批次")] == 4
    assert figures[("检查结果公开", "其中按时公开")] == 1
    assert figures[("抽查任务", "抽查任务总数")] == 5


def test_the_menu_offers_the_assessment_and_summary(office_user, outsider):  # type: ignore[no-untyped-def]
    page = client_of(office_user).get(reverse("office-home")).content.decode()
    assert reverse("assessment-home") in page and reverse("report-summary") in page
    page = client_of(outsider).get(reverse("department-home")).content.decode()
    assert reverse("assessment-home") in page and reverse("report-summary") not in page


def test_the_weights_form_ignores_fields_it_does_not_offer(office_user, outsider, jyj):  # type: ignore[no-untyped-def]
    from office.models import AssessmentWeights
    from office.services import weights_save
    from tests.access.mass_assignment import assert_mass_assignment_ignored, attacker_fields

    values = {"plan": 15, "tasks": 20, "entry": 20, "publication": 20, "joint": 10, "follow_up": 15}
    weights = weights_save(actor=office_user, year=2027, values=values)
    assert_mass_assignment_ignored(
        client_of(office_user),
        f"{reverse('assessment-weights')}?year=2027",
        {**values, "plan": 10, "joint": 15},
        instance=weights,
        extra={
            **attacker_fields(other_department=jyj, other_user=outsider),
            "year": 2030,
            "updated_by": outsider.pk,
        },
        fields=("year", "updated_by_id"),
    )
    weights.refresh_from_db()
    assert (weights.plan, weights.joint, weights.updated_by_id) == (10, 15, office_user.pk)
    assert not AssessmentWeights.objects.filter(year=2030).exists()


def test_an_unknown_format_exports_excel(case, office_user, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    client = client_of(office_user)
    url = f"{reverse('report-summary-export')}?year={YEAR}&as_of=2026-03-01"
    job = run_export(client, url, {"format": "pdf"}, django_capture_on_commit_callbacks)
    assert (job.title, job.params["format"], job.result_filename) == (
        "导出2025年度工作总结报表（Excel）",
        "xlsx",
        f"2025年度工作总结报表_{timezone.localdate():%Y%m%d}.xlsx",
    )
    # 46 figures (plans 6, tasks 9, inspections 6, results 6, follow-ups 13, publications 6)
    # and 19 departments' scores; the progress bar's total is known from the start.
    assert (job.total, job.done, job.result) == (65, 65, {"rows": 65})
