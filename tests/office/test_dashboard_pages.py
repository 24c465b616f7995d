"""The dashboard's pages: who may open them, what they show, drill-downs and their exports."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from luozhuang_dsj.models import AuditEvent, Job
from office import dashboard as figures
from office.dashboard import Filters
from registry.models import Department
from tests.conftest import client_for
from tests.office.dashboard_world import YEAR, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(office_user):  # type: ignore[no-untyped-def]
    return build(office_user)


def home(**params: object) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("dashboard-home") + (f"?{query}" if query else "")


def rows(figure: str, **params: object) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("dashboard-rows", args=[figure]) + f"?{query}"


def test_the_office_sees_the_dashboard_with_tables_and_chart_data_and_no_inline_script(world, office_user):
    response = client_for(office_user).get(home(year=YEAR))
    assert response.status_code == 200
    html = response.content.decode()
    assert "工作进度" in html
    assert '<script id="dashboard-charts" type="application/json">' in html
    inline = [tag for tag in re.findall(r"<script[^>]*>", html) if "src=" not in tag]
    assert inline == ['<script id="dashboard-charts" type="application/json">']
    assert "vendor/echarts/echarts.min.js" in html
    assert 'style="' not in html
    charts = {chart["id"]: chart for chart in response.context["charts"]}
    assert charts["chart-joint"]["series"][0]["data"] == [3, 6]
    assert charts["chart-coverage"]["categories"] == [
        "A类（低风险）",
        "B类（一般风险）",
        "C类（较高风险）",
        "D类（高风险）",
    ]
    assert charts["chart-coverage"]["series"][0]["data"] == [50.0, 100.0, 0.0, 100.0]
    assert charts["chart-joint"]["links"][0] == rows("joint", year=YEAR)
    # Every number is a link to its rows, in the table as in the chart.
    assert f'href="{rows("tasks", year=YEAR, key="assigned")}"' in html.replace("&amp;", "&")


def test_the_department_filter_narrows_the_figures(world, office_user):
    response = client_for(office_user).get(home(year=YEAR, department="JYJ"))
    data = response.context["data"]
    assert [row["key"] for row in data["completion"]] == ["JYJ"]
    assert data["joint"] == {"total": 3, "joint": 2, "single": 1, "rate": 66.7}


def test_departments_and_administrators_may_not_open_the_dashboard(world, staff, head, outsider, auditor):
    for user in (staff, head, outsider, auditor):
        client = client_for(user)
        assert client.get(home(year=YEAR)).status_code == 403
        assert client.get(rows("joint", year=YEAR)).status_code == 403
        response = client.post(
            reverse("dashboard-export", args=["joint"]) + f"?year={YEAR}", {"format": "csv"}
        )
        assert response.status_code == 403
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action="office.export").exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client):
    response = client.get(home(year=YEAR))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_drill_down_page_lists_the_rows_of_the_figure(world, office_user):
    response = client_for(office_user).get(rows("overdue-entry", year=YEAR, key="SCJG"))
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == 2
    assert [row[3] for row, _ in page.object_list] == ["看板测试对象3", "看板测试对象4"]
    assert [link for _, link in page.object_list] == [
        reverse("inspection-detail", args=[world.inspections["I3"].pk]),
        reverse("inspection-detail", args=[world.inspections["I4"].pk]),
    ]


def test_bad_filters_get_a_clear_chinese_error(world, office_user):
    client = client_for(office_user)
    response = client.get(rows("burden", year=YEAR, n="abc"))
    assert response.status_code == 400
    assert "次数须为整数。" in response.content.decode()
    response = client.get(home(year=1990))
    assert response.status_code == 200
    assert "年度不能早于 2015 年。" in response.content.decode()
    assert client.get(home(department="NOPE")).context["form"].errors == {"department": ["没有这个部门。"]}
    assert client.get(reverse("dashboard-rows", args=["nothing"])).status_code == 404


def _export(client, figure: str, fmt: str, query: str, capture) -> Job:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = client.post(reverse("dashboard-export", args=[figure]) + f"?{query}", {"format": fmt})
    job = Job.objects.latest("pk")
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    return job


def _download(client, job: Job) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(client.get(reverse("job-download", args=[job.pk])).streaming_content)


def test_an_export_holds_exactly_the_rows_of_the_filter(
    world, office_user, django_capture_on_commit_callbacks
):
    client = client_for(office_user)
    job = _export(
        client,
        "problems-matter",
        "xlsx",
        f"year={YEAR}&key=SCJG-DB1&page=2",
        django_capture_on_commit_callbacks,
    )
    assert (job.status, job.result) == ("succeeded", {"rows": 3})
    sheet = openpyxl.load_workbook(io.BytesIO(_download(client, job))).active
    exported = list(sheet.iter_rows(values_only=True))
    expected = figures.DRILLS["problems-matter"](
        Filters(year=YEAR, today=timezone.localdate()), "SCJG-DB1"
    ).rows
    assert exported[0] == figures.HEADERS["problems-matter"]
    assert [tuple("" if cell is None else cell for cell in row) for row in exported[1:]] == [
        tuple(expected_row) for expected_row in expected
    ]
    event = AuditEvent.objects.get(action="office.export")
    assert (event.object_key, event.after["filters"]) == (
        "发现问题的检查结果（按事项）",
        {"year": str(YEAR), "key": "SCJG-DB1"},
    )


def test_a_csv_export_follows_the_department_filter(world, office_user, django_capture_on_commit_callbacks):
    client = client_for(office_user)
    job = _export(
        client, "incomplete", "csv", f"year={YEAR}&department=SCJG", django_capture_on_commit_callbacks
    )
    lines = list(csv.reader(io.StringIO(_download(client, job).decode("utf-8-sig"))))
    assert lines[0] == list(figures.HEADERS["incomplete"])
    assert [line[3] for line in lines[1:]] == ["看板测试对象3", "看板测试对象4"]


def test_exported_text_that_looks_like_a_formula_is_neutralised(
    world, office_user, django_capture_on_commit_callbacks
):
    target = world.targets["t3"]
    target.name = '=HYPERLINK("http://evil")'
    target.save(update_fields=["name"])
    client = client_for(office_user)
    job = _export(
        client, "incomplete", "csv", f"year={YEAR}&department=SCJG", django_capture_on_commit_callbacks
    )
    lines = list(csv.reader(io.StringIO(_download(client, job).decode("utf-8-sig"))))
    assert lines[1][3] == '\'=HYPERLINK("http://evil")'


def test_an_export_with_bad_filters_starts_nothing(world, office_user):
    response = client_for(office_user).post(
        reverse("dashboard-export", args=["burden"]) + f"?year={YEAR}&n=0", {"format": "csv"}
    )
    assert response.status_code == 302
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action="office.export").exists()


def test_the_office_menu_and_home_link_to_the_dashboard(office_user, staff):
    html = client_for(office_user).get(reverse("office-home")).content.decode()
    assert html.count(f'href="{reverse("dashboard-home")}"') == 2
    assert reverse("dashboard-home") not in client_for(staff).get(reverse("department-home")).content.decode()


def test_every_department_is_a_choice_of_the_filter(office_user):
    form = client_for(office_user).get(home()).context["form"]
    assert len(form.fields["department"].choices) == Department.objects.filter(is_active=True).count() + 1


def test_only_the_dashboard_entry_of_the_menu_is_current_on_the_dashboard(office_user):
    html = client_for(office_user).get(home()).content.decode()
    assert html.count('aria-current="page"') == 1
    assert f'<a href="{reverse("dashboard-home")}" aria-current="page">工作进度</a>' in html
