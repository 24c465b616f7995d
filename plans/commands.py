"""What the import commands share: running a file through the import framework and
printing its problems the way the office reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from luozhuang_dsj.imports import get_schema, import_file_now
from luozhuang_dsj.models import ImportBatch, ImportIssue, User


def issue_message(issue: ImportIssue) -> str:
    column = f"“{issue.column}”" if issue.column else ""
    value = f"（{issue.value}）" if issue.value else ""
    return f"第 {issue.row_number} 行{column}{value}：{issue.reason}"


def run_import(
    *, schema_key: str, path: Path, username: str | None, params: dict[str, Any], dry_run: bool, stderr: Any
) -> ImportBatch:
    """Validate the file and, unless `dry_run`, apply it. A bad file prints every problem to
    `stderr` and raises CommandError; nothing is written then (but the refused batch, which
    keeps the file and its report for the import history)."""
    if not path.is_file():
        raise CommandError(f"找不到文件：{path}")
    schema = get_schema(schema_key)
    actor = None
    if username:
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有用户 {username}。")
        if not schema.may_use(actor, params):
            raise CommandError(f"用户 {username} 无权导入{schema.title}。")
    try:
        batch = import_file_now(schema_key=schema_key, path=path, actor=actor, params=params, dry_run=dry_run)
    except ValidationError as error:
        raise CommandError("导入未完成，数据库未作任何改动：" + "；".join(error.messages)) from error
    if batch.status == ImportBatch.Status.INVALID:
        issues = list(batch.issues.all())
        if not issues:
            raise CommandError(batch.error or "文件被拒绝，未导入任何内容。")
        for issue in issues:
            stderr.write(issue_message(issue))
        raise CommandError(f"共 {len(issues)} 处错误，未导入任何内容。")
    return batch
