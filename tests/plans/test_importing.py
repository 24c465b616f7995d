from decimal import Decimal

import pytest

from plans.importing import (
    CATALOG_HEADER_ALIASES,
    CATALOG_REQUIRED_COLUMNS,
    CatalogRow,
    RowError,
    SourceError,
    SourceRow,
    catalog_row_clean,
    catalog_validate,
    exemption_validate,
    parse_ratio_text,
    rows_from_csv,
)
from tests.plans.helpers import SAMPLE

ROW = {
    "序号": "1",
    "抽查类别": "企业信息公示抽查",
    "抽查事项": "企业公示信息的检查",
    "检查对象": "企业、农民专业合作社",
    "事项类别": "一般",
    "检查方式": "书面检查、实地核查",
    "检查主体": "区市场监管局",
    "检查依据": "《企业信息公示暂行条例》第十四条",
    "抽查比例和频次": "不低于3%，每年1次",
    "备注": "",
}


def test_a_row_is_cleaned_into_catalog_fields():
    assert catalog_row_clean(ROW) == CatalogRow(
        check_type="企业信息公示抽查",
        name="企业公示信息的检查",
        target_scope="企业、农民专业合作社",
        category="一般",
        methods=["实地核查", "书面检查"],
        inspecting_body="区市场监管局",
        legal_basis="《企业信息公示暂行条例》第十四条",
        ratio_frequency="不低于3%，每年1次",
        note="",
    )


def test_full_width_spaces_header_variants_and_method_synonyms_are_understood():
    row = {
        " 抽查类别 ": "\u3000食品安全监督检查\u3000",
        "抽查事项\n": "食品经营者的监督检查",
        "检查对象": "食品经营者",
        "事项类型": "重点检查事项",
        "检查方法": "现场检查；网络检查",
        "检查主体": "区市场监管局",
        "法律依据": "《中华人民共和国食品安全法》\n第一百一十条",
        "抽查比例及频次": "不设上限",
    }
    cleaned = catalog_row_clean(row)
    assert isinstance(cleaned, CatalogRow)
    assert (cleaned.check_type, cleaned.category, cleaned.methods) == (
        "食品安全监督检查",
        "重点",
        ["实地核查", "网络监测"],
    )
    assert cleaned.legal_basis == "《中华人民共和国食品安全法》 第一百一十条"
    assert cleaned.ratio_frequency == "不设上限"


def test_a_bad_row_reports_every_column_value_and_reason():
    row = {**ROW, "抽查事项": "", "事项类别": "特殊", "检查方式": "实地核查、电话抽查"}
    assert catalog_row_clean(row) == [
        RowError("抽查事项", "", "必填，不能为空。"),
        RowError("事项类别", "特殊", "应为“重点”或“一般”。"),
        RowError(
            "检查方式", "实地核查、电话抽查", "无法识别“电话抽查”，检查方式应为实地核查、书面检查或网络监测。"
        ),
    ]


def test_validating_a_file_skips_blank_rows_and_reports_duplicates_with_row_numbers():
    rows = [
        SourceRow(4, ROW),
        SourceRow(5, {**ROW, "序号": "2"}),
        SourceRow(6, {**ROW, "事项类别": "?"}),
        SourceRow(7, dict.fromkeys(ROW, "")),
        SourceRow(8, dict.fromkeys(ROW)),
    ]
    validation = catalog_validate(rows)
    assert [problem.message for problem in validation.problems] == [
        "第 5 行“抽查事项”（企业公示信息的检查）：与第 4 行重复（同一抽查类别下的同名事项）。",
        "第 6 行“事项类别”（?）：应为“重点”或“一般”。",
    ]
    assert (len(validation.rows), validation.blank_rows) == (1, 2)


def test_a_gb18030_csv_with_title_rows_and_trailing_blank_rows_reads_whole(tmp_path):
    title_rows = "全省统一的随机抽查事项清单（2026年版）,,,\n说明：本清单自发布之日起施行,,,\n"
    path = tmp_path / "清单.csv"
    path.write_bytes(
        (title_rows + SAMPLE.read_text(encoding="utf-8") + ",,,,,,,,,\n,,,,,,,,,\n").encode("gb18030")
    )
    rows = rows_from_csv(path, required=CATALOG_REQUIRED_COLUMNS, aliases=CATALOG_HEADER_ALIASES)
    assert rows[0].number == 4
    validation = catalog_validate(rows)
    assert validation.is_valid
    assert (len(validation.rows), validation.blank_rows) == (24, 2)
    assert validation.rows[23].name == "旅馆业治安管理的检查"


def test_a_csv_without_the_header_row_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("名称,类别\n甲,乙\n", encoding="utf-8")
    with pytest.raises(SourceError) as error:
        rows_from_csv(path, required=CATALOG_REQUIRED_COLUMNS, aliases=CATALOG_HEADER_ALIASES)
    assert str(error.value) == (
        "没有找到表头行：表头须包含 抽查类别、抽查事项、检查对象、事项类别、检查方式、检查主体、检查依据。"
    )


def test_the_ratio_text_gives_cap_minimum_and_frequency():
    assert parse_ratio_text("不高于5%") == parse_ratio_text("不高于５％")
    hint = parse_ratio_text("不高于5%，每年1次")
    assert (hint.cap, hint.minimum, hint.frequency) == (Decimal("5"), None, "每年1次")
    hint = parse_ratio_text("不低于3%，每年1次")
    assert (hint.cap, hint.minimum, hint.frequency) == (None, Decimal("3"), "每年1次")
    hint = parse_ratio_text("不设上限，每年至少1次")
    assert (hint.cap, hint.minimum, hint.frequency) == (None, None, "每年至少1次")


def test_exemption_rows_need_a_known_department(db):
    rows = [
        SourceRow(
            2,
            {
                "编号": "scjg-01",
                "实施部门": "区市场监管局",
                "违法行为": "甲",
                "法律依据": "乙",
                "免罚条件": "丙",
            },
        ),
        SourceRow(
            3, {"序号": "X-2", "实施部门": "区水务局", "违法行为": "甲", "依据": "乙", "适用条件": "丙"}
        ),
        SourceRow(
            4,
            {
                "编号": "SCJG-01",
                "实施部门": "罗庄区市场监督管理局",
                "违法行为": "甲",
                "法律依据": "乙",
                "免罚条件": "丙",
            },
        ),
    ]
    validation = exemption_validate(rows)
    assert [problem.message for problem in validation.problems] == [
        "第 3 行“实施部门”（区水务局）：不是在用的成员单位（请填写单位全称或简称）。",
        "第 4 行“编号”（SCJG-01）：与第 2 行的编号重复。",
    ]
    assert [(row.code, row.department.code) for row in validation.rows] == [("SCJG-01", "SCJG")]
