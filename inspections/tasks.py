"""Periodic work of the inspections app (settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from inspections.services_credit import credit_recompute


@shared_task(ignore_result=True)
def credit_recompute_nightly() -> int:
    """Recompute every target's credit risk class from the results (docs/CREDIT_RISK.md)."""
    return credit_recompute(actor=None).changed
