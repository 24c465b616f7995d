"""The office's exports (assessment, a metric's rows, duty record, annual summary) as
.xlsx (one sheet per table) and .csv (the first table), always as background jobs.

A report turns a user and the page's filters into sheets; the job checks access again
with the user who asked, writes the file (every text cell neutralised, written as text),
and the job page offers the download until it expires.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files import File
from django.http import Http404
from django.utils import timezone
from openpyxl import Workbook

from luozhuang_dsj.audit_export import neutralise, text_cells
from luozhuang_dsj.jobs import JobError, Progress, job_handler
from luozhuang_dsj.lib.spreadsheets import write_csv
from luozhuang_dsj.models import Job, User
from office import assessment as assess_mod
from office.duty import DUTY_HEADERS, duty_record
from office.models import METRIC_LABELS, METRICS
from office.permissions import (
    assessment_department_for_user,
    may_read_assessment,
    may_read_duty,
    may_read_summary,
)
from office.reports import annual_summary

KIND = "office.export"
FORMATS = {"xlsx": "Excel", "csv": "CSV"}


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True)
class Report:
    key: str
    title: Callable[[dict[str, Any]], str]
    sheets: Callable[[User, dict[str, Any]], list[Sheet]]
    may_use: Callable[[User], bool] = may_read_assessment


def _as_of(params: dict[str, Any]) -> datetime.date:
    return datetime.date.fromisoformat(params["as_of"])


def _score_rows(results: list[assess_mod.DepartmentAssessment]) -> list[list[Any]]:
    rows = []
    for result in results:
        row: list[Any] = [result.department.name]
        for value in result.ordered():
            rate = value.rate
            row += [value.numerator, value.denominator, "不适用" if rate is None else float(rate)]
        row.append("无考核数据" if result.total is None else float(result.total))
        rows.append(row)
    return rows


def score_headers() -> list[str]:
    headers = ["部门"]
    for _, label, _ in METRICS:
        headers += [f"{label}·达标数", f"{label}·应计数", f"{label}·得分"]
    return [*headers, "综合得分"]


def _assessment_sheets(user: User, params: dict[str, Any]) -> list[Sheet]:
    year, as_of = int(params["year"]), _as_of(params)
    department = assessment_department_for_user(user, params.get("department") or None)
    sheets = [
        Sheet(
            "考核得分",
            score_headers(),
            _score_rows(assess_mod.assess(year, as_of=as_of, department=department)),
        )
    ]
    for key, metric in assess_mod.METRIC_DEFINITIONS.items():
        rows = assess_mod.metric_rows(year, key, as_of=as_of, department=department)
        sheets.append(
            Sheet(metric.label, metric.export_headers, [assess_mod.export_cells(row) for row in rows])
        )
    return sheets


def _metric_sheets(user: User, params: dict[str, Any]) -> list[Sheet]:
    key = params["metric"]
    if key not in assess_mod.METRIC_DEFINITIONS:
        raise Http404("没有该考核指标。")
    department = assessment_department_for_user(user, params["department"])
    metric = assess_mod.METRIC_DEFINITIONS[key]
    rows = assess_mod.metric_rows(
        int(params["year"]), key, as_of=_as_of(params), department=department, state=params.get("state", "")
    )
    return [Sheet(metric.label, metric.export_headers, [assess_mod.export_cells(row) for row in rows])]


def _duty_sheets(user: User, params: dict[str, Any]) -> list[Sheet]:
    rows = duty_record(
        user,
        year=int(params["year"]),
        department_id=params.get("department_id"),
        person_id=params.get("person_id"),
        timeliness=params.get("timeliness", ""),
    )
    return [Sheet("履职记录", DUTY_HEADERS, [row.cells() for row in rows])]


def _summary_sheets(user: User, params: dict[str, Any]) -> list[Sheet]:
    summary = annual_summary(int(params["year"]), as_of=_as_of(params))
    figures = [
        [section.title, figure.label, figure.value]
        for section in summary.sections
        for figure in section.figures
    ]
    return [
        Sheet("年度工作总结", ["项目", "指标", "数值"], figures),
        Sheet("部门考核得分", score_headers(), _score_rows(summary.scores)),
    ]


REPORTS: dict[str, Report] = {
    report.key: report
    for report in [
        Report("assessment", lambda p: f"{p['year']}年度考核评估", _assessment_sheets),
        Report(
            "metric",
            lambda p: f"{p['year']}年度考核评估-{METRIC_LABELS.get(p['metric'], '')}-{p['department']}",
            _metric_sheets,
        ),
        Report("duty", lambda p: f"{p['year']}年度履职记录", _duty_sheets, may_read_duty),
        Report("summary", lambda p: f"{p['year']}年度工作总结报表", _summary_sheets, may_read_summary),
    ]
}


def write_report(sheets: list[Sheet], fmt: str, target: Path, progress: Callable[[int], None]) -> int:
    """Write the sheets; returns the number of data rows written."""
    count = 0

    def counted(rows: Iterable[Sequence[Any]]) -> Iterable[list[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            if count % 2000 == 0:
                progress(count)
            yield [neutralise(value) for value in row]

    if fmt == "csv":
        first = sheets[0]
        write_csv(target, first.headers, counted(first.rows))
        return count
    workbook = Workbook(write_only=True)
    for sheet_data in sheets:
        sheet = workbook.create_sheet(title=sheet_data.title[:31])
        sheet.append(list(sheet_data.headers))
        for row in counted(sheet_data.rows):
            sheet.append(text_cells(sheet, row))
    workbook.save(target)
    return count


@job_handler(KIND)
def _export_job(job: Job, progress: Progress) -> None:
    report = REPORTS[job.params["report"]]
    fmt, params = job.params["format"], job.params["params"]
    actor = job.created_by
    if actor is None or not report.may_use(actor):
        raise JobError("您无权导出该报表。")
    try:
        sheets = report.sheets(actor, params)
    except Http404 as error:
        raise JobError("您无权导出该报表。") from error
    written = sheets[:1] if fmt == "csv" else sheets
    progress(0, total=sum(len(sheet.rows) for sheet in written), stage="生成文件")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"export.{fmt}"
        count = write_report(sheets, fmt, path, lambda done: progress(done))
        progress(count, total=count, stage="保存文件")
        with open(path, "rb") as handle:
            job.result_file.save(f"{job.pk}.{fmt}", File(handle), save=False)
    job.result_filename = f"{report.title(params)}_{timezone.localdate():%Y%m%d}.{fmt}"
    job.result = {"rows": count}
    job.save(update_fields=["result_file", "result_filename", "result"])
