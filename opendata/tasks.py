"""Periodic work of the opendata app (settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from opendata.snapshots import snapshot_write


@shared_task(ignore_result=True, acks_late=True)
def opendata_snapshot_daily() -> str:
    """Write the day's open-data snapshot. Idempotent: a re-run replaces the day's files,
    and a run killed midway leaves the previous snapshot in place."""
    return snapshot_write().day
