"""The audit trail (审计日志): append-only, hash-chained events.

Services call `audit_record(...)` inside the transaction that makes the change, so an
event exists exactly when its change does. Each event's hash covers its content and the
previous event's hash; `audit_verify_chain()` walks the chain and reports the first
break. Writers are serialised (a PostgreSQL advisory lock, a process lock on SQLite) so
that two transactions never chain onto the same predecessor.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from luozhuang_dsj.models import AuditEvent, User

GENESIS_HASH = "0" * 64
PURGE_ACTION = "audit.purge"
# The floor also written into the database trigger (migration 0005); settings may only raise it.
MINIMUM_RETENTION_DAYS = 184
# An arbitrary constant: the key of the PostgreSQL advisory lock guarding the chain head.
_CHAIN_LOCK_KEY = 0x6C7A_6473_6A61
_sqlite_lock = threading.Lock()


@dataclass(frozen=True)
class RequestContext:
    client_ip: str | None = None


_request_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "audit_request_context",
    default=RequestContext(),  # noqa: B039 - immutable dataclass
)


def set_request_context(context: RequestContext) -> contextvars.Token:
    return _request_context.set(context)


def reset_request_context(token: contextvars.Token) -> None:
    _request_context.reset(token)


def _jsonable(value: Any) -> Any:
    """A JSON-native copy: what is stored must be exactly what was hashed."""
    if value is None:
        return None

    def default(obj: Any) -> Any:
        if isinstance(obj, dt.datetime | dt.date | dt.time):
            return obj.isoformat()
        if isinstance(obj, Decimal):
            return str(obj)
        if isinstance(obj, Model):
            return str(obj.pk)
        if isinstance(obj, set | frozenset):
            return sorted(obj)
        return str(obj)

    return json.loads(json.dumps(value, default=default, ensure_ascii=False))


def _canonical_at(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: AuditEvent) -> str:
    content = {
        "at": _canonical_at(event.at),
        "user_id": event.user_id,
        "username": event.username,
        "role": event.role,
        "department_code": event.department_code,
        "action": event.action,
        "object_type": event.object_type,
        "object_key": event.object_key,
        "before": event.before,
        "after": event.after,
        "result": event.result,
        "client_ip": event.client_ip,
        "previous_hash": event.previous_hash,
    }
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_chain_head() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    username: str = "",
    role: str = "",
    object_type: str = "",
    object_key: str = "",
    before: Any = None,
    after: Any = None,
    result: str = AuditEvent.Result.OK,
    client_ip: str | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records."""
    if actor is not None:
        username = username or actor.get_username()
        role = role or ",".join(sorted(actor.roles))
        department_code = actor.department.code
    else:
        department_code = ""
    event = AuditEvent(
        user=actor,
        username=username,
        role=role,
        department_code=department_code,
        action=action,
        object_type=object_type,
        object_key=str(object_key)[:200],
        before=_jsonable(before),
        after=_jsonable(after),
        result=result,
    )
    # Stored exactly as the database will return it, so that the hash can be recomputed.
    event.client_ip = AuditEvent._meta.get_field("client_ip").get_prep_value(
        client_ip or _request_context.get().client_ip
    )
    with transaction.atomic(), _sqlite_lock:
        _lock_chain_head()
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.previous_hash = last or GENESIS_HASH
        event.at = timezone.now()
        event.hash = event_hash(event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str = ""
    purged_through: int = 0  # events up to this id were purged after their retention

    @property
    def is_intact(self) -> bool:
        return self.broken_at is None


def _events_in_order(batch_size: int = 2000) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def _chain_anchor() -> tuple[int, str]:
    """Where the chain starts: the genesis, or the last event removed by the latest purge.

    The purge checkpoint is itself an event of the chain, so forging one means rewriting
    every hash after it, which verification catches like any other edit.
    """
    checkpoint = AuditEvent.objects.filter(action=PURGE_ACTION).order_by("-id").first()
    if checkpoint is None or not checkpoint.after:
        return 0, GENESIS_HASH
    return int(checkpoint.after["purged_through_id"]), str(checkpoint.after["purged_through_hash"])


def audit_verify_chain() -> ChainReport:
    """Walk the whole chain; report the first event whose hash or link does not hold."""
    anchor_id, anchor_hash = _chain_anchor()
    previous = None
    checked = 0
    for event in _events_in_order():
        expected_previous = anchor_hash if previous is None else previous.hash
        if event.previous_hash != expected_previous or (previous is None and event.id <= anchor_id):
            if previous is not None:
                where = f"第 {previous.id} 号事件之后"
            elif anchor_id:
                where = f"清理检查点记录的第 {anchor_id} 号事件之后"
            else:
                where = "链首"
            return ChainReport(
                checked,
                event.id,
                f"第 {event.id} 号事件的前序哈希与{where}不符：其间的事件被删除或改动。",
                anchor_id,
            )
        if event_hash(event) != event.hash:
            return ChainReport(
                checked, event.id, f"第 {event.id} 号事件的内容与其哈希不符：该事件被改动。", anchor_id
            )
        previous = event
        checked += 1
    return ChainReport(checked, purged_through=anchor_id)


@dataclass(frozen=True)
class PurgeReport:
    deleted: int
    cutoff: dt.datetime
    checkpoint_id: int | None = None


def audit_purge() -> PurgeReport:
    """Delete the events older than the retention (at least 184 days), oldest first.

    Only a prefix of the chain goes (ids grow with time under the chain lock), and a
    checkpoint event records the hash of the last one deleted, so the remaining chain
    verifies from there. On PostgreSQL the trigger re-checks each row's age.
    """
    retention = max(settings.AUDIT_RETENTION_DAYS, MINIMUM_RETENTION_DAYS)
    cutoff = timezone.now() - dt.timedelta(days=retention)
    with transaction.atomic():
        _lock_chain_head()
        last = AuditEvent.objects.filter(at__lt=cutoff).order_by("-id").first()
        if last is None:
            return PurgeReport(0, cutoff)
        if AuditEvent.objects.filter(id__lte=last.id, at__gte=cutoff).exists():
            raise RuntimeError("audit events are out of time order; refusing to purge")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL luozhuang.audit_purge = 'on'")
        deleted, _ = AuditEvent.objects.filter(id__lte=last.id).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL luozhuang.audit_purge = 'off'")
        checkpoint = audit_record(
            action=PURGE_ACTION,
            username="system",
            object_type="审计日志",
            object_key=f"至第 {last.id} 号",
            after={
                "purged_through_id": last.id,
                "purged_through_hash": last.hash,
                "purged_through_at": last.at,
                "deleted": deleted,
                "retention_days": retention,
            },
        )
    return PurgeReport(deleted, cutoff, checkpoint.id)
