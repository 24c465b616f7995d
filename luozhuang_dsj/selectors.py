"""Reads of the platform's own records (the audit trail)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from luozhuang_dsj.models import AuditEvent


def audit_events_filtered(data: dict[str, Any] | None) -> QuerySet[AuditEvent]:
    """The auditor's filter (AuditFilterForm.cleaned_data); None or empty means everything."""
    events = AuditEvent.objects.all()
    if not data:
        return events
    tz = timezone.get_current_timezone()
    if data.get("since"):
        events = events.filter(at__gte=dt.datetime.combine(data["since"], dt.time.min, tzinfo=tz))
    if data.get("until"):
        events = events.filter(
            at__lt=dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    if data.get("username"):
        events = events.filter(username=data["username"])
    if data.get("department"):
        events = events.filter(department_code=data["department"])
    if data.get("action"):
        events = events.filter(action__startswith=data["action"])
    if data.get("result"):
        events = events.filter(result=data["result"])
    return events
