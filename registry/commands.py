"""What the registry's management commands share: running an import and printing its report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from luozhuang_dsj.imports import import_file_now
from luozhuang_dsj.models import ImportBatch, User


def user_or_none(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有用户 {username}。")
    return user


def run_import(
    schema_key: str, path: Path, actor: User | None, params: dict[str, Any], dry_run: bool
) -> ImportBatch:
    if not path.is_file():
        raise CommandError(f"找不到文件 {path}。")
    return import_file_now(schema_key=schema_key, path=path, actor=actor, params=params, dry_run=dry_run)


def print_batch(out: Any, batch: ImportBatch) -> bool:
    """Print the outcome or every problem; True when the file was good."""
    report = batch.report or {}
    if batch.error and batch.status != ImportBatch.Status.CANCELLED:
        out.write(f"文件被拒绝：{batch.error}")
        return False
    issues = list(batch.issues.all())
    if issues:
        out.write(f"发现 {report.get('error_rows', 0)} 行有问题（共 {report.get('error_count', 0)} 处）：")
        for issue in issues:
            out.write(f"  第 {issue.row_number} 行 [{issue.column}] “{issue.value}”：{issue.reason}")
        return False
    counts = (batch.outcome or {}).get("counts") or (report.get("plan") or {}).get("counts") or {}
    summary = "，".join(f"{key} {value}" for key, value in counts.items())
    if batch.status == ImportBatch.Status.APPLIED:
        out.write(f"已导入 {report.get('rows', 0)} 行：{summary}。")
    else:
        out.write(f"校验通过（试运行，未写入）：{report.get('rows', 0)} 行，将会{summary}。")
    return True
