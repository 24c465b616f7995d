"""Importing targets: upload → validate (job) → preview → confirm → apply in one transaction."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from luozhuang_dsj.models import AuditEvent, ImportBatch, Job
from registry.models import Target, TargetChange, Town
from tests import sheets
from tests.conftest import client_for

HEADER = sheets.TARGET_HEADER


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, name, data, capture, url=None):
    with capture(execute=True):
        response = client.post(url or reverse("target-import"), {"file": SimpleUploadedFile(name, data)})
    return response


def latest_batch() -> ImportBatch:
    return ImportBatch.objects.order_by("-created_at").first()


def confirm(client, batch, capture):
    with capture(execute=True):
        return client.post(reverse("import-confirm", args=[batch.pk]))


def test_the_office_imports_a_real_looking_file_after_previewing_it(
    office_user, django_capture_on_commit_callbacks
):
    client = client_for(office_user)
    data = sheets.xlsx_bytes(
        [HEADER, sheets.target_row(1), sheets.target_row(2, kind="个体工商户", town="褚墩镇", risk="C类")],
        title="罗庄区市场主体名录",
        note="说明：本表由登记系统导出",
    )
    response = upload(client, "名录.xlsx", data, django_capture_on_commit_callbacks)
    batch = latest_batch()
    assert response.status_code == 302
    assert response["Location"] == reverse("job-detail", args=[batch.validate_job_id])
    assert (batch.status, batch.report["header_row"], batch.report["plan"]["counts"]["新增"]) == (
        "ready",
        3,
        2,
    )
    assert Target.objects.count() == 0  # nothing before confirmation
    preview = client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert "确认导入" in preview and "新增 <strong>2</strong>" in preview

    before = timezone.now()
    response = confirm(client, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert (batch.status, batch.outcome["counts"]) == ("applied", {"新增": 2, "更新": 0, "无变化": 0})
    # The database's default (PostgreSQL's COPY leaves the columns out) or the ORM's: the import's time.
    times = [moment for pair in Target.objects.values_list("created_at", "updated_at") for moment in pair]
    assert len(times) == 4 and before <= min(times) <= max(times) <= timezone.now()
    second = Target.objects.get(code=sheets.code(2))
    assert (second.kind, second.town.name, second.risk_class, second.status) == (
        "个体工商户",
        "褚墩镇",
        "C",
        "存续",
    )
    assert TargetChange.objects.count() == 0  # creations are in the batch's audit event, not the history
    event = AuditEvent.objects.get(action="registry.targets.import")
    assert (event.username, event.object_key, event.after["rows"]) == ("office1", str(batch.pk), 2)


def test_a_second_import_updates_in_place_and_keeps_history(office_user, django_capture_on_commit_callbacks):
    client = client_for(office_user)
    upload(
        client,
        "a.csv",
        sheets.csv_bytes([HEADER, sheets.target_row(1), sheets.target_row(2)]),
        django_capture_on_commit_callbacks,
    )
    confirm(client, latest_batch(), django_capture_on_commit_callbacks)
    # The second file only carries code, name and a new status for one target; blank cells change nothing.
    data = sheets.csv_bytes(
        [
            ["统一社会信用代码", "企业名称", "登记状态", "住所"],
            [sheets.code(1), "临沂测试商贸有限公司1", "注销", ""],
        ],
        encoding="gb18030",
    )
    upload(client, "b.csv", data, django_capture_on_commit_callbacks)
    batch = latest_batch()
    assert batch.report["plan"]["counts"] == {
        "新增": 0,
        "更新": 1,
        "无变化": 0,
        "名录库中文件未列出、保持不变": 1,
    }
    confirm(client, batch, django_capture_on_commit_callbacks)
    target = Target.objects.get(code=sheets.code(1))
    assert (target.status, target.address) == ("注销", "山东省临沂市罗庄区罗庄街道沂河路1号")
    assert Target.objects.count() == 2  # never dropped
    change = target.changes.first()
    assert (change.source, change.changes, change.user) == (
        "import",
        {"status": ["存续", "注销"]},
        office_user,
    )


def test_every_bad_row_is_listed_and_the_batch_cannot_be_confirmed(
    office_user, django_capture_on_commit_callbacks
):
    client = client_for(office_user)
    bad_check = sheets.code(3)[:-1] + ("0" if sheets.code(3)[-1] != "0" else "1")
    data = sheets.xlsx_bytes(
        [
            HEADER,
            sheets.target_row(1),
            sheets.target_row(2, code=bad_check),
            sheets.target_row(3, town="兰山街道", risk="E"),
            sheets.target_row(4, code=sheets.code(1)),
            sheets.target_row(5, name=""),
        ]
    )
    upload(client, "a.xlsx", data, django_capture_on_commit_callbacks)
    batch = latest_batch()
    issues = list(batch.issues.values_list("row_number", "column", "reason"))
    expected_char = sheets.code(3)[-1]
    assert issues == [
        (
            3,
            "统一社会信用代码",
            f"统一社会信用代码校验位错误：第 18 位应为 {expected_char}，实际为 {bad_check[-1]}。",
        ),
        (4, "所属镇街", "不是本区的镇街：请填写镇街全称，如“罗庄街道”“褚墩镇”。"),
        (4, "信用风险分类", "无法识别的信用风险分类“E”：应为 A、B、C、D（低、一般、较高、高）。"),
        (5, "统一社会信用代码", "与第 2 行重复：同一文件中不能出现两次。"),
        (6, "企业名称", "名称不能为空。"),
    ]
    assert (batch.status, batch.report["error_rows"], batch.report["rows"]) == ("invalid", 4, 5)
    preview = client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert "问题行（共 4 行、5 处）" in preview and "确认导入" not in preview
    response = confirm(client, batch, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Target.objects.count() == 0
    assert not AuditEvent.objects.filter(action="registry.targets.import").exists()


BAD_FILES = {
    "not a spreadsheet": ("a.xlsx", b"just some text", "文件不是有效的电子表格"),
    "corrupt zip": ("a.xlsx", sheets.xlsx_bytes([HEADER])[:300], "文件已损坏"),
    "xml bomb": (
        "a.xlsx",
        sheets.rewrite_zip(sheets.xlsx_bytes([HEADER]), {"xl/worksheets/sheet1.xml": sheets.XML_BOMB_SHEET}),
        "文件包含不安全的 XML 定义",
    ),
    "macros inside": (
        "a.xlsx",
        sheets.rewrite_zip(sheets.xlsx_bytes([HEADER]), {}, add={"xl/vbaProject.bin": b"x"}),
        "文件含有宏",
    ),
    "missing columns": ("a.xlsx", sheets.xlsx_bytes([["企业名称"], ["甲"]]), "缺少必填列：统一社会信用代码"),
    "empty sheet": ("a.xlsx", sheets.xlsx_bytes([]), "工作表是空的"),
    "header only": ("a.ods", sheets.ods_bytes([HEADER]), "只有表头"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_with_a_chinese_reason_and_nothing_changes(
    case, office_user, django_capture_on_commit_callbacks
):
    name, data, reason = BAD_FILES[case]
    client = client_for(office_user)
    upload(client, name, data, django_capture_on_commit_callbacks)
    batch = latest_batch()
    job = Job.objects.get(pk=batch.validate_job_id)
    assert (batch.status, job.status) == ("invalid", "failed")
    assert reason in batch.error and reason in job.error
    assert reason in client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert (Target.objects.count(), TargetChange.objects.count()) == (0, 0)


def test_an_xlsm_or_oversized_upload_is_refused_at_the_form(office_user, settings):
    client = client_for(office_user)
    response = client.post(
        reverse("target-import"), {"file": SimpleUploadedFile("宏.xlsm", sheets.xlsx_bytes([HEADER]))}
    )
    assert (
        "文件含有宏（.xlsm 等启用宏的格式），为安全起见不予接收。请另存为 .xlsx 后上传。"
        in response.content.decode()
    )
    settings.UPLOAD_MAX_BYTES = 1024
    response = client.post(reverse("target-import"), {"file": SimpleUploadedFile("大.csv", b"a,b\n" * 600)})
    assert "文件过大：0.0 MB，上限为 0.0 MB。" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_an_import_that_fails_while_applying_writes_nothing(
    office_user, django_capture_on_commit_callbacks, monkeypatch
):
    client = client_for(office_user)
    upload(
        client, "a.csv", sheets.csv_bytes([HEADER, sheets.target_row(1)]), django_capture_on_commit_callbacks
    )
    batch = latest_batch()
    Town.objects.filter(name="罗庄街道").update(is_active=True)

    from registry.imports import TargetImport

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(TargetImport, "apply", broken)
    confirm(client, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert (batch.status, batch.error) == (
        "failed",
        "导入时发生系统错误，数据库未作任何改动。请联系系统管理员。",
    )
    assert (Target.objects.count(), AuditEvent.objects.filter(action="registry.targets.import").count()) == (
        0,
        0,
    )


def test_a_confirmed_batch_is_applied_once(office_user, django_capture_on_commit_callbacks):
    from luozhuang_dsj.imports import import_apply

    client = client_for(office_user)
    upload(
        client, "a.csv", sheets.csv_bytes([HEADER, sheets.target_row(1)]), django_capture_on_commit_callbacks
    )
    batch = latest_batch()
    confirm(client, batch, django_capture_on_commit_callbacks)
    import_apply(batch)
    assert confirm(client, batch, django_capture_on_commit_callbacks).status_code == 302
    assert (Target.objects.count(), ImportBatch.objects.get().status) == (1, "applied")


def test_department_staff_cannot_import_targets(staff, django_capture_on_commit_callbacks):
    response = upload(
        client_for(staff),
        "a.csv",
        sheets.csv_bytes([HEADER, sheets.target_row(1)]),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 403
    assert (ImportBatch.objects.count(), Target.objects.count()) == (0, 0)


def test_another_departments_batch_is_not_found(office_user, outsider, django_capture_on_commit_callbacks):
    upload(
        client_for(office_user),
        "a.csv",
        sheets.csv_bytes([HEADER, sheets.target_row(1)]),
        django_capture_on_commit_callbacks,
    )
    batch = latest_batch()
    client = client_for(outsider)
    assert client.get(reverse("import-detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("import-confirm", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == "ready"


def test_a_town_change_is_recorded_by_name(office_user, django_capture_on_commit_callbacks):
    client = client_for(office_user)
    upload(
        client, "a.csv", sheets.csv_bytes([HEADER, sheets.target_row(1)]), django_capture_on_commit_callbacks
    )
    confirm(client, latest_batch(), django_capture_on_commit_callbacks)
    upload(
        client,
        "b.csv",
        sheets.csv_bytes([HEADER, sheets.target_row(1, town="黄山")]),
        django_capture_on_commit_callbacks,
    )
    confirm(client, latest_batch(), django_capture_on_commit_callbacks)
    assert TargetChange.objects.get().changes == {"town": ["罗庄街道", "黄山镇"]}


# The target import's columns in the order of sheets.target_row and its flag column.
COLUMN_POSITIONS = [
    (key, index)
    for index, key in enumerate(
        (
            "code",
            "name",
            "kind",
            "legal_representative",
            "address",
            "town",
            "industry",
            "status",
            "risk",
            "unreachable",
        )
    )
]


def _cleaned_both_ways(rows, positions):
    """(column-by-column, one `clean` per row) results of the same raw rows."""
    from luozhuang_dsj.imports import Row, get_schema

    schema = get_schema("registry.targets")
    block = list(enumerate(rows, start=4))
    fast = schema.clean_block(schema.prepare(None), block, positions)
    context = schema.prepare(None)
    reference = []
    for number, cells in block:
        row = Row.of_cells(number, cells, positions)
        reference.append((number, schema.clean(context, row), row.errors))
    return [(number, result, list(errors)) for number, result, errors in fast], reference


def test_cleaning_column_by_column_gives_exactly_what_cleaning_row_by_row_gives(db):
    """The import's fast path over a block of rows: the same cleaned rows, the same errors
    in the same order, for good rows and for every kind of bad or unusual cell."""
    positions = COLUMN_POSITIONS
    good = [*sheets.target_row(1), "否"]
    bad_check = sheets.code(3)[:-1] + ("0" if sheets.code(3)[-1] != "0" else "1")
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in sheets.code(4))
    variants = [
        {},
        {"code": sheets.code(5).lower()},
        {"code": f" {sheets.code(6)[:9]} {sheets.code(6)[9:]} "},
        {"code": full_width},
        {"code": bad_check},
        {"code": sheets.code(7)[:17]},
        {"code": "91371311MA0000I08X"},
        {"code": ""},
        {"code": "P-2026-0001", "kind": "产品"},
        {"code": "A" * 18, "kind": "项目"},
        {"code": "", "kind": "场所"},
        {"kind": "个体工商户", "code": sheets.code(8, kind="2")},
        {"kind": "", "code": sheets.code(9, kind="3")},
        {"kind": "外星组织"},
        {"town": "兰山街道"},
        {"town": "褚墩"},
        {"town": "　罗庄街道 "},
        {"industry": 5211.0},
        {"industry": "F5211"},
        {"industry": "52-11"},
        {"status": "在业"},
        {"status": "吊销，未注销"},
        {"status": "停业"},
        {"risk": "C类"},
        {"risk": "E"},
        {"unreachable": "是"},
        {"unreachable": True},
        {"unreachable": "也许"},
        {"name": ""},
        {"name": " 临沂  测试\n商贸 "},
        {"name": "名" * 201},
        {"legal": "李" * 101},
        {"legal": "   "},
        {"address": "址" * 301},
        {"town": "兰山街道", "risk": "E", "code": bad_check},
        {"name": "", "legal": "李" * 101, "address": "址" * 301},
    ]
    keys = ["code", "name", "kind", "legal", "address", "town", "industry", "status", "risk", "unreachable"]
    rows = []
    for number, variant in enumerate(variants, start=10):
        row = dict(zip(keys, [*sheets.target_row(number), "否"], strict=True)) | variant
        rows.append(list(row.values()))
    rows.append(["", "", "", "", "", "", "", "", "", ""])
    rows.append(good)
    fast, reference = _cleaned_both_ways(rows, positions)
    assert fast == reference
    assert (
        sum(1 for _, result, _ in reference if result is None) == 19
    )  # every bad variant, and the blank row

    # Ragged rows (a .csv) and a file without some of the optional columns.
    fast, reference = _cleaned_both_ways([good, good[:3], good[:8], [], [sheets.code(2), "乙"]], positions)
    assert fast == reference
    narrow = [("code", 0), ("name", 1), ("risk", 2)]
    fast, reference = _cleaned_both_ways([[sheets.code(1), "甲", "A"], [sheets.code(2), "乙", ""]], narrow)
    assert fast == reference


def test_good_rows_are_cleaned_without_a_call_per_row(db, monkeypatch):
    from registry.imports import TargetImport

    calls = []
    original = TargetImport.clean
    monkeypatch.setattr(
        TargetImport,
        "clean",
        lambda self, context, row: calls.append(row.number) or original(self, context, row),
    )
    rows = [[*sheets.target_row(number), "否"] for number in range(1, 6)]
    rows[2][0] = rows[2][0][:-1] + ("0" if rows[2][0][-1] != "0" else "1")
    rows[3] = rows[3][:8]  # a .csv line without its trailing empty fields
    positions = COLUMN_POSITIONS
    fast, reference = _cleaned_both_ways(rows, positions)
    assert fast == reference
    assert calls[:1] == [6]  # the fast path sent only the row with the bad check character to `clean`
    assert len(calls) == 1 + 5


def test_a_new_target_with_blank_cells_gets_the_defaults_and_its_kind_from_the_code(
    office_user, django_capture_on_commit_callbacks
):
    client = client_for(office_user)
    data = sheets.csv_bytes(
        [
            ["统一社会信用代码", "企业名称", "市场主体类型", "所属镇街", "信用风险分类"],
            [sheets.code(1), "临沂甲商贸有限公司", "", "", ""],
            [sheets.code(2, kind="2"), "罗庄区乙便利店", "", "褚墩镇", "C"],
            [sheets.code(3, kind="3"), "罗庄区丙种植专业合作社", "", "", ""],
            ["P-2026-0001", "罗庄区丁产品", "产品", "", "D"],
        ]
    )
    upload(client, "new.csv", data, django_capture_on_commit_callbacks)
    confirm(client, latest_batch(), django_capture_on_commit_callbacks)
    stored = list(
        Target.objects.order_by("code").values_list(
            "code",
            "kind",
            "legal_representative",
            "address",
            "town__name",
            "industry_code",
            "status",
            "risk_class",
            "address_unreachable",
        )
    )
    assert stored == sorted(
        [
            (sheets.code(1), "企业", "", "", None, "", "存续", "B", False),
            (sheets.code(2, kind="2"), "个体工商户", "", "", "褚墩镇", "", "存续", "C", False),
            (sheets.code(3, kind="3"), "农民专业合作社", "", "", None, "", "存续", "B", False),
            ("P-2026-0001", "产品", "", "", None, "", "存续", "D", False),
        ]
    )
    assert TargetChange.objects.count() == 0  # a new target's history starts with its first change
