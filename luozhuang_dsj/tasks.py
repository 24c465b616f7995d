"""Periodic maintenance run by Celery beat (settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from luozhuang_dsj import audit, jobs


@shared_task(ignore_result=True)
def requeue_stuck_jobs() -> int:
    return len(jobs.requeue_stuck_jobs())


@shared_task(ignore_result=True)
def purge_audit_events() -> int:
    return audit.audit_purge().deleted


@shared_task(ignore_result=True)
def purge_expired_downloads() -> int:
    return jobs.purge_expired_downloads()
