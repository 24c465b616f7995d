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

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from luozhuang_dsj.models import AuditEvent, User

GENESIS_HASH = "0" * 64
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


def audit_verify_chain() -> ChainReport:
    """Walk the whole chain; report the first event whose hash or link does not hold."""
    previous = None
    checked = 0
    for event in _events_in_order():
        expected_previous = GENESIS_HASH if previous is None else previous.hash
        if event.previous_hash != expected_previous:
            where = "链首" if previous is None else f"第 {previous.id} 号事件之后"
            return ChainReport(
                checked, event.id, f"第 {event.id} 号事件的前序哈希与{where}不符：其间的事件被删除或改动。"
            )
        if event_hash(event) != event.hash:
            return ChainReport(checked, event.id, f"第 {event.id} 号事件的内容与其哈希不符：该事件被改动。")
        previous = event
        checked += 1
    return ChainReport(checked)
