import codecs
import csv
import io
import zipfile

import openpyxl
import pytest

from luozhuang_dsj.lib import spreadsheets
from luozhuang_dsj.lib.spreadsheets import HeaderSpec, Limits, SpreadsheetError, open_sheet, sniff_format
from tests import sheets

SPEC = HeaderSpec(
    names={"code": ("统一社会信用代码", "社会信用代码"), "name": ("企业名称", "名称"), "town": ("所属镇街",)},
    required=("code", "name"),
)
LIMITS = Limits(
    max_bytes=10 * 1024 * 1024, max_uncompressed_bytes=50 * 1024 * 1024, max_entries=100, max_ratio=200
)


def read(tmp_path, name, data, limits=LIMITS):
    path = tmp_path / name
    path.write_bytes(data)
    kind = sniff_format(path, name, limits)
    sheet = open_sheet(path, kind, SPEC)
    return sheet, [
        (number, [spreadsheets.cell_text(cell) for cell in cells]) for number, cells in sheet.rows()
    ]


def refused(tmp_path, name, data, limits=LIMITS) -> str:
    with pytest.raises(SpreadsheetError) as error:
        read(tmp_path, name, data, limits)
    return str(error.value)


def test_the_header_row_is_found_below_a_merged_title_and_a_note(tmp_path):
    data = sheets.xlsx_bytes(
        [
            ["社会信用代码", "名 称", "备注"],
            ["91371311MA0000001X", "甲公司", ""],
            [None, None, None],
            ["B", "乙", "x"],
        ],
        title="罗庄区检查对象名录（2026年）",
        note="注：带*为必填项",
    )
    sheet, rows = read(tmp_path, "名录.xlsx", data)
    assert (sheet.header_row, sheet.columns, sheet.unknown_headers) == (3, {"code": 0, "name": 1}, ["备注"])
    assert rows == [(4, ["91371311MA0000001X", "甲公司", ""]), (6, ["B", "乙", "x"])]


def test_a_cell_merged_down_over_data_rows_is_read_in_each_row_when_asked(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名录"])
    sheet.merge_cells("B1:D1")  # a title merged across: not filled
    sheet.append(["统一社会信用代码", "企业名称", "所属镇街"])
    for row in (["A1", "甲", "罗庄街道"], ["A2", "乙", None], ["A3", "丙", None], ["A4", "丁", "褚墩镇"]):
        sheet.append(row)
    sheet.merge_cells("C3:C5")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    filled = open_sheet(path, "xlsx", SPEC, fill_merged_down=True)
    assert [cells[2] for _, cells in filled.rows()] == ["罗庄街道", "罗庄街道", "罗庄街道", "褚墩镇"]
    plain = open_sheet(path, "xlsx", SPEC)
    assert [cells[2] for _, cells in plain.rows()] == ["罗庄街道", "", "", "褚墩镇"]


def test_full_width_headers_are_recognised():
    assert spreadsheets.normalise_header("＊统一社会信用代码 ") == "统一社会信用代码"
    assert spreadsheets.normalise_header("法定代表人(负责人)") == "法定代表人（负责人）"
    assert spreadsheets.to_half_width("９１３７ＡＢ\u3000（山东）") == "9137AB （山东）"


def test_an_ods_made_by_libreoffice_is_read(tmp_path):
    data = sheets.ods_bytes(
        [["统一社会信用代码", "企业名称", "", "所属镇街"], ["X1", "甲", "", "罗庄街道"]], title="名录"
    )
    sheet, rows = read(tmp_path, "名录.ods", data)
    assert (sheet.header_row, sheet.columns) == (2, {"code": 0, "name": 1, "town": 3})
    assert rows == [(3, ["X1", "甲", "", "罗庄街道"])]


def test_an_old_xls_saved_by_wps_is_read(tmp_path):
    data = sheets.xls_bytes([["统一社会信用代码", "企业名称"], ["X1", "甲"], [5211, "乙"]], title="名录")
    _, rows = read(tmp_path, "名录.xls", data)
    assert rows == [(3, ["X1", "甲"]), (4, ["5211", "乙"])]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk_is_read(tmp_path, encoding):
    data = sheets.csv_bytes(
        [["统一社会信用代码", "企业名称"], ["X1", "临沂甲乙丙商贸有限公司"]], encoding=encoding
    )
    _, rows = read(tmp_path, "名录.csv", data)
    assert rows == [(2, ["X1", "临沂甲乙丙商贸有限公司"])]


def test_a_tab_separated_csv_is_read(tmp_path):
    data = sheets.csv_bytes([["统一社会信用代码", "企业名称"], ["X1", "甲, 乙"]], delimiter="\t")
    assert read(tmp_path, "a.csv", data)[1] == [(2, ["X1", "甲, 乙"])]


def test_a_sheet_whose_dimension_lies_is_read_to_the_end(tmp_path):
    rows = [["统一社会信用代码", "企业名称"], *[[f"C{i}", f"名称{i}"] for i in range(50)]]
    data = sheets.with_lying_dimension(sheets.xlsx_bytes(rows))
    assert b'<dimension ref="A1:B2"/>' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    _, read_rows = read(tmp_path, "a.xlsx", data)
    assert len(read_rows) == 50
    assert read_rows[-1] == (51, ["C49", "名称49"])


def test_a_file_that_is_not_a_spreadsheet_is_refused(tmp_path):
    assert refused(tmp_path, "名录.xlsx", b"%PDF-1.7 not a workbook") == (
        "文件不是有效的电子表格：内容与扩展名 .xlsx 不符，可能已损坏或并非表格文件。"
    )
    assert (
        refused(tmp_path, "名录.pdf", b"%PDF-1.7")
        == "不支持的文件类型 .pdf。请上传 .xlsx、.xls、.ods 或 .csv 文件。"
    )


def test_a_corrupt_zip_is_refused(tmp_path):
    data = sheets.xlsx_bytes([["统一社会信用代码", "企业名称"]])
    assert (
        refused(tmp_path, "a.xlsx", data[: len(data) // 2])
        == "文件已损坏：不是完整的压缩包，请重新导出后上传。"
    )


def test_an_xlsm_with_macros_is_refused_by_name_and_by_content(tmp_path):
    data = sheets.rewrite_zip(
        sheets.xlsx_bytes([["统一社会信用代码", "企业名称"]]), {}, add={"xl/vbaProject.bin": b"\x00" * 64}
    )
    message = "文件含有宏（.xlsm 等启用宏的格式），为安全起见不予接收。请另存为 .xlsx 后上传。"
    assert refused(tmp_path, "a.xlsm", data) == message
    assert (
        refused(tmp_path, "renamed.xlsx", data)
        == "文件含有宏，为安全起见不予接收。请删除宏或另存为 .xlsx 后上传。"
    )


def test_an_xml_bomb_is_refused_before_parsing(tmp_path):
    data = sheets.rewrite_zip(sheets.xlsx_bytes([["a"]]), {"xl/worksheets/sheet1.xml": sheets.XML_BOMB_SHEET})
    assert refused(tmp_path, "a.xlsx", data) == (
        "文件包含不安全的 XML 定义（DTD 或实体声明），已拒绝。请用 Excel、WPS 重新保存后上传。"
    )


def test_defusedxml_protects_openpyxl_wherever_it_still_reads():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_a_zip_bomb_is_refused_by_its_declared_size_before_loading(tmp_path):
    data = sheets.rewrite_zip(
        sheets.xlsx_bytes([["a"]]), {}, add={"xl/media/zeros.bin": b"\x00" * (3 * 1024 * 1024)}
    )
    small = Limits(
        max_bytes=LIMITS.max_bytes, max_uncompressed_bytes=2 * 1024 * 1024, max_entries=100, max_ratio=10_000
    )
    assert refused(tmp_path, "a.xlsx", data, small).startswith(
        "文件解压后达 3.0 MB（上限 2.0 MB），疑似压缩炸弹"
    )
    assert refused(tmp_path, "a.xlsx", data, LIMITS) == "文件压缩比异常，疑似压缩炸弹，已拒绝。"


def test_a_zip_with_too_many_entries_is_refused(tmp_path):
    data = sheets.rewrite_zip(
        sheets.xlsx_bytes([["a"]]), {}, add={f"xl/x/{i}.xml": b"<a/>" for i in range(120)}
    )
    assert refused(tmp_path, "a.xlsx", data).startswith("文件结构异常：压缩包内有 129 个部件（上限 100）")


def test_missing_required_columns_are_named(tmp_path):
    data = sheets.xlsx_bytes([["企业名称", "所属镇街"], ["甲", "罗庄街道"]])
    assert refused(tmp_path, "a.xlsx", data) == "第 1 行的表头缺少必填列：统一社会信用代码。"


def test_a_sheet_without_any_known_header_is_refused(tmp_path):
    data = sheets.xlsx_bytes([["甲", "乙"], ["1", "2"]])
    assert (
        refused(tmp_path, "a.xlsx", data)
        == "未找到表头行：前 30 行中没有可识别的列名（应包含：统一社会信用代码、企业名称）。"
    )


def test_an_empty_sheet_is_refused(tmp_path):
    assert refused(tmp_path, "a.xlsx", sheets.xlsx_bytes([])) == "工作表是空的：文件中没有任何数据。"
    assert refused(tmp_path, "a.csv", b"\r\n\r\n") == "工作表是空的：文件中没有任何数据。"


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    tiny = Limits(
        max_bytes=2048, max_uncompressed_bytes=LIMITS.max_uncompressed_bytes, max_entries=100, max_ratio=200
    )
    data = sheets.csv_bytes([["统一社会信用代码", "企业名称"], *[["X", "y" * 50]] * 100])
    assert refused(tmp_path, "a.csv", data, tiny) == "文件过大：0.0 MB，上限为 0.0 MB。请拆分后分批导入。"


def test_a_csv_in_an_unknown_encoding_is_refused(tmp_path):
    assert refused(tmp_path, "a.csv", b"\x81\x20\xff\xfe\x00abc") in {
        "无法识别文件编码：请以 UTF-8 或 GBK/GB18030 编码保存 CSV 文件。",
        "文件不是有效的 CSV 文本文件（含有二进制内容）。",
    }


DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def test_xlsx_export_neutralises_formulas(tmp_path):
    path = tmp_path / "out.xlsx"
    spreadsheets.write_xlsx(path, ["内容", "数"], [[value, 5] for value in DANGEROUS] + [["正常", -3]])
    sheet = openpyxl.load_workbook(path).active
    cells = [(row[0].value, row[0].data_type, row[1].value) for row in sheet.iter_rows(min_row=2)]
    # XML turns a stored CR into LF when read back; what matters is the leading quote.
    expected = [("'" + value.replace("\r", "\n"), "s", 5) for value in DANGEROUS]
    assert cells == [*expected, ("正常", "s", -3)]


def test_csv_export_neutralises_formulas_and_carries_a_bom(tmp_path):
    path = tmp_path / "out.csv"
    spreadsheets.write_csv(path, ["内容"], [[value] for value in DANGEROUS])
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows == [["内容"], *[["'" + value] for value in DANGEROUS]]


def test_export_strips_characters_that_xlsx_cannot_hold(tmp_path):
    path = tmp_path / "out.xlsx"
    spreadsheets.write_xlsx(path, ["内容"], [["甲\x01乙"]])
    assert openpyxl.load_workbook(path).active["A2"].value == "甲乙"
