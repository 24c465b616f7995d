"""Exports of any list to .xlsx (openpyxl write-only, streamed) or .csv, as a background job.

An app registers an `Exporter`: its Chinese headers and a function that returns the rows
(an iterator of tuples, fetched in chunks) for a user and the list's filter parameters.
`export_start` queues the job; the job page shows a progress bar and then the download
link. Every text cell that a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files import File
from django.utils import timezone

from luozhuang_dsj.jobs import JobError, Progress, job_create, job_handler
from luozhuang_dsj.lib.spreadsheets import write_csv, write_xlsx
from luozhuang_dsj.models import Job, User

FORMATS = {"xlsx": "Excel 工作簿（.xlsx）", "csv": "CSV 文本（.csv）"}
RowsFunction = Callable[[User | None, dict[str, Any]], tuple[int | None, Iterable[Sequence[Any]]]]


@dataclass(frozen=True)
class Exporter:
    key: str
    title: str
    headers: Sequence[str]
    rows: RowsFunction
    may_use: Callable[[User, dict[str, Any]], bool]


_EXPORTERS: dict[str, Exporter] = {}


def register_export(exporter: Exporter) -> Exporter:
    _EXPORTERS[exporter.key] = exporter
    return exporter


def get_exporter(key: str) -> Exporter:
    try:
        return _EXPORTERS[key]
    except KeyError:
        raise LookupError(f"no exporter registered as {key!r}") from None


def export_filename(exporter: Exporter, fmt: str) -> str:
    return f"{exporter.title}_{timezone.localdate():%Y%m%d}.{fmt}"


def export_start(*, actor: User, key: str, fmt: str, params: dict[str, Any]) -> Job:
    """Queue an export. Call inside the request (the job is queued on commit)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    exporter = get_exporter(key)
    return job_create(
        kind="exports.run",
        title=f"导出{exporter.title}（{fmt}）",
        actor=actor,
        params={"exporter": key, "format": fmt, "filters": params},
    )


def export_to_file(
    *,
    key: str,
    fmt: str,
    target: str | Path,
    actor: User | None,
    params: dict[str, Any],
    progress: Callable[[int], None] | None = None,
) -> int:
    exporter = get_exporter(key)
    _, rows = exporter.rows(actor, params)
    return write_rows(exporter, fmt, target, rows, progress)


def write_rows(
    exporter: Exporter,
    fmt: str,
    target: str | Path,
    rows: Iterable[Sequence[Any]],
    progress: Callable[[int], None] | None = None,
) -> int:
    if fmt == "xlsx":
        return write_xlsx(target, exporter.headers, rows, sheet_title=exporter.title, progress=progress)
    return write_csv(target, exporter.headers, rows, progress=progress)


@job_handler("exports.run")
def _export_job(job: Job, progress: Progress) -> None:
    key, fmt, params = job.params["exporter"], job.params["format"], job.params.get("filters") or {}
    exporter = get_exporter(key)
    actor = job.created_by
    if actor is None or not exporter.may_use(actor, params):
        raise JobError("您无权导出该列表。")
    total, rows = exporter.rows(actor, params)
    progress(0, total=total or 0, stage="生成文件")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"export.{fmt}"
        count = write_rows(exporter, fmt, path, rows, lambda done: progress(done))
        progress(count, total=max(count, total or 0), stage="保存文件")
        with open(path, "rb") as handle:
            job.result_file.save(f"{job.pk}.{fmt}", File(handle), save=False)
    job.result_filename = export_filename(exporter, fmt)
    job.result = {"rows": count}
    job.save(update_fields=["result_file", "result_filename", "result"])
