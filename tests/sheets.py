"""Spreadsheet files for tests, made the way Excel, WPS and LibreOffice make them."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import openpyxl

from registry.credit_code import with_check_character

TARGET_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "市场主体类型",
    "法定代表人（负责人）",
    "住所",
    "所属镇街",
    "行业代码",
    "登记状态",
    "信用风险分类",
]


def code(number: int, kind: str = "1") -> str:
    """A valid credit code of the district."""
    return with_check_character(f"9{kind}371311MA{number:07d}")


def target_row(number: int, **overrides: Any) -> list[Any]:
    row = {
        "code": code(number),
        "name": f"临沂测试商贸有限公司{number}",
        "kind": "有限责任公司（自然人投资或控股）",
        "legal": "张三",
        "address": f"山东省临沂市罗庄区罗庄街道沂河路{number}号",
        "town": "罗庄街道",
        "industry": "5211",
        "status": "存续",
        "risk": "B",
    } | overrides
    return list(row.values())


def xlsx_bytes(rows: Sequence[Sequence[Any]], *, title: str | None = None, note: str | None = None) -> bytes:
    """An .xlsx like a real export: an optional merged title row and a note row above the header."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "检查对象"
    width = max((len(row) for row in rows), default=1)
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 2))
    if note:
        sheet.append([note])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_zip(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def with_lying_dimension(data: bytes) -> bytes:
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:B2"/>', sheet)
    return rewrite_zip(data, {"xl/worksheets/sheet1.xml": sheet})


def ods_bytes(rows: Sequence[Sequence[Any]], *, title: str | None = None) -> bytes:
    """An .ods as LibreOffice writes it: a spanned title cell, repeated empty cells."""

    def cell(value: Any) -> str:
        if value is None or value == "":
            return '<table:table-cell table:number-columns-repeated="1"/>'
        if isinstance(value, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = []
    if title:
        body.append(
            '<table:table-row><table:table-cell table:number-columns-spanned="5" office:value-type="string">'
            f"<text:p>{escape(title)}</text:p></table:table-cell>"
            '<table:covered-table-cell table:number-columns-repeated="4"/></table:table-row>'
        )
    for row in rows:
        body.append("<table:table-row>" + "".join(cell(value) for value in row) + "</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        '<office:body><office:spreadsheet><table:table table:name="工作表1">'
        + "".join(body)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def xls_bytes(rows: Sequence[Sequence[Any]], *, title: str | None = None) -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Sheet1")
    offset = 0
    if title:
        sheet.write_merge(0, 0, 0, 4, title)
        offset = 1
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r + offset, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = "\r\n".join(delimiter.join(str(value) for value in row) for row in rows) + "\r\n"
    return text.encode(encoding)


XML_BOMB_SHEET = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
)
