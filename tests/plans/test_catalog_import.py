"""The office imports the provincial list in the browser: upload → validation job → preview
of every bad row and of what the new edition changes → confirm → one transaction."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent, ImportBatch
from plans import services
from plans.models import CatalogEdition, CatalogItem
from plans.services import MatterData
from tests.conftest import client_for
from tests.plans.helpers import SAMPLE, catalog_item, claim, import_sample

HEADER = [
    "序号",
    "抽查类别",
    "抽查事项",
    "检查对象",
    "事项类别",
    "检查方式",
    "检查主体",
    "检查依据",
    "抽查比例和频次",
    "备注",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def sample_table() -> list[list[str]]:
    """The sample list's data rows, as the office would type them."""
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


def changed_table() -> list[list[str]]:
    """The sample with 计量 re-worded, 网络交易 re-categorised, 旅馆业 dropped and one item added."""
    rows = []
    for row in sample_table():
        if row[2] == "计量器具使用情况的检查":
            row[7], row[8] = "《中华人民共和国计量法》第十八条、第三十三条", "不高于3%"
        if row[2] == "网络交易经营者的检查":
            row[1] = "网络市场监督检查"
        if row[2] == "旅馆业治安管理的检查":
            continue
        rows.append(row)
    rows.append(
        [
            "25",
            "网络市场监督检查",
            "电子商务平台经营者的检查",
            "电子商务平台经营者",
            "一般",
            "网络监测",
            "区市场监管局",
            "《中华人民共和国电子商务法》第二十七条",
            "不高于5%",
            "",
        ]
    )
    return rows


def workbook(rows, *, header=HEADER, title="全省统一的随机抽查事项清单（2026年版）", blank_tail=3) -> bytes:
    """An .xlsx as the province sends it: a merged title row, a merged note row, the header,
    the items (序号 as numbers), then rows left blank or holding only spaces or a 序号."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "抽查事项清单"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(["说明：本清单自印发之日起施行。事项类别分为重点检查事项和一般检查事项。"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    for number in range(blank_tail):
        sheet.append([len(rows) + number + 1 if number == 0 else None, "\u3000" if number == 1 else None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def full_width(rows: list[list[str]]) -> list[list[str]]:
    """The same items typed with full-width digits and ％, full-width commas between methods
    and padding around cells, as they arrive from WPS."""
    digits = str.maketrans("0123456789%", "０１２３４５６７８９％")
    typed = []
    for row in rows:
        cells = [cell.translate(digits) for cell in row[1:]]
        cells[4] = cells[4].replace("、", "，")
        typed.append([row[0], *(f"\u3000{cell} " if cell else cell for cell in cells)])
    return typed


def upload(client, data, capture, *, name="省级清单.xlsx", title="2026年版", note=""):
    with capture(execute=True):
        return client.post(
            reverse("catalog-import"), {"file": SimpleUploadedFile(name, data), "title": title, "note": note}
        )


def latest_batch() -> ImportBatch:
    return ImportBatch.objects.order_by("-created_at").first()


def confirm(client, batch, capture):
    with capture(execute=True):
        return client.post(reverse("import-confirm", args=[batch.pk]))


def test_the_office_imports_a_real_looking_workbook_after_previewing_it(
    office_user, django_capture_on_commit_callbacks
):
    client = client_for(office_user)
    response = upload(
        client,
        workbook(full_width(sample_table())),
        django_capture_on_commit_callbacks,
        note="鲁市监发〔2026〕1号",
    )
    batch = latest_batch()
    assert response["Location"] == reverse("job-detail", args=[batch.validate_job_id])
    assert (batch.status, batch.title, batch.report["header_row"], batch.report["rows"]) == (
        "ready",
        "导入全省统一的随机抽查事项清单“2026年版”",
        3,
        24,
    )
    assert batch.report["plan"]["counts"] == {"首次导入事项": 24}
    assert not CatalogEdition.objects.exists()  # nothing before confirmation
    preview = client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert "首次导入事项 <strong>24</strong>" in preview and "确认导入" in preview

    confirm(client, batch, django_capture_on_commit_callbacks)

    batch.refresh_from_db()
    assert (batch.status, batch.outcome) == (
        "applied",
        {"counts": {"首次导入事项": 24}, "edition": 1, "title": "2026年版"},
    )
    edition = CatalogEdition.objects.get()
    assert (edition.number, edition.title, edition.note, edition.source_name, edition.imported_by) == (
        1,
        "2026年版",
        "鲁市监发〔2026〕1号",
        "省级清单.xlsx",
        office_user,
    )
    first = edition.items.get(position=1)
    assert (first.key, first.check_type, first.category, first.methods, first.ratio_frequency) == (
        "01-001",
        "企业信息公示抽查",
        "一般",
        ["实地核查", "书面检查"],
        "不低于3%，每年1次",
    )
    # The full-width file and the plain sample are the same list.
    with pytest.raises(ValidationError):
        import_sample(office_user, title="同一清单")
    event = AuditEvent.objects.get(action="plans.catalog.import")
    assert (event.username, event.object_key, event.after["rows"], event.after["outcome"]["edition"]) == (
        "office1",
        str(batch.pk),
        24,
        1,
    )
    assert not AuditEvent.objects.filter(action="catalog.import").exists()  # one event per import


def test_a_changed_edition_previews_exactly_its_changes_and_the_claims_they_touch(
    office_user, staff, outsider, django_capture_on_commit_callbacks
):
    import_sample(office_user)
    claim(staff, "计量器具使用情况的检查", cap="5")
    claim(outsider, "计量器具使用情况的检查", cap="5")
    client = client_for(office_user)

    upload(client, workbook(changed_table()), django_capture_on_commit_callbacks, title="2027年版")

    batch = latest_batch()
    plan = batch.report["plan"]
    assert (batch.status, plan["edition"], plan["based_on"]) == ("ready", 2, 1)
    assert plan["counts"] == {"新增": 1, "修改": 2, "删除": 1, "未变": 21}
    assert [(sample["key"], sample["action"], sample["detail"]) for sample in plan["samples"]] == [
        (
            "网络市场监督检查·电子商务平台经营者的检查",
            "新增",
            "一般检查事项；检查主体：区市场监管局；检查方式：网络监测",
        ),
        (
            "计量监督检查·计量器具使用情况的检查",
            "修改",
            "检查依据：《中华人民共和国计量法》第十八条 → 《中华人民共和国计量法》第十八条、第三十三条；"
            "抽查比例和频次：不高于5% → 不高于3%。已认领此事项的部门：区教育局、区市场监管局",
        ),
        ("网络市场监督检查·网络交易经营者的检查", "修改", "抽查类别：网络交易监督检查 → 网络市场监督检查"),
        ("公安行政检查·旅馆业治安管理的检查", "删除", "新版本不再列出该事项"),
    ]
    assert CatalogEdition.objects.count() == 1
    preview = client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert (
        "新增 <strong>1</strong>，修改 <strong>2</strong>，删除 <strong>1</strong>，未变 <strong>21</strong>"
        in preview
    )
    assert "抽查比例和频次：不高于5% → 不高于3%" in preview

    confirm(client, batch, django_capture_on_commit_callbacks)

    edition = CatalogEdition.objects.get(number=2)
    assert (edition.title, edition.summary) == (
        "2027年版",
        {"added": 1, "changed": 2, "removed": 1, "unchanged": 21},
    )
    assert catalog_item("计量器具使用情况的检查").ratio_frequency == "不高于3%"


def test_category_and_body_cells_merged_over_several_items_belong_to_each_of_them(
    office_user, django_capture_on_commit_callbacks
):
    rows = sample_table()
    rows[2][1] = rows[2][6] = ""  # 食品经营者: its 抽查类别 and 检查主体 are the merged cells above
    data = workbook(rows)
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.active.merge_cells("B5:B6")
    book.active.merge_cells("G4:G6")
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(office_user)
    upload(client, buffer.getvalue(), django_capture_on_commit_callbacks)
    confirm(client, latest_batch(), django_capture_on_commit_callbacks)
    item = catalog_item("食品经营者的监督检查")
    assert (item.check_type, item.inspecting_body) == ("食品安全监督检查", "区市场监管局")
    assert CatalogItem.objects.count() == 24


def test_a_general_item_without_a_ratio_imports_and_its_cap_is_set_when_a_department_claims_it(
    office_user, staff, django_capture_on_commit_callbacks
):
    # The provincial layout does not require a cap (the sample's 企业公示 item only has a
    # minimum): the cap is the claiming department's, and the claim requires it.
    rows = sample_table()
    rows[4][8] = ""  # 计量器具使用情况的检查, 一般
    client = client_for(office_user)
    upload(client, workbook(rows), django_capture_on_commit_callbacks)
    confirm(client, latest_batch(), django_capture_on_commit_callbacks)
    item = catalog_item("计量器具使用情况的检查")
    assert (item.category, item.ratio_frequency) == ("一般", "")
    with pytest.raises(ValidationError) as error:
        services.matter_claim(
            actor=staff,
            department=staff.department,
            catalog_item=item,
            data=MatterData.from_catalog(
                item, ratio_cap=None, default_ratio=Decimal("3"), frequency="每年1次"
            ),
        )
    assert error.value.message_dict == {"ratio_cap": ["一般检查事项必须设置抽查比例上限。"]}


def test_every_bad_row_is_listed_with_its_chinese_reason_and_nothing_is_imported(
    office_user, django_capture_on_commit_callbacks
):
    import_sample(office_user)
    rows = changed_table()
    rows[1][4] = "普通"  # row 5: 事项类别
    rows[2][5] = "实地核查、电话抽查"  # row 6: 检查方式
    rows[3][6] = ""  # row 7: 检查主体
    rows[9] = rows[8][:3] + rows[9][3:]  # row 13 repeats row 12's 抽查类别 and 抽查事项
    client = client_for(office_user)

    upload(client, workbook(rows), django_capture_on_commit_callbacks, title="2027年版")

    batch = latest_batch()
    assert list(batch.issues.values_list("row_number", "column", "value", "reason")) == [
        (5, "事项类别", "普通", "应为“重点”或“一般”。"),
        (
            6,
            "检查方式",
            "实地核查、电话抽查",
            "无法识别“电话抽查”，检查方式应为实地核查、书面检查或网络监测。",
        ),
        (7, "检查主体", "", "必填，不能为空。"),
        (13, "抽查事项", "民办学校办学行为的检查", "与第 12 行重复（同一抽查类别下的同名事项）。"),
    ]
    assert (batch.status, batch.report["error_rows"], batch.report["plan"]["counts"]) == ("invalid", 4, {})
    preview = client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert "问题行（共 4 行、4 处）" in preview and "确认导入" not in preview
    confirm(client, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == "invalid"
    assert (CatalogEdition.objects.count(), CatalogItem.objects.count()) == (1, 24)
    assert not AuditEvent.objects.filter(action="plans.catalog.import").exists()


def test_a_file_without_a_required_column_is_refused_as_a_whole(
    office_user, django_capture_on_commit_callbacks
):
    header = [name for name in HEADER if name != "检查依据"]
    rows = [[cell for index, cell in enumerate(row) if index != 7] for row in sample_table()]
    upload(client_for(office_user), workbook(rows, header=header), django_capture_on_commit_callbacks)
    batch = latest_batch()
    assert (batch.status, batch.error) == ("invalid", "第 3 行的表头缺少必填列：检查依据。")
    assert not CatalogEdition.objects.exists()


def test_the_current_list_again_is_refused_before_confirmation(
    office_user, django_capture_on_commit_callbacks
):
    import_sample(office_user)
    upload(client_for(office_user), workbook(sample_table()), django_capture_on_commit_callbacks)
    batch = latest_batch()
    assert (batch.status, batch.error) == ("invalid", "与现行版本（第1版）相比没有任何变化，无需导入。")
    assert CatalogEdition.objects.count() == 1


def test_an_edition_imported_after_validation_makes_the_confirmation_fail_and_write_nothing(
    office_user, django_capture_on_commit_callbacks
):
    import_sample(office_user)
    client = client_for(office_user)
    upload(client, workbook(changed_table()), django_capture_on_commit_callbacks, title="2027年版")
    batch = latest_batch()
    rows = list(services.current_catalog_edition().items.all())
    rows[0].note = "另一次导入"
    services.catalog_edition_import(actor=office_user, title="插入的版本", rows=rows)

    confirm(client, batch, django_capture_on_commit_callbacks)

    batch.refresh_from_db()
    assert (batch.status, batch.error) == (
        "failed",
        "导入未完成，数据库未作任何改动：校验之后省级清单已导入了新版本（现行为第2版），请重新上传该文件，核对变化后再导入。",
    )
    assert list(CatalogEdition.objects.values_list("number", "title")) == [(2, "插入的版本"), (1, "2026年版")]


def test_the_upload_needs_an_edition_title(office_user, django_capture_on_commit_callbacks):
    response = upload(
        client_for(office_user), workbook(sample_table()), django_capture_on_commit_callbacks, title=" "
    )
    assert response.status_code == 200
    assert "请填写版本名称，如“2026年版”。" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("role", ["staff", "head", "inspector_user", "outsider", "auditor"])
def test_only_the_office_may_import_the_provincial_list(
    db, role, request, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(role)
    client = client_for(user)
    assert client.get(reverse("catalog-import")).status_code == 403
    response = upload(client, workbook(sample_table()), django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()
    assert not CatalogEdition.objects.exists()
    # Roles without any import get 403 at the door; import users of other kinds, 404.
    expected = 404 if user.has_role("office", "dept_staff", "dept_head") else 403
    assert client.get(reverse("import-template", args=["plans.catalog"])).status_code == expected


def test_a_department_user_cannot_see_or_confirm_the_offices_batch(
    office_user, staff, django_capture_on_commit_callbacks
):
    upload(client_for(office_user), workbook(sample_table()), django_capture_on_commit_callbacks)
    batch = latest_batch()
    client = client_for(staff)  # same department as the office, but not the office
    assert client.get(reverse("import-detail", args=[batch.pk])).status_code == 404
    assert confirm(client, batch, django_capture_on_commit_callbacks).status_code == 404
    batch.refresh_from_db()
    assert batch.status == "ready"
    assert not CatalogEdition.objects.exists()


def test_the_editions_page_offers_the_import_to_the_office_only(office_user, staff):
    assert (
        reverse("catalog-import") in client_for(office_user).get(reverse("catalog-editions")).content.decode()
    )
    assert (
        reverse("catalog-import") not in client_for(staff).get(reverse("catalog-editions")).content.decode()
    )


def test_the_blank_template_has_the_catalog_headers(office_user):
    response = client_for(office_user).get(reverse("import-template", args=["plans.catalog"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in next(sheet.iter_rows())] == HEADER
