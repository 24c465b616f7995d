"""Excel exports of plans and matter lists, laid out as the real documents are: a title
row, a subtitle, one header row and one row per task or matter, ready to print.

They are built from the public snapshots (`plans.snapshots`), so a staff export of the
working copy and a public download of a published version have the same layout.
Every text cell is written as text: nothing a user typed can become a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from plans.diffs import EMPTY
from plans.models import MatterListVersion, PlanRevision
from plans.snapshots import chinese_date, matter_ratio_frequency

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def working_copy_line(state: str = "") -> str:
    now = timezone.localtime()
    state = f"{state}，" if state else ""
    return f"工作稿（{state}导出时间：{chinese_date(now.date())} {now:%H:%M}，以公开版本为准）"


def revision_line(revision: PlanRevision) -> str:
    """The subtitle of a filed or approved plan: its number and how it was adopted."""
    snapshot = revision.snapshot
    if snapshot.get("meeting"):
        return f"第{revision.number}版 · 经{snapshot['meeting']}（{snapshot['meeting_date']}）审议通过"
    filed = chinese_date(timezone.localtime(revision.frozen_at).date())
    return f"第{revision.number}版 · {filed}备案"


def version_line(version: MatterListVersion) -> str:
    return f"第{version.number}版 · {chinese_date(timezone.localtime(version.published_at).date())}公开"


def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(str(part) for part in value)
    return str(value)


def _write(ws: Worksheet, row: int, column: int, value: Any) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, int) and not isinstance(value, bool):
        cell.value = value
    else:
        text = _text(value)
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if text.startswith(_FORMULA_STARTS):
            cell.quotePrefix = True
    cell.border = _BORDER
    cell.alignment = _WRAP


def _sheet(
    title: str,
    subtitle: str,
    columns: Sequence[tuple[str, int]],
    rows: Sequence[Sequence[Any]],
    sheet_name: str,
) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet_name[:31]
    width = len(columns)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    _write(ws, 1, 1, title)
    ws.cell(row=1, column=1).font = Font(size=16, bold=True)
    ws.cell(row=1, column=1).alignment = _CENTRE
    ws.row_dimensions[1].height = 32
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    _write(ws, 2, 1, subtitle)
    ws.cell(row=2, column=1).alignment = _CENTRE
    for index, (header, column_width) in enumerate(columns, start=1):
        _write(ws, 3, index, header)
        ws.cell(row=3, column=index).font = Font(bold=True)
        ws.cell(row=3, column=index).alignment = _CENTRE
        ws.column_dimensions[get_column_letter(index)].width = column_width
    for offset, values in enumerate(rows, start=4):
        for index, value in enumerate(values, start=1):
            _write(ws, offset, index, value)
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


PLAN_COLUMNS = [
    ("序号", 6),
    ("任务名称", 22),
    ("抽查事项", 36),
    ("对象范围", 32),
    ("比例及频次", 18),
    ("信用风险分类要求", 18),
    ("起止时间", 18),
    ("发起部门", 14),
    ("配合部门", 18),
    ("抽查形式", 12),
    ("检查方式", 12),
    ("每批户数", 10),
    ("备注", 16),
]


def plan_workbook(snapshot: dict[str, Any], *, status_line: str) -> bytes:
    rows = []
    for number, item in enumerate(snapshot["items"], start=1):
        rows.append(
            [
                number,
                item["title"],
                item["matters"],
                item["scope"],
                item["ratio_frequency"],
                item["risk_requirement"],
                item["window"],
                item["initiator"],
                "、".join(item["participants"]) or EMPTY,
                item["form"],
                "、".join(item["methods"]),
                item["batch_size"],
                item["note"],
            ]
        )
    return _sheet(snapshot["title"], status_line, PLAN_COLUMNS, rows, f"{snapshot['year']}年度抽查计划")


MATTER_COLUMNS = [
    ("序号", 6),
    ("事项编号", 12),
    ("抽查类别", 16),
    ("抽查事项", 26),
    ("检查对象", 20),
    ("事项类别", 8),
    ("检查方式", 14),
    ("检查主体", 16),
    ("检查依据", 34),
    ("抽查比例和频次", 22),
    ("所需业务专长", 14),
    ("事项来源", 8),
    ("备注", 16),
]


def matter_list_workbook(*, title: str, status_line: str, records: Sequence[dict[str, Any]]) -> bytes:
    rows = [
        [
            number,
            record["code"],
            record["check_type"],
            record["name"],
            record["target_scope"],
            record["category"],
            "、".join(record["methods"]),
            record["inspecting_body"],
            record["legal_basis"],
            matter_ratio_frequency(record),
            "、".join(record["expertise"]),
            record["source"],
            record["note"],
        ]
        for number, record in enumerate(records, start=1)
    ]
    return _sheet(title, status_line, MATTER_COLUMNS, rows, "随机抽查事项清单")
