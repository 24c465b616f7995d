"""import_catalog and import_exemptions: the same reader and checks as the browser, from a shell."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plans.models import CatalogEdition, CatalogItem, ExemptionItem
from tests import sheets
from tests.plans.helpers import SAMPLE
from tests.plans.test_catalog_import import changed_table, workbook


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args: str) -> tuple[list[str], list[str]]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue().splitlines()


def test_the_catalog_command_imports_a_csv_then_previews_a_changed_workbook(db, tmp_path):
    assert run("import_catalog", str(SAMPLE), "--title", "2026年版") == (
        ["第1版：24 项；首次导入。", "已导入第1版 2026年版。"],
        [],
    )
    changed = tmp_path / "2027年版.xlsx"
    changed.write_bytes(workbook(changed_table()))

    out, _ = run("import_catalog", str(changed), "--dry-run")

    assert out == [
        "第2版：24 项；与第1版相比新增 1 项、修改 2 项、删除 1 项、未变 21 项。",
        "  新增  网络市场监督检查·电子商务平台经营者的检查",
        "  修改  计量监督检查·计量器具使用情况的检查",
        "        检查依据：《中华人民共和国计量法》第十八条 → 《中华人民共和国计量法》第十八条、第三十三条",
        "        抽查比例和频次：不高于5% → 不高于3%",
        "  修改  网络市场监督检查·网络交易经营者的检查",
        "        抽查类别：网络交易监督检查 → 网络市场监督检查",
        "  删除  公安行政检查·旅馆业治安管理的检查",
        "仅校验（--dry-run），未导入。",
    ]
    assert CatalogEdition.objects.count() == 1
    out, _ = run("import_catalog", str(changed))
    assert out[-1] == "已导入第2版 2027年版。"  # the title defaults to the file's name


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_catalog_command_lists_every_bad_row_and_exits_non_zero(db, tmp_path, dry_run):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        SAMPLE.read_text(encoding="utf-8").replace(",一般,书面检查,区商务局", ",普通,书面检查,区商务局"),
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_catalog", str(bad), *(["--dry-run"] if dry_run else []), stderr=err)
    assert str(error.value) == "共 1 处错误，未导入任何内容。"
    assert err.getvalue().splitlines() == ["第 16 行“事项类别”（普通）：应为“重点”或“一般”。"]
    assert not CatalogItem.objects.exists()


def test_the_catalog_command_refuses_a_file_it_cannot_read_and_a_user_who_is_not_the_office(
    db, tmp_path, staff
):
    unreadable = tmp_path / "list.xlsx"
    unreadable.write_bytes(b"not a workbook")
    with pytest.raises(CommandError) as error:
        call_command("import_catalog", str(unreadable))
    assert str(error.value) == "文件不是有效的电子表格：内容与扩展名 .xlsx 不符，可能已损坏或并非表格文件。"
    with pytest.raises(CommandError) as error:
        call_command("import_catalog", str(SAMPLE), "--user", staff.username)
    assert str(error.value) == "用户 staff1 无权导入全省统一的随机抽查事项清单。"
    assert not CatalogEdition.objects.exists()


def test_the_exemption_command_reads_a_workbook_and_refuses_a_bad_file_whole(db, tmp_path, office_user):
    good = tmp_path / "免罚清单.xlsx"
    good.write_bytes(
        sheets.xlsx_bytes(
            [
                ["编号", "实施部门", "违法行为", "法律依据", "免罚条件"],
                ["SCJG-001", "区市场监管局", "甲行为", "甲依据", "甲条件"],
                ["WSJK-001", "罗庄区卫生健康局", "乙行为", "乙依据", "乙条件"],
            ],
            title="罗庄区轻微违法行为免罚清单",
        )
    )
    assert run("import_exemptions", str(good), "--dry-run") == (
        ["校验通过：2 项，将新增 2 项、更新 0 项、未变 0 项。仅校验（--dry-run），未导入。"],
        [],
    )
    assert not ExemptionItem.objects.exists()
    assert run("import_exemptions", str(good), "--user", office_user.username) == (
        ["已导入：新增 2 项，更新 0 项，未变 0 项。"],
        [],
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "编号,实施部门,违法行为,法律依据,免罚条件\nSCJG-001,区市场监管局,甲行为（修订）,甲依据,甲条件\nX-1,区水务局,丙,丙,丙\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_exemptions", str(bad), "--dry-run", stderr=err)
    assert str(error.value) == "共 1 处错误，未导入任何内容。"
    assert err.getvalue().splitlines() == [
        "第 3 行“实施部门”（区水务局）：不是在用的成员单位（请填写单位全称或简称）。"
    ]
    assert ExemptionItem.objects.get(code="SCJG-001").description == "甲行为"
