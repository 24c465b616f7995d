import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from inspections.demo import DEMO_REGISTRY
from luozhuang_dsj.models import AuditEvent, ImportBatch, Job
from registry import credit_code
from registry.demo import demo_targets
from registry.models import ConflictOfInterest, Inspector, SubRegistry, Target, Town
from tests import sheets
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_target_list_exports_with_its_filters_and_neutralised_formulas(
    staff, django_capture_on_commit_callbacks
):
    Target.objects.create(code=sheets.code(1), name='=HYPERLINK("http://evil")', risk_class="C")
    Target.objects.create(code=sheets.code(2), name="临沂乙公司", risk_class="A")
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("target-export") + "?risk_class=C", {"format": "xlsx"})
    job = Job.objects.get()
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    assert (job.status, job.result) == ("succeeded", {"rows": 1})
    download = client.get(reverse("job-download", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("统一社会信用代码", "企业名称", "市场主体类型")
    assert rows[1][:2] == (sheets.code(1), '\'=HYPERLINK("http://evil")')
    assert len(rows) == 2
    event = AuditEvent.objects.get(action="registry.export")
    assert (event.username, event.role, event.object_key) == (
        staff.username,
        "dept_staff",
        "registry.targets",
    )
    assert event.after == {"format": "xlsx", "filters": {"risk_class": "C"}, "job": str(job.pk)}


def test_an_export_re_imports_unchanged(office_user, django_capture_on_commit_callbacks, tmp_path):
    Target.objects.create(
        code=sheets.code(1), name="临沂甲公司", town=Town.objects.get(name="黄山镇"), industry_code="3071"
    )
    path = tmp_path / "out.csv"
    call_command("export_targets", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_targets", str(path), "--dry-run", stdout=out)
    assert (
        out.getvalue().strip()
        == "校验通过（试运行，未写入）：1 行，将会新增 0，更新 0，无变化 1，名录库中文件未列出、保持不变 0。"
    )


def test_import_targets_command_applies_a_good_file(db, tmp_path):
    path = tmp_path / "good.xlsx"
    path.write_bytes(sheets.xlsx_bytes([sheets.TARGET_HEADER, sheets.target_row(1), sheets.target_row(2)]))
    out = io.StringIO()
    call_command("import_targets", str(path), stdout=out)
    assert out.getvalue().strip() == "已导入 2 行：新增 2，更新 0，无变化 0。"
    assert ImportBatch.objects.get().status == "applied"


def test_import_targets_command_prints_the_row_errors_and_exits_non_zero(db, tmp_path):
    path = tmp_path / "bad.csv"
    code = sheets.code(2)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    path.write_bytes(
        sheets.csv_bytes([sheets.TARGET_HEADER, sheets.target_row(1), sheets.target_row(2, code=wrong)])
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="导入未完成，数据库未作任何改动。"):
        call_command("import_targets", str(path), stdout=out)
    assert f"第 3 行 [统一社会信用代码] “{wrong}”：统一社会信用代码校验位错误" in out.getvalue()
    assert Target.objects.count() == 0


def test_import_targets_dry_run_writes_nothing(db, tmp_path):
    path = tmp_path / "good.csv"
    path.write_bytes(sheets.csv_bytes([sheets.TARGET_HEADER, sheets.target_row(1)]))
    call_command("import_targets", str(path), "--dry-run", stdout=io.StringIO())
    assert Target.objects.count() == 0


def test_import_inspectors_command(db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(
        sheets.csv_bytes([["人员编号", "姓名", "人员类别"], ["JYJ-0009", "赵老师", "日常监管人员"]])
    )
    call_command("import_inspectors", str(path), "--department", "JYJ", stdout=io.StringIO())
    assert Inspector.objects.get().department.code == "JYJ"


def test_export_targets_command_writes_csv_with_the_import_headers(db, tmp_path):
    Target.objects.create(code=sheets.code(1), name="临沂甲公司")
    path = tmp_path / "t.csv"
    call_command("export_targets", str(path), stdout=io.StringIO())
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == [*list(sheets.TARGET_HEADER), "登记住所无法联系"]
    assert rows[1][:2] == [sheets.code(1), "临沂甲公司"]


def test_demo_targets_are_deterministic_valid_and_of_the_district(db):
    towns = list(Town.objects.values_list("pk", "name"))
    first = list(demo_targets(300, 7, towns))
    assert first == list(demo_targets(300, 7, towns))
    assert first != list(demo_targets(300, 8, towns))
    assert len({target.code for target in first}) == 300
    assert all(credit_code.is_valid(target.code) and target.code[2:8] == "371311" for target in first)
    assert {target.risk_class for target in first} == {"A", "B", "C", "D"}


def test_seed_demo_fills_both_registries_and_links_the_demo_inspectors(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--targets", "400", "--inspectors", "60", "--seed", "3", stdout=io.StringIO())
    call_command("seed_demo", "--targets", "400", "--inspectors", "60", "--seed", "3", stdout=io.StringIO())
    assert (Target.objects.count(), Inspector.objects.count()) == (400, 60)
    assert Inspector.objects.values("department").distinct().count() == 19
    # The inspections demo adds a sub-registry of its own for its drawn task.
    assert SubRegistry.objects.filter(department__code="SCJG").exclude(name=DEMO_REGISTRY).count() == 6
    linked = dict(Inspector.objects.filter(user__isnull=False).values_list("user__username", "name"))
    assert linked == {"scjg_inspector": "刘洋", "jyj_inspector": "孙浩"}
    assert ConflictOfInterest.objects.count() == 8
    assert Inspector.objects.filter(expertise__isnull=True).count() == 0


def test_the_openapi_schema_describes_the_registry_api(staff):
    response = client_for(staff).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/registry/targets/" in text and "/api/registry/inspectors/" in text


def test_the_target_api_filters_and_searches(staff):
    Target.objects.create(code=sheets.code(1), name="临沂鑫盛陶瓷有限公司", risk_class="C")
    Target.objects.create(code=sheets.code(2), name="临沂鑫盛百货有限公司", risk_class="A")
    data = client_for(staff).get("/api/registry/targets/", {"q": "鑫盛", "risk_class": "C"}).json()
    assert (data["count"], [row["code"] for row in data["results"]]) == (1, [sheets.code(1)])
