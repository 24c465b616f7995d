from decimal import Decimal

from plans.importing import CatalogRow, RowError, catalog_row_clean, exemption_row_clean, parse_ratio_text

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


def test_the_ratio_text_gives_cap_minimum_and_frequency():
    assert parse_ratio_text("不高于5%") == parse_ratio_text("不高于５％")
    hint = parse_ratio_text("不高于5%，每年1次")
    assert (hint.cap, hint.minimum, hint.frequency) == (Decimal("5"), None, "每年1次")
    hint = parse_ratio_text("不低于3%，每年1次")
    assert (hint.cap, hint.minimum, hint.frequency) == (None, Decimal("3"), "每年1次")
    hint = parse_ratio_text("不设上限，每年至少1次")
    assert (hint.cap, hint.minimum, hint.frequency) == (None, None, "每年至少1次")


def test_exemption_rows_need_a_known_department_and_a_plain_code(db):
    row = {
        "序号": "ｓｃｊｇ－01",
        "执法部门": "罗庄区市场监督管理局",
        "违法行为": "甲",
        "依据": "乙",
        "适用条件": "丙",
    }
    cleaned = exemption_row_clean(row)
    assert (cleaned.code, cleaned.department.code, cleaned.conditions) == ("SCJG-01", "SCJG", "丙")
    assert exemption_row_clean({**row, "序号": "MF 01", "执法部门": "区水务局"}) == [
        RowError("编号", "MF 01", "只能包含字母、数字和连字符，不超过 20 个字符。"),
        RowError("实施部门", "区水务局", "不是在用的成员单位（请填写单位全称或简称）。"),
    ]
