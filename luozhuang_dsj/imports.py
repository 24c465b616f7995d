"""Spreadsheet imports, the same flow for every list: upload → validate → preview → confirm → apply.

An app describes one import with an `ImportSchema` (its columns with Chinese headers and
synonyms, a row cleaner, a planner and an apply function) and registers it with
`register_import`. This module does the rest: it keeps the uploaded file on an
`ImportBatch`, checks and reads it (`lib.spreadsheets`), cleans every row in a background
job with a progress bar, records every bad cell as an `ImportIssue` for the preview,
stages the cleaned rows, and after the user confirms applies them in one transaction
with one audit event. Nothing is written before confirmation; a batch with any error
cannot be confirmed. See docs/CONVENTIONS.md, "Imports and exports".
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import orjson
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.jobs import JobError, Progress, job_create, job_handler
from luozhuang_dsj.lib.bulk import paused_gc
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.lib.spreadsheets import HeaderSpec, SpreadsheetError, cell_text, open_sheet, sniff_format
from luozhuang_dsj.models import ImportBatch, ImportIssue, Job, User

logger = logging.getLogger(__name__)

MAX_STORED_ISSUES = 50_000
# The roles that keep lists and so import them; each schema's `may_use` then says which
# list and whose. The three administrators and the inspectors import nothing.
IMPORT_ROLES = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)
# Rows are read and cleaned in blocks of this many; progress is reported after each block.
CLEAN_BLOCK = 2000


@dataclass(frozen=True)
class Column:
    """One column an import understands. `header` is what templates and the preview show."""

    key: str
    header: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


class Row(dict):
    """One data row handed to `ImportSchema.clean`: its cells as text by column key ("" when
    the file has no such column); `error()` reports a bad one."""

    __slots__ = ("errors", "number")

    def __init__(self, number: int, values: dict[str, str] | None = None) -> None:
        super().__init__(values or ())
        self.number = number
        self.errors: list[tuple[str, str, str]] = []

    @classmethod
    def of_cells(cls, number: int, cells: Sequence[Any], positions: Sequence[tuple[str, int]]) -> Row:
        """The row's cells as text by column key (`positions`: key → 0-based index)."""
        row = cls(number)
        width = len(cells)
        for key, index in positions:
            if index < width:
                cell = cells[index]
                row[key] = cell.strip() if type(cell) is str else cell_text(cell)
        return row

    def __missing__(self, key: str) -> str:
        return ""

    def error(self, key: str, reason: str, value: str | None = None) -> None:
        self.errors.append((key, self[key] if value is None else value, reason))


class ImportSchema:
    """What an app defines for one kind of import. Subclass and register an instance.

    - `prepare(batch)` loads what cleaning needs (lookups) and returns a context object;
      it is called again, inside the apply transaction, before `apply`.
    - `clean(context, row)` returns a JSON-serialisable cleaned row, or calls
      `row.error(...)` and returns None. None without an error skips the row (it is not
      counted): a row blank apart from its running number, a section heading. Duplicate
      keys within the file are found by the framework through `row_key`.
    - `clean_block(context, block, positions)` cleans a block of raw rows; by default one
      `clean` per row. A schema with very large files may override it to work column by
      column, provided every row gives exactly what `clean` gives (see TargetImport).
    - `verify(context, rows)` checks the cleaned rows as a set (one query, not one per row);
      it may raise ValidationError for a problem of the file as a whole, which refuses the
      batch with that message.
    - `plan(context, rows)` says what applying would do, for the preview:
      `{"counts": {"新增": n, "更新": n, ...}, "samples": [{"key":…, "action":…, "detail":…}]}`.
    - `apply(context, rows, batch=, actor=, progress=)` writes, inside the framework's
      transaction, and returns a JSON-serialisable outcome (counts). It may raise
      ValidationError if the data changed since validation; everything is rolled back.
    """

    key: ClassVar[str]
    title: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    key_column: ClassVar[str | None] = None
    notes: ClassVar[tuple[str, ...]] = ()
    # Give a cell merged down over several data rows to each of them (see `open_sheet`).
    fill_merged_down: ClassVar[bool] = False

    def may_use(self, user: User, params: dict[str, Any]) -> bool:
        raise NotImplementedError

    def describe(self, params: dict[str, Any]) -> str:
        return self.title

    def prepare(self, batch: ImportBatch) -> Any:
        return None

    def clean(self, context: Any, row: Row) -> Any:
        raise NotImplementedError

    def clean_block(
        self, context: Any, block: list[tuple[int, list[Any]]], positions: Sequence[tuple[str, int]]
    ) -> list[tuple[int, Any, list[tuple[str, str, str]]]]:
        """(row number, cleaned row or None, errors as (column key, value, reason)) for each
        raw row of `block`, in order."""
        cleaned = []
        for number, cells in block:
            row = Row.of_cells(number, cells, positions)
            cleaned.append((number, self.clean(context, row), row.errors))
        return cleaned

    def row_key(self, cleaned: Any) -> str | None:
        return None

    def verify(self, context: Any, rows: list[Any]) -> list[tuple[int, str, str, str]]:
        """Checks on the whole set of cleaned rows (e.g. codes that must exist), as
        (row number, column key, value, reason). Called once, after every row was cleaned."""
        return []

    def plan(self, context: Any, rows: list[Any]) -> dict[str, Any]:
        return {"counts": {"导入": len(rows)}, "samples": []}

    def apply(
        self,
        context: Any,
        rows: list[Any],
        *,
        batch: ImportBatch,
        actor: User | None,
        progress: Progress | None,
    ) -> dict[str, Any]:
        raise NotImplementedError

    # -- derived ----------------------------------------------------------------------------

    def header_spec(self) -> HeaderSpec:
        return HeaderSpec(
            names={column.key: (column.header, *column.synonyms) for column in self.columns},
            required=[column.key for column in self.columns if column.required],
        )

    def header_of(self, key: str) -> str:
        return next((column.header for column in self.columns if column.key == key), key)


_SCHEMAS: dict[str, ImportSchema] = {}


def register_import(schema: ImportSchema) -> ImportSchema:
    _SCHEMAS[schema.key] = schema
    return schema


def get_schema(key: str) -> ImportSchema:
    try:
        return _SCHEMAS[key]
    except KeyError:
        raise LookupError(f"no import schema registered as {key!r}") from None


# ---- services -----------------------------------------------------------------------------


def import_upload(
    *, actor: User | None, schema: ImportSchema, uploaded: File, filename: str, params: dict[str, Any]
) -> ImportBatch:
    """Keep the uploaded file and queue its validation. Nothing else is written."""
    with transaction.atomic():
        batch = _create_batch(actor=actor, schema=schema, upload=uploaded, filename=filename, params=params)
        job = job_create(
            kind="imports.validate",
            title=f"校验{batch.title}：{batch.original_filename}",
            actor=actor,
            params={"batch": str(batch.pk)},
        )
        ImportBatch.objects.filter(pk=batch.pk).update(validate_job=job)
        batch.validate_job = job
    return batch


def _add_issue(
    issues: list[ImportIssue], batch: ImportBatch, number: int, column: str, value: str, reason: str
) -> None:
    if len(issues) < MAX_STORED_ISSUES:
        issues.append(
            ImportIssue(
                batch=batch, row_number=number, column=column[:100], value=value[:300], reason=reason[:300]
            )
        )


@paused_gc()  # a large file becomes hundreds of thousands of lists, none in a cycle
def import_validate(batch: ImportBatch, progress: Progress | None = None) -> ImportBatch:
    """Read and clean the whole file; record every problem; stage the cleaned rows.

    Idempotent: a batch past validation is left alone; a rerun starts the report afresh.
    """
    if batch.status != ImportBatch.Status.VALIDATING:
        return batch
    schema = get_schema(batch.kind)
    batch.issues.all().delete()
    path = Path(batch.file.path)
    try:
        kind = sniff_format(path, batch.original_filename)
        if progress:
            progress(0, stage="读取文件")
        sheet = open_sheet(path, kind, schema.header_spec(), fill_merged_down=schema.fill_merged_down)
        context = schema.prepare(batch)
        cleaned, issues, row_count, error_rows = _clean_rows(schema, context, sheet, batch, progress)
        late = schema.verify(context, cleaned)
    except SpreadsheetError as error:
        return _mark_invalid(batch, str(error))
    except ValidationError as error:
        return _mark_invalid(batch, "；".join(error.messages))
    headers = {column.key: column.header for column in schema.columns}
    for number, key, value, reason in late:
        _add_issue(issues, batch, number, headers.get(key, key), value, reason)
    error_rows += len({number for number, *_ in late})
    if row_count == 0:
        return _mark_invalid(batch, f"工作表“{sheet.name}”只有表头（第 {sheet.header_row} 行），没有数据行。")
    if progress:
        progress(row_count, total=row_count, stage="比对现有数据")
    plan = schema.plan(context, cleaned)
    ImportIssue.objects.bulk_create(issues, batch_size=2000)
    batch.report = {
        "sheet": sheet.name,
        "header_row": sheet.header_row,
        "columns": [schema.header_of(key) for key in sheet.columns],
        "missing_optional": [c.header for c in schema.columns if c.key not in sheet.columns],
        "unknown_columns": sheet.unknown_headers,
        "rows": row_count,
        "error_rows": error_rows,
        "error_count": len(issues),
        "issues_truncated": len(issues) >= MAX_STORED_ISSUES,
        "valid_rows": len(cleaned),
        "plan": plan,
        # PostgreSQL's jsonb does not keep key order: the preview shows counts in this one.
        "count_order": list(plan.get("counts") or {}),
    }
    batch.validated_at = timezone.now()
    if issues:
        batch.status = ImportBatch.Status.INVALID
    else:
        batch.status = ImportBatch.Status.READY
        batch.staged_file.save(f"{batch.pk}.json", ContentFile(orjson.dumps(cleaned)), save=False)
    batch.save()
    return batch


def _clean_rows(
    schema: ImportSchema, context: Any, sheet: Any, batch: ImportBatch, progress: Progress | None
) -> tuple[list[Any], list[ImportIssue], int, int]:
    positions = list(sheet.columns.items())
    headers = {column.key: column.header for column in schema.columns}
    cleaned: list[Any] = []
    issues: list[ImportIssue] = []
    seen: dict[str, int] = {}
    key_column = schema.key_column
    row_key = schema.row_key
    row_count = error_rows = 0
    expected = max(sheet.last_row - sheet.header_row, 0) if sheet.last_row else None
    for block in sheet.blocks(CLEAN_BLOCK):
        for number, result, errors in schema.clean_block(context, block, positions):
            if result is None and not errors:
                continue
            if result is not None and not errors and key_column:
                key = row_key(result)
                if key is not None:
                    first = seen.setdefault(key, number)
                    if first != number:
                        errors = [(key_column, key, f"与第 {first} 行重复：同一文件中不能出现两次。")]
            row_count += 1
            if errors:
                error_rows += 1
                for key, value, reason in errors:
                    _add_issue(issues, batch, number, headers.get(key, key), value, reason)
            else:
                cleaned.append(result)
        if progress:
            progress(row_count, total=expected, stage=f"校验数据（已校验 {row_count} 行）")
    return cleaned, issues, row_count, error_rows


def _mark_invalid(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = ImportBatch.Status.INVALID
    batch.error = message
    batch.validated_at = timezone.now()
    batch.save(update_fields=["status", "error", "validated_at"])
    return batch


def import_confirm(*, actor: User | None, batch: ImportBatch) -> Job | None:
    """Queue the apply step. Only a READY batch can be confirmed, once (a conditional update)."""
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.READY).update(
            status=ImportBatch.Status.CONFIRMED, confirmed_by=actor, confirmed_at=timezone.now()
        )
        if not claimed:
            raise ValidationError("该导入批次不是待确认状态，不能确认导入。")
        job = job_create(
            kind="imports.apply",
            title=f"{batch.title}：{batch.original_filename}",
            actor=actor,
            params={"batch": str(batch.pk)},
        )
        ImportBatch.objects.filter(pk=batch.pk).update(apply_job=job)
    batch.refresh_from_db()
    return job


def import_cancel(*, actor: User | None, batch: ImportBatch) -> None:
    updated = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportBatch.Status.READY, ImportBatch.Status.INVALID]
    ).update(status=ImportBatch.Status.CANCELLED)
    if not updated:
        raise ValidationError("该导入批次已在导入或已结束，不能取消。")
    batch.refresh_from_db()


@paused_gc()
def import_apply(batch: ImportBatch, progress: Progress | None = None) -> ImportBatch:
    """Write a confirmed batch in one transaction with its audit event. Idempotent."""
    schema = get_schema(batch.kind)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if batch.status != ImportBatch.Status.CONFIRMED:
                return batch
            if progress:
                progress(0, stage="写入数据")
            with batch.staged_file.open("rb") as handle:
                rows = orjson.loads(handle.read())
            context = schema.prepare(batch)
            outcome = schema.apply(context, rows, batch=batch, actor=batch.confirmed_by, progress=progress)
            batch.status = ImportBatch.Status.APPLIED
            batch.outcome = outcome
            batch.applied_at = timezone.now()
            batch.save(update_fields=["status", "outcome", "applied_at"])
            audit_record(
                action=f"{schema.key}.import",
                actor=batch.confirmed_by,
                username="" if batch.confirmed_by else "command",
                object_type=schema.title,
                object_key=str(batch.pk),
                after={
                    "file": batch.original_filename,
                    "sha256": batch.file_sha256,
                    "params": batch.params,
                    "rows": len(rows),
                    "outcome": outcome,
                },
            )
    except ValidationError as error:
        message = "导入未完成，数据库未作任何改动：" + "；".join(error.messages)
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, error=message)
        raise
    except Exception:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED,
            error="导入时发生系统错误，数据库未作任何改动。请联系系统管理员。",
        )
        raise
    return batch


def import_file_now(
    *,
    schema_key: str,
    path: Path,
    actor: User | None,
    params: dict[str, Any],
    dry_run: bool = False,
) -> ImportBatch:
    """The management commands' path: the same steps without the browser, synchronously."""
    schema = get_schema(schema_key)
    with open(path, "rb") as handle:
        batch = _create_batch(
            actor=actor, schema=schema, upload=File(handle, name=path.name), filename=path.name, params=params
        )
    batch = import_validate(batch)
    if batch.status != ImportBatch.Status.READY:
        return batch
    if dry_run:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.CANCELLED, error="试运行，未写入。"
        )
        batch.refresh_from_db()
        return batch
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.CONFIRMED, confirmed_by=actor, confirmed_at=timezone.now()
    )
    return import_apply(batch)


def _create_batch(
    *, actor: User | None, schema: ImportSchema, upload: File, filename: str, params: dict[str, Any]
) -> ImportBatch:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    batch = ImportBatch(
        kind=schema.key,
        title=f"导入{schema.describe(params)}",
        params=params,
        original_filename=Path(filename).name[:255],
        file_size=upload.size or 0,
        file_sha256=digest.hexdigest(),
        created_by=actor,
        department=actor.department if actor else None,
    )
    batch.file.save(f"{batch.pk}{Path(filename).suffix.lower()[:10]}", upload, save=False)
    batch.save()
    return batch


def template_workbook(schema: ImportSchema) -> bytes:
    """An empty .xlsx with the schema's headers, offered as the file to fill in."""
    from luozhuang_dsj.lib.spreadsheets import write_xlsx

    with tempfile.TemporaryFile() as handle:
        write_xlsx(handle, [column.header for column in schema.columns], [], sheet_title=schema.title)
        handle.seek(0)
        return handle.read()


# ---- jobs ---------------------------------------------------------------------------------


def _batch_for(job: Job) -> ImportBatch:
    batch = ImportBatch.objects.filter(pk=job.params.get("batch")).first()
    if batch is None:
        raise JobError("导入批次不存在。")
    return batch


@job_handler("imports.validate")
def _validate_job(job: Job, progress: Progress) -> None:
    batch = import_validate(_batch_for(job), progress)
    job.result = {"next_url": reverse("import-detail", args=[batch.pk]), "next_label": "查看校验结果"}
    job.save(update_fields=["result"])
    if batch.status == ImportBatch.Status.INVALID and batch.error:
        raise JobError(batch.error)


@job_handler("imports.apply")
def _apply_job(job: Job, progress: Progress) -> None:
    batch = import_apply(_batch_for(job), progress)
    job.result = {
        "next_url": reverse("import-detail", args=[batch.pk]),
        "next_label": "查看导入结果",
        **(batch.outcome or {}),
    }
    job.save(update_fields=["result"])
    if batch.status != ImportBatch.Status.APPLIED:
        raise JobError(batch.error or "导入未完成。")


def counts_text(counts: dict[str, int], order: Sequence[str] = ()) -> str:
    keys = [key for key in order if key in counts] + [key for key in counts if key not in order]
    return "，".join(f"{key} {counts[key]}" for key in keys)
