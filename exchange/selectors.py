"""Reads for the exchange page: the outbox by state, the runs, the received files."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from exchange.models import ExchangeItem, ExchangeRun, InboundFile


def outbox_counts() -> dict[str, int]:
    counts = dict(ExchangeItem.objects.order_by().values_list("status").annotate(n=Count("pk")))
    waiting = ExchangeItem.objects.filter(status=ExchangeItem.Status.QUEUED).exclude(last_error="").count()
    return {
        "queued": counts.get(ExchangeItem.Status.QUEUED, 0),
        "retrying": waiting,
        "sent": counts.get(ExchangeItem.Status.SENT, 0),
        "failed": counts.get(ExchangeItem.Status.FAILED, 0),
    }


def outbox_items(*, status: str = "", kind: str = "") -> QuerySet[ExchangeItem]:
    items = ExchangeItem.objects.defer("payload").order_by("-pk")
    if status:
        items = items.filter(status=status)
    if kind:
        items = items.filter(kind=kind)
    return items


def recent_runs(limit: int = 20) -> QuerySet[ExchangeRun]:
    return ExchangeRun.objects.select_related("actor").order_by("-started_at", "-pk")[:limit]


def recent_inbound(limit: int = 30) -> QuerySet[InboundFile]:
    return InboundFile.objects.select_related("uploaded_by").order_by("-processed_at", "-pk")[:limit]
