"""The daily open-data snapshot: every dataset in every format, at stable URLs.

Layout under `opendata_root()` (MEDIA_ROOT/opendata unless OPENDATA_ROOT is set):

    .builds/2026-11-26-<token>/results.csv … manifest.json   the files of one build
    2026-11-26 -> .builds/2026-11-26-<token>                  the day's snapshot (a symlink)
    latest     -> .builds/2026-11-26-<token>                  the newest day

A build is written completely (each file fsynced, then the manifest last) in its own
directory, which nothing points to yet; only then is the day's symlink swapped for one to
the new build with `os.replace`, which is atomic. A reader therefore sees the previous
build or the new one, never half a file; a worker killed mid-write leaves an orphan build
that the next run removes. Re-running the same day replaces that day's snapshot. All the
datasets are read in one REPEATABLE READ transaction, so the formats and the manifest's
counts agree row for row. One snapshot runs at a time (an exclusive lock file).
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.spreadsheets import write_csv, write_xlsx
from opendata.datasets import DATASETS, FORMATS, Dataset

BUILDS = ".builds"
LATEST = "latest"
MANIFEST = "manifest.json"
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FILE_NAMES = frozenset({f"{key}.{extension}" for key in DATASETS for extension in FORMATS} | {MANIFEST})


def opendata_root() -> Path:
    return Path(settings.OPENDATA_ROOT or Path(settings.MEDIA_ROOT) / "opendata")


@dataclass(frozen=True)
class Snapshot:
    day: str
    path: Path  # the build directory the day's link points to
    manifest: dict[str, Any]


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        with open(path / MANIFEST, encoding="utf-8") as handle:
            return json.load(handle)
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None


def snapshot_get(name: str) -> Snapshot | None:
    """The snapshot of a day ("2026-11-26") or the latest one; None if there is none."""
    if name != LATEST and not DAY_RE.match(name):
        return None
    link = opendata_root() / name
    try:
        target = link.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        return None
    manifest = _read_manifest(target)
    if manifest is None:
        return None
    return Snapshot(day=manifest["date"], path=target, manifest=manifest)


def snapshot_days() -> list[str]:
    """The days that have a snapshot, newest first."""
    root = opendata_root()
    if not root.is_dir():
        return []
    days = [entry.name for entry in root.iterdir() if DAY_RE.match(entry.name) and entry.is_symlink()]
    return sorted(days, reverse=True)


# ---- writing ------------------------------------------------------------------------------------


class _HashingWriter:
    """A binary file that hashes what goes through it (the JSON is written in one pass)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.sha = hashlib.sha256()

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.sha.update(data)
        self.handle.write(data)


def _file_facts(path: Path) -> dict[str, Any]:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
        os.fsync(handle.fileno())
    return {"bytes": path.stat().st_size, "sha256": sha.hexdigest()}


def _write_json(path: Path, dataset: Dataset, generated_at: str) -> int:
    count = 0
    with open(path, "wb") as handle:
        out = _HashingWriter(handle)
        head = {
            "dataset": dataset.key,
            "title": dataset.title,
            "generated_at": generated_at,
            "fields": [spec.key for spec in dataset.fields],
        }
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [')
        for row in dataset.json_rows():
            out.write(("\n" if count == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
            count += 1
        out.write("\n]}\n")
    return count


def _write_dataset(directory: Path, dataset: Dataset, generated_at: str) -> dict[str, Any]:
    files: dict[str, Any] = {}
    counts = {
        "csv": write_csv(directory / f"{dataset.key}.csv", dataset.headers, dataset.table_rows()),
        "xlsx": write_xlsx(
            directory / f"{dataset.key}.xlsx",
            dataset.headers,
            dataset.table_rows(),
            sheet_title=dataset.title,
        ),
        "json": _write_json(directory / f"{dataset.key}.json", dataset, generated_at),
    }
    for extension, count in counts.items():
        name = f"{dataset.key}.{extension}"
        files[extension] = {"name": name, "rows": count, **_file_facts(directory / name)}
    return {"title": dataset.title, "rows": counts["csv"], "files": files}


@contextmanager
def _consistent_read() -> Iterator[None]:
    """One snapshot of the database for every dataset and format (inside a caller's
    transaction, that transaction's view)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


@contextmanager
def _exclusive(root: Path) -> Iterator[None]:
    with open(root / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _point(root: Path, name: str, build: Path) -> None:
    """Make `root/name` point to `build`, atomically (a new link renamed over the old)."""
    temporary = root / f".{name}.{secrets.token_hex(4)}.link"
    os.symlink(Path(BUILDS) / build.name, temporary)
    os.replace(temporary, root / name)


def _sync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _clean(root: Path, *, keep_days: int, today: datetime.date) -> None:
    """Drop days older than the retention, then every build no link points to (orphans of
    killed runs, builds replaced by a re-run). Runs under the lock: no build is in progress."""
    oldest = today - datetime.timedelta(days=keep_days - 1)
    for entry in root.iterdir():
        if DAY_RE.match(entry.name) and entry.is_symlink() and entry.name < oldest.isoformat():
            entry.unlink()
        elif entry.name.endswith(".link") and entry.is_symlink():
            entry.unlink()  # a link a killed run made but never renamed
    used = {os.readlink(entry) for entry in root.iterdir() if entry.is_symlink()}
    for build in (root / BUILDS).iterdir():
        if str(Path(BUILDS) / build.name) not in used:
            shutil.rmtree(build, ignore_errors=True)


def snapshot_write(*, day: datetime.date | None = None) -> Snapshot:
    """Write today's snapshot (or `day`'s) and point the day and `latest` to it."""
    now = timezone.localtime()
    day = day or now.date()
    root = opendata_root()
    (root / BUILDS).mkdir(parents=True, exist_ok=True)
    with _exclusive(root):
        build = root / BUILDS / f"{day.isoformat()}-{secrets.token_hex(8)}"
        build.mkdir()
        generated_at = now.replace(microsecond=0).isoformat()
        with _consistent_read():
            datasets = {
                key: _write_dataset(build, dataset, generated_at) for key, dataset in DATASETS.items()
            }
        manifest = {"date": day.isoformat(), "generated_at": generated_at, "datasets": datasets}
        with open(build / MANIFEST, "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        _sync_directory(build)
        _point(root, day.isoformat(), build)
        latest = snapshot_get(LATEST)
        if latest is None or latest.day <= day.isoformat():
            _point(root, LATEST, build)
        _sync_directory(root)
        _clean(root, keep_days=settings.OPENDATA_KEEP_DAYS, today=now.date())
        with transaction.atomic():
            audit_record(
                action="opendata.snapshot",
                object_type="开放数据快照",
                object_key=day.isoformat(),
                after={key: facts["rows"] for key, facts in datasets.items()},
            )
    return Snapshot(day=day.isoformat(), path=build, manifest=manifest)
