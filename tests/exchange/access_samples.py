"""URL samples for the access matrix: the exchange's rows belong to no department; only the
joint-meeting office opens them (exchange/permissions.py)."""

from django.utils import timezone

from exchange.models import ExchangeItem, InboundFile
from tests.access.samples import UrlSample, url_sample


def _item():
    payload = {"schema": "plan/1", "plan_key": "2031-SCJG-department"}
    item, _ = ExchangeItem.objects.get_or_create(
        kind=ExchangeItem.Kind.PLAN,
        key="2031-SCJG-department",
        digest="0" * 64,
        defaults={
            "payload": payload,
            "version": "第1版（已备案）",
            "next_attempt_at": timezone.now(),
            "last_error": "样例错误",
        },
    )
    return item


@url_sample("exchange-item")
def _exchange_item(ctx):
    return UrlSample(own={"pk": _item().pk})


url_sample("exchange-item-retry")(_exchange_item)


@url_sample("exchange-inbound")
def _inbound(ctx):
    inbound, _ = InboundFile.objects.get_or_create(
        sha256="1" * 64,
        defaults={
            "kind": InboundFile.Kind.REGISTRY,
            "source": InboundFile.Source.INBOX,
            "filename": "样例.xlsx",
            "size": 10,
            "status": InboundFile.Status.REJECTED,
            "reason": "样例原因",
        },
    )
    return UrlSample(own={"pk": inbound.pk})
