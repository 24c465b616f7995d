"""Writes of the exchange: collecting the outbox, delivering it, receiving files, the run.

`exchange_run` is what the beat task and the office's button call: it collects every new
version since the last complete collection (with an overlap: the unique digest makes
collecting the same version again a no-op), delivers what is due, then imports the files
waiting in the inbox. One run at a time (a PostgreSQL advisory lock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from disclosure.models import PublishedResult, ResultPublication
from exchange import payloads, transport
from exchange.models import ExchangeItem, ExchangeRun, InboundFile
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.imports import import_file_now
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import AuditEvent, ImportBatch, User

logger = logging.getLogger(__name__)

# Changes stamped shortly before the last collection may have committed after it read.
COLLECT_OVERLAP = dt.timedelta(hours=1)
DELIVER_LIMIT = 1000
MAX_PASSES = 20
INBOX_FOLDERS = {InboundFile.Kind.REGISTRY: "registry", InboundFile.Kind.CATALOG: "catalog"}
IMPORT_SCHEMAS = {InboundFile.Kind.REGISTRY: "registry.targets", InboundFile.Kind.CATALOG: "plans.catalog"}
_RUN_LOCK_KEY = 0x6C7A_6578_6368  # arbitrary: the PostgreSQL advisory lock of the exchange run
SYSTEM = "exchange-scheduler"


# ---- collecting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    kind: str
    key: str
    version: str
    payload: dict[str, Any]


def _plan_versions(since: dt.datetime | None) -> Iterator[Version]:
    from plans.models import PlanRevision

    revisions = PlanRevision.objects.select_related("plan", "plan__department").order_by("plan_id", "number")
    if since is not None:
        revisions = revisions.filter(Q(frozen_at__gte=since) | Q(published_at__gte=since))
    for revision in revisions.iterator(chunk_size=200):
        payload = payloads.plan_payload(revision)
        yield Version(ExchangeItem.Kind.PLAN, payload["plan_key"], payloads.plan_version(payload), payload)


def _draw_versions(since: dt.datetime | None) -> Iterator[Version]:
    from inspections.models import Draw, DrawAdjustment

    draws = Draw.objects.select_related("task", "task__initiator").order_by("committed_at", "pk")
    if since is not None:
        adjusted = DrawAdjustment.objects.filter(draw_id=OuterRef("pk"), at__gte=since)
        draws = draws.filter(
            Q(committed_at__gte=since)
            | Q(executed_at__gte=since)
            | Q(cancelled_at__gte=since)
            | Exists(adjusted)
        )
    for draw in draws.iterator(chunk_size=50):
        payload = payloads.draw_payload(draw)
        yield Version(ExchangeItem.Kind.DRAW, payload["draw_key"], payloads.draw_version(payload), payload)


def _result_versions(since: dt.datetime | None) -> Iterator[Version]:
    from inspections.models import MatterResult

    results = (
        MatterResult.objects.filter(status=MatterResult.Status.APPROVED)
        .select_related(
            "inspection__task", "department", "target", "target__town", "matter", "matter__catalog_item"
        )
        .prefetch_related("codes")
        .order_by("pk")
    )
    if since is not None:
        published = ResultPublication.objects.filter(
            inspection_id=OuterRef("inspection_id"),
            department_id=OuterRef("department_id"),
            published_at__gte=since,
        )
        corrected = PublishedResult.objects.filter(result_id=OuterRef("pk"), corrected_at__gte=since)
        results = results.filter(
            Q(updated_at__gte=since) | Q(approved_at__gte=since) | Exists(published) | Exists(corrected)
        )
    for chunk in _chunks(results.iterator(chunk_size=500), 500):
        pairs = {(result.inspection_id, result.department_id) for result in chunk}
        publications = {
            (row.inspection_id, row.department_id): row
            for row in ResultPublication.objects.filter(
                inspection_id__in={inspection for inspection, _ in pairs}
            )
            if (row.inspection_id, row.department_id) in pairs
        }
        public_rows = {row.result_id: row for row in PublishedResult.objects.filter(result__in=chunk)}
        for result in chunk:
            payload = payloads.result_payload(
                result,
                publication=publications.get((result.inspection_id, result.department_id)),
                public_row=public_rows.get(result.pk),
            )
            yield Version(
                ExchangeItem.Kind.RESULT, payload["result_key"], payloads.result_version(payload), payload
            )


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def exchange_collect(*, since: dt.datetime | None, now: dt.datetime | None = None) -> int:
    """Queue every object version changed since `since` (everything when None) that is not
    queued yet; returns how many were queued. Safe to run again: (kind, key, digest) is unique."""
    now = now or timezone.now()
    queued = 0
    for source in (_plan_versions, _draw_versions, _result_versions):
        for chunk in _chunks(source(since), 500):
            versions = {
                (version.kind, version.key, payloads.digest(version.payload)): version for version in chunk
            }
            existing = set(
                ExchangeItem.objects.filter(
                    kind__in={kind for kind, _, _ in versions}, key__in={key for _, key, _ in versions}
                ).values_list("kind", "key", "digest")
            )
            new = [
                ExchangeItem(
                    kind=kind,
                    key=key,
                    digest=digest,
                    version=version.version,
                    payload=version.payload,
                    next_attempt_at=now,
                )
                for (kind, key, digest), version in versions.items()
                if (kind, key, digest) not in existing
            ]
            # A concurrent collection may have queued the same version meanwhile: the constraint wins.
            ExchangeItem.objects.bulk_create(new, ignore_conflicts=True)
            queued += len(new)
    return queued


# ---- delivering ------------------------------------------------------------------------------------


def envelope(item: ExchangeItem) -> dict[str, Any]:
    return {
        "format": payloads.FORMAT,
        "message_id": str(item.message_id),
        "sequence": item.pk,
        "kind": item.kind,
        "key": item.key,
        "digest": item.digest,
        "created_at": payloads.record_time(item.created_at),
        "sender": {"code": settings.EXCHANGE_SENDER_CODE, "name": settings.EXCHANGE_SENDER_NAME},
        "payload": item.payload,
    }


def retry_delay(attempts: int) -> dt.timedelta:
    """After the n-th failed attempt: base × 2^(n-1), at most six hours."""
    seconds = settings.EXCHANGE_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.EXCHANGE_RETRY_MAX_SECONDS))


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0


def _due_items(now: dt.datetime) -> list[int]:
    # Versions of one object go out in order: an item waits while an older one of the same
    # object is unsent, so the province never gets an older state after a newer one.
    older_unsent = ExchangeItem.objects.filter(
        kind=OuterRef("kind"),
        key=OuterRef("key"),
        pk__lt=OuterRef("pk"),
        status__in=[ExchangeItem.Status.QUEUED, ExchangeItem.Status.FAILED],
    )
    return list(
        ExchangeItem.objects.filter(status=ExchangeItem.Status.QUEUED, next_attempt_at__lte=now)
        .exclude(Exists(older_unsent))
        .order_by("pk")
        .values_list("pk", flat=True)[:DELIVER_LIMIT]
    )


def _due_pass(now: dt.datetime) -> Iterator[int]:
    """Due items, pass after pass: a newer version becomes due once the older one went out.
    Each item handled leaves the due set (sent, or its next attempt moved past `now`)."""
    for _ in range(MAX_PASSES):
        due = _due_items(now)
        if not due:
            return
        yield from due


def exchange_deliver(*, now: dt.datetime | None = None) -> Delivery:
    """Send every due item once. An item is claimed with a lease (its next attempt moved past
    the send's timeout) by a conditional update; a worker killed mid-send leaves it due again
    when the lease ends, and it goes again with the same message id (the receiver dedupes)."""
    now = now or timezone.now()
    delivery = Delivery()
    lease = dt.timedelta(seconds=settings.EXCHANGE_LEASE_SECONDS)
    for pk in _due_pass(now):
        claimed = ExchangeItem.objects.filter(
            pk=pk, status=ExchangeItem.Status.QUEUED, next_attempt_at__lte=now
        ).update(next_attempt_at=now + lease, attempts=F("attempts") + 1)
        if not claimed:
            continue
        item = ExchangeItem.objects.get(pk=pk)
        try:
            transport.send(envelope(item))
        except transport.TransportError as error:
            _failed(item, str(error), now)
            delivery.failed += 1
        else:
            ExchangeItem.objects.filter(pk=pk).update(
                status=ExchangeItem.Status.SENT, sent_at=timezone.now(), last_error=""
            )
            delivery.sent += 1
    return delivery


def _failed(item: ExchangeItem, message: str, now: dt.datetime) -> None:
    given_up = item.attempts >= settings.EXCHANGE_MAX_ATTEMPTS
    ExchangeItem.objects.filter(pk=item.pk).update(
        status=ExchangeItem.Status.FAILED if given_up else ExchangeItem.Status.QUEUED,
        next_attempt_at=now if given_up else now + retry_delay(item.attempts),
        last_error=message[:500],
    )
    logger.warning("exchange item %s (%s %s) not delivered: %s", item.pk, item.kind, item.key, message)


def exchange_item_retry(*, actor: User, item: ExchangeItem) -> ExchangeItem:
    """The office sends a failed item (or one waiting for its next attempt) again now."""
    with transaction.atomic():
        locked = ExchangeItem.objects.select_for_update().get(pk=item.pk)
        if locked.status == ExchangeItem.Status.SENT:
            raise ValidationError("该数据已发送，无需重试。")
        before = {"status": locked.status, "attempts": locked.attempts, "last_error": locked.last_error}
        locked.status = ExchangeItem.Status.QUEUED
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(
            action="exchange.retry",
            actor=actor,
            role=Role.OFFICE,
            object_type="上报数据",
            object_key=str(locked.message_id),
            before=before,
            after={"status": locked.status, "kind": locked.kind, "key": locked.key},
        )
    return locked


# ---- receiving ------------------------------------------------------------------------------------


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _batch_reason(batch: ImportBatch) -> str:
    if batch.error:
        return batch.error
    issues = list(batch.issues.order_by("row_number", "pk")[:5])
    lines = [f"第 {issue.row_number} 行“{issue.column}”列“{issue.value}”：{issue.reason}" for issue in issues]
    total = (batch.report or {}).get("error_count", len(issues))
    more = f"（共 {total} 处问题，以上为前 {len(issues)} 处）" if total > len(issues) else ""
    return "；".join(lines) + more


def exchange_receive(
    *, kind: str, path: Path, filename: str, source: str, actor: User | None
) -> tuple[InboundFile, bool]:
    """Import one file from the province, once: (the file's record, whether it is new).

    The whole file is validated before anything is written (the import framework), and
    applied in one transaction with this record and its audit event; a rejected file
    writes nothing but its record, with the reason in Chinese.
    """
    sha256 = file_digest(path)
    known = InboundFile.objects.filter(sha256=sha256).first()
    if known is not None:
        return known, False
    params: dict[str, Any] = {}
    if kind == InboundFile.Kind.CATALOG:
        params = {"title": Path(filename).stem[:100], "note": "省工作平台下发"}
    with transaction.atomic():
        batch: ImportBatch | None = None
        try:
            batch = import_file_now(schema_key=IMPORT_SCHEMAS[kind], path=path, actor=actor, params=params)
        except ValidationError as error:
            reason = "导入未完成：" + "；".join(error.messages)
            batch = ImportBatch.objects.filter(file_sha256=sha256).order_by("-created_at").first()
        else:
            reason = "" if batch.status == ImportBatch.Status.APPLIED else _batch_reason(batch)
        status = InboundFile.Status.REJECTED if reason else InboundFile.Status.APPLIED
        inbound = InboundFile.objects.create(
            kind=kind,
            source=source,
            filename=filename[:255],
            sha256=sha256,
            size=path.stat().st_size,
            status=status,
            reason=("文件未导入，数据库未作任何改动。" + reason) if reason else "",
            outcome=(batch.outcome or {}) if batch is not None and not reason else {},
            batch=batch,
            uploaded_by=actor,
        )
        audit_record(
            action="exchange.receive",
            actor=actor,
            username="" if actor else SYSTEM,
            role=Role.OFFICE if actor else "",
            object_type="接收文件",
            object_key=sha256,
            after={
                "kind": kind,
                "file": inbound.filename,
                "source": source,
                "status": status,
                "reason": inbound.reason,
                "outcome": inbound.outcome,
            },
            result=AuditEvent.Result.FAILED if reason else AuditEvent.Result.OK,
        )
    return inbound, True


def _processed_path(folder: Path, path: Path, sha256: str) -> Path:
    done = folder / "processed"
    done.mkdir(exist_ok=True)
    target = done / path.name
    return target if not target.exists() else done / f"{sha256[:12]}-{path.name}"


@dataclass
class Receipt:
    received: int = 0
    rejected: int = 0


def exchange_inbox_process() -> Receipt:
    """Import the files waiting in the inbox's `registry/` and `catalog/` folders (oldest
    name first), then move each to its folder's `processed/`. A file already processed
    (same digest) is only moved."""
    receipt = Receipt()
    inbox = Path(settings.EXCHANGE_INBOX_DIR)
    for kind, name in INBOX_FOLDERS.items():
        folder = inbox / name
        folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(
            entry for entry in folder.iterdir() if entry.is_file() and not entry.name.startswith(".")
        ):
            inbound, new = exchange_receive(
                kind=kind, path=path, filename=path.name, source=InboundFile.Source.INBOX, actor=None
            )
            shutil.move(path, _processed_path(folder, path, inbound.sha256))
            if new and inbound.status == InboundFile.Status.APPLIED:
                receipt.received += 1
            elif new:
                receipt.rejected += 1
    return receipt


# ---- the run ---------------------------------------------------------------------------------------


@contextmanager
def _run_lock() -> Iterator[bool]:
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_RUN_LOCK_KEY])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_RUN_LOCK_KEY])


def collect_since() -> dt.datetime | None:
    last = (
        ExchangeRun.objects.filter(collect_complete=True)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return last - COLLECT_OVERLAP if last is not None else None


def exchange_run(*, trigger: str, actor: User | None = None) -> ExchangeRun | None:
    """One exchange: collect, deliver, receive. None when another run is under way."""
    with _run_lock() as mine:
        if not mine:
            logger.info("exchange run skipped: another run is under way")
            return None
        started = timezone.now()
        since = collect_since()
        run = ExchangeRun.objects.create(
            trigger=trigger, started_at=started, collected_since=since, actor=actor
        )
        errors = []
        try:
            run.queued = exchange_collect(since=since, now=started)
            run.collect_complete = True
        except Exception:
            logger.exception("exchange collection failed")
            errors.append("采集待发送数据时发生系统错误，下次运行将从上次完成的采集点重新采集。")
        try:
            delivery = exchange_deliver()
            run.sent, run.failed = delivery.sent, delivery.failed
        except Exception:
            logger.exception("exchange delivery failed")
            errors.append("发送时发生系统错误，未发送的数据仍在待发送队列中。")
        try:
            receipt = exchange_inbox_process()
            run.received, run.rejected = receipt.received, receipt.rejected
        except Exception:
            logger.exception("exchange inbox failed")
            errors.append("处理接收目录时发生系统错误，未处理的文件仍在接收目录中。")
        run.error = "\n".join(errors)
        run.finished_at = timezone.now()
        with transaction.atomic():
            run.save()
            audit_record(
                action="exchange.run",
                actor=actor,
                username="" if actor else SYSTEM,
                role=Role.OFFICE if actor else "",
                object_type="省工作平台数据交换",
                object_key=str(run.pk),
                after={
                    "trigger": trigger,
                    "since": since,
                    "queued": run.queued,
                    "sent": run.sent,
                    "failed": run.failed,
                    "received": run.received,
                    "rejected": run.rejected,
                    "error": run.error,
                },
                result=AuditEvent.Result.FAILED if errors else AuditEvent.Result.OK,
            )
        return run
