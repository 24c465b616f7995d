"""The office imports the no-penalty list in the browser, as it imports the provincial list."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent, ImportBatch
from plans import services
from plans.models import ExemptionItem
from tests import sheets
from tests.conftest import client_for

HEADER = ["序号", "编号", "实施部门", "违法行为", "法律依据", "免罚条件"]
ROWS = [
    [
        1,
        "ＳＣＪＧ－００１",
        "区市场监管局",
        "未将营业执照置于住所或者主要经营场所的醒目位置",
        "《中华人民共和国市场主体登记管理条例》第四十八条",
        "首次被发现，在责令改正期限内改正",
    ],
    [
        2,
        "WSJK-001",
        "罗庄区卫生健康局",
        "公共场所未按规定公示卫生许可证",
        "《公共场所卫生管理条例实施细则》第三十六条",
        "首次违法且及时改正",
    ],
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def workbook(rows, *, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["罗庄区轻微违法行为免予处罚清单"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.append([None] * len(header))
    sheet.append(["\u3000", " "])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data, capture, name="免罚清单.xlsx"):
    with capture(execute=True):
        return client.post(reverse("exemption-import"), {"file": SimpleUploadedFile(name, data)})


def latest_batch() -> ImportBatch:
    return ImportBatch.objects.order_by("-created_at").first()


def confirm(client, batch, capture):
    with capture(execute=True):
        return client.post(reverse("import-confirm", args=[batch.pk]))


def items():
    return list(
        ExemptionItem.objects.order_by("code").values_list(
            "code", "department__code", "description", "is_active"
        )
    )


def test_the_office_imports_the_list_from_a_workbook_after_previewing_it(
    office_user, django_capture_on_commit_callbacks
):
    client = client_for(office_user)
    upload(client, workbook(ROWS), django_capture_on_commit_callbacks)
    batch = latest_batch()
    assert (batch.status, batch.report["header_row"], batch.report["rows"]) == ("ready", 2, 2)
    assert batch.report["plan"]["counts"] == {
        "新增": 2,
        "更新": 0,
        "未变": 0,
        "清单中文件未列出、保持不变": 0,
    }
    assert not ExemptionItem.objects.exists()

    confirm(client, batch, django_capture_on_commit_callbacks)

    assert items() == [
        ("SCJG-001", "SCJG", "未将营业执照置于住所或者主要经营场所的醒目位置", True),
        ("WSJK-001", "WSJK", "公共场所未按规定公示卫生许可证", True),
    ]
    event = AuditEvent.objects.get(action="plans.exemptions.import")
    assert (event.username, event.after["outcome"]) == (
        "office1",
        {"counts": {"新增": 2, "更新": 0, "未变": 0}},
    )


def test_a_second_file_updates_by_code_restores_and_leaves_unlisted_items_alone(
    office_user, scjg, django_capture_on_commit_callbacks
):
    services.exemption_save(
        actor=office_user,
        item=None,
        code="SCJG-001",
        department=scjg,
        description="未将营业执照置于住所或者主要经营场所的醒目位置",
        legal_basis="旧依据",
        conditions="首次被发现，在责令改正期限内改正",
        is_active=False,
    )
    services.exemption_save(
        actor=office_user,
        item=None,
        code="SCJG-009",
        department=scjg,
        description="不在文件中的事项",
        legal_basis="依据",
        conditions="条件",
    )
    client = client_for(office_user)
    # A list numbered by 序号 alone: the number is the code.
    rows = [[row[0], *row[2:]] for row in ROWS]
    rows[0][0] = "SCJG-001"
    upload(
        client,
        sheets.csv_bytes([["序号", *HEADER[2:]], *rows], encoding="gb18030"),
        django_capture_on_commit_callbacks,
        name="免罚清单.csv",
    )
    batch = latest_batch()
    plan = batch.report["plan"]
    assert plan["counts"] == {"新增": 1, "更新": 1, "未变": 0, "清单中文件未列出、保持不变": 1}
    assert [(sample["key"], sample["action"], sample["detail"]) for sample in plan["samples"]] == [
        ("2", "新增", "区卫健局：公共场所未按规定公示卫生许可证"),
        (
            "SCJG-001",
            "更新",
            "法律依据：旧依据 → 《中华人民共和国市场主体登记管理条例》第四十八条；状态：已失效 → 有效",
        ),
    ]
    confirm(client, batch, django_capture_on_commit_callbacks)
    assert items() == [
        ("2", "WSJK", "公共场所未按规定公示卫生许可证", True),
        ("SCJG-001", "SCJG", "未将营业执照置于住所或者主要经营场所的醒目位置", True),
        ("SCJG-009", "SCJG", "不在文件中的事项", True),
    ]


def test_every_bad_row_is_listed_and_nothing_is_imported(office_user, django_capture_on_commit_callbacks):
    rows = [
        *ROWS,
        [3, "SCJG-001", "区市场监管局", "重复的编号", "依据", "条件"],
        [4, "MF 04", "区水务局", "甲", "乙", "丙"],
        [5, "MF-05", "区市场监管局", "", "乙", "丙"],
    ]
    client = client_for(office_user)
    upload(client, workbook(rows), django_capture_on_commit_callbacks)
    batch = latest_batch()
    assert list(batch.issues.values_list("row_number", "column", "value", "reason")) == [
        (5, "编号", "SCJG-001", "与第 3 行重复：同一文件中不能出现两次。"),
        (6, "编号", "MF 04", "只能包含字母、数字和连字符，不超过 20 个字符。"),
        (6, "实施部门", "区水务局", "不是在用的成员单位（请填写单位全称或简称）。"),
        (7, "违法行为", "", "必填，不能为空。"),
    ]
    assert batch.status == "invalid"
    confirm(client, batch, django_capture_on_commit_callbacks)
    assert not ExemptionItem.objects.exists()


def test_a_file_without_a_required_column_is_refused(office_user, django_capture_on_commit_callbacks):
    header = [name for name in HEADER if name != "免罚条件"]
    upload(
        client_for(office_user),
        workbook([row[:-1] for row in ROWS], header=header),
        django_capture_on_commit_callbacks,
    )
    batch = latest_batch()
    assert (batch.status, batch.error) == ("invalid", "第 2 行的表头缺少必填列：免罚条件。")


@pytest.mark.parametrize("role", ["staff", "head", "inspector_user", "outsider"])
def test_only_the_office_may_import_the_list(db, role, request, django_capture_on_commit_callbacks):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("exemption-import")).status_code == 403
    assert upload(client, workbook(ROWS), django_capture_on_commit_callbacks).status_code == 403
    assert not ImportBatch.objects.exists()
    assert not ExemptionItem.objects.exists()


def test_the_list_page_offers_the_import_to_the_office_only(office_user, staff):
    assert (
        reverse("exemption-import") in client_for(office_user).get(reverse("exemption-list")).content.decode()
    )
    assert (
        reverse("exemption-import") not in client_for(staff).get(reverse("exemption-list")).content.decode()
    )
