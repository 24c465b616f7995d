"""Backup and restore of the PostgreSQL database (pg_dump custom format).

`backup_create` writes `<name>.dump` and a manifest `<name>.json` with the row count of every
table and the audit chain's head; `backup_restore` loads a dump into an empty database and
checks the counts against the manifest and the audit chain from end to end. The password
goes to pg_dump/pg_restore in the environment (PGPASSWORD), never on a command line.
"""

from __future__ import annotations

import json
import os
import shutil

# Runs pg_dump and pg_restore only, with fixed arguments and no shell.
import subprocess  # nosec B404
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from luozhuang_dsj.audit import audit_verify_chain
from luozhuang_dsj.models import AuditEvent


class BackupError(Exception):
    """A failure whose message (in Chinese) is shown to the operator as it is."""


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    mismatches: dict[str, tuple[int, int]]
    chain_checked: int
    chain_problem: str

    @property
    def is_complete(self) -> bool:
        return not self.mismatches and not self.chain_problem


def _require_postgres() -> dict[str, Any]:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            "备份与恢复只支持 PostgreSQL（DATABASE_URL=postgres://…）；演示用的 SQLite 直接复制文件即可。"
        )
    return database


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}，请安装 PostgreSQL 客户端（apt install postgresql-client）。")
    return path


def _connection_args(database: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(database.get("HOST") or "127.0.0.1"), "--port", str(database.get("PORT") or 5432)]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    environ = dict(os.environ)
    if database.get("PASSWORD"):
        environ["PGPASSWORD"] = str(database["PASSWORD"])
    return args, environ


def table_row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            # Table names come from the database's own catalogue and are quoted.
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608  # nosec B608
            counts[table] = cursor.fetchone()[0]
    return counts


def backup_create(folder: Path) -> tuple[Path, Path]:
    database = _require_postgres()
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"luozhuang-dsj-{timezone.localtime():%Y%m%d-%H%M%S}"
    dump, manifest = folder / f"{stem}.dump", folder / f"{stem}.json"
    args, environ = _connection_args(database)
    # The counts are taken in the same snapshot pg_dump sees only if nothing writes meanwhile:
    # run backups when the system is quiet, or compare with the restore's own counts.
    counts = table_row_counts()
    head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    # A fixed program and arguments, no shell.
    result = subprocess.run(  # noqa: S603  # nosec B603
        [
            _tool("pg_dump"),
            *args,
            "--format",
            "custom",
            "--no-owner",
            "--file",
            str(dump),
            str(database["NAME"]),
        ],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        dump.unlink(missing_ok=True)
        raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
    dump.chmod(0o600)
    manifest.write_text(
        json.dumps(
            {
                "created_at": timezone.now().isoformat(),
                "database": database["NAME"],
                "format": "pg_dump custom",
                "tables": counts,
                "audit_head": {"id": head[0], "hash": head[1]} if head else None,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    manifest.chmod(0o600)
    return dump, manifest


def backup_restore(dump: Path, manifest: Path | None = None) -> RestoreReport:
    """Restore into the configured database, which must be empty (a fresh database)."""
    database = _require_postgres()
    if not dump.is_file():
        raise BackupError(f"备份文件 {dump} 不存在。")
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    if existing:
        raise BackupError(
            f"目标数据库 {database['NAME']} 不是空库（已有 {len(existing)} 张表）。请恢复到新建的空数据库，避免覆盖现有数据。"
        )
    connection.close()
    args, environ = _connection_args(database)
    # A fixed program and arguments, no shell.
    result = subprocess.run(  # noqa: S603  # nosec B603
        [
            _tool("pg_restore"),
            *args,
            "--dbname",
            str(database["NAME"]),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            str(dump),
        ],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败：{result.stderr.strip()}")
    counts = table_row_counts()
    mismatches: dict[str, tuple[int, int]] = {}
    if manifest is not None and manifest.is_file():
        expected = json.loads(manifest.read_text(encoding="utf-8"))["tables"]
        for table in sorted(set(expected) | set(counts)):
            if expected.get(table, -1) != counts.get(table, -1):
                mismatches[table] = (expected.get(table, -1), counts.get(table, -1))
    chain = audit_verify_chain()
    return RestoreReport(len(counts), sum(counts.values()), mismatches, chain.checked, chain.problem)
