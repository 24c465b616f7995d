"""The auditor's export of the audit trail (CSV or XLSX), run as a background job.

The file carries every column including both hashes, so the chain can be re-verified
outside the system. Text that a spreadsheet would take for a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.forms import AuditFilterForm
from luozhuang_dsj.jobs import Progress, job_create, job_handler
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import Job, User
from luozhuang_dsj.selectors import audit_events_filtered

KIND = "audit.export"
FORMATS = {"csv": "CSV", "xlsx": "Excel（XLSX）"}
HEADERS = [
    "编号",
    "时间",
    "用户名",
    "角色",
    "单位代码",
    "操作",
    "对象类型",
    "对象标识",
    "结果",
    "客户端地址",
    "修改前",
    "修改后",
    "前一条哈希",
    "哈希",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A leading quote keeps =, +, - and @ text from being evaluated by Excel or WPS."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def text_cells(sheet: Any, row: Sequence[Any]) -> list[WriteOnlyCell]:
    """A row for a write-only sheet: neutralised, and text always stored as text."""
    cells = []
    for value in row:
        cell = WriteOnlyCell(sheet, value=neutralise(value))
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
        cells.append(cell)
    return cells


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _rows(events: Any) -> Iterator[list[Any]]:
    local = timezone.get_current_timezone()
    for event in events.iterator(chunk_size=2000):
        yield [
            event.pk,
            event.at.astimezone(local).strftime("%Y-%m-%d %H:%M:%S"),
            event.username,
            event.role,
            event.department_code,
            event.action,
            event.object_type,
            event.object_key,
            event.get_result_display(),
            event.client_ip or "",
            _json(event.before),
            _json(event.after),
            event.previous_hash,
            event.hash,
        ]


def audit_export_start(*, actor: User, filters: dict[str, Any], file_format: str) -> Job:
    """Queue the export and record it in the trail (the export itself is audited)."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    params = {"format": file_format, "filters": {k: "" if v is None else str(v) for k, v in filters.items()}}
    with transaction.atomic():
        job = job_create(
            kind=KIND, title=f"导出审计日志（{FORMATS[file_format]}）", actor=actor, params=params
        )
        audit_record(
            action="audit.export",
            actor=actor,
            role=Role.AUDITOR,
            object_type="审计日志",
            object_key=str(job.pk),
            after=params,
        )
    return job


@job_handler(KIND)
def _export(job: Job, progress: Progress) -> None:
    form = AuditFilterForm(job.params.get("filters") or {})
    events = audit_events_filtered(form.cleaned_data if form.is_valid() else None).order_by("id")
    total = events.count()
    progress(0, total=total, stage="导出审计日志")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryFile() as handle:
        if job.params["format"] == "csv":
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow(HEADERS)
            for done, row in enumerate(_rows(events), start=1):
                writer.writerow([neutralise(value) for value in row])
                if done % 2000 == 0:
                    progress(done)
            text.flush()
            text.detach()
        else:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("审计日志")
            sheet.append(HEADERS)
            for done, row in enumerate(_rows(events), start=1):
                sheet.append(text_cells(sheet, row))
                if done % 2000 == 0:
                    progress(done)
            workbook.save(handle)
        handle.seek(0)
        extension = job.params["format"]
        job.result_file.save(f"audit-{stamp}.{extension}", File(handle), save=False)
    job.result_filename = f"审计日志-{stamp}.{extension}"
    job.result = {"rows": total}
    job.save(update_fields=["result_file", "result_filename", "result"])
    progress(total, total=total, stage="完成")
