"""Background jobs: state in the database, live progress in the cache, work on Celery.

A job is created in the caller's transaction and queued only when that transaction
commits, so a worker never sees a job that does not exist yet. The Celery task carries
only the job's id; a handler registered for the job's kind does the work. Handlers must
be idempotent: a job may run again after a worker was killed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from luozhuang_dsj.models import Job, User

logger = logging.getLogger(__name__)

JobHandler = Callable[[Job, "Progress"], Any]
_HANDLERS: dict[str, JobHandler] = {}


class JobError(Exception):
    """A failure whose message (in Chinese) is shown to the user as it is."""


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    def register(handler: JobHandler) -> JobHandler:
        _HANDLERS[kind] = handler
        return handler

    return register


class Progress:
    """Live progress, kept in the cache so that it is visible while a transaction is open."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.key = f"job-progress:{job.pk}"

    def __call__(self, done: int, total: int | None = None, stage: str | None = None) -> None:
        state = cache.get(self.key) or {"done": 0, "total": self.job.total, "stage": self.job.stage}
        state["done"] = done
        if total is not None:
            state["total"] = total
        if stage is not None:
            state["stage"] = stage
        cache.set(self.key, state, timeout=24 * 3600)


def job_live_state(job: Job) -> dict[str, Any]:
    """What the progress bar shows: the cache while running, the database otherwise."""
    state = {"done": job.done, "total": job.total, "stage": job.stage}
    if job.status == Job.Status.RUNNING:
        state.update(cache.get(f"job-progress:{job.pk}") or {})
    total = state["total"] or 0
    if job.status == Job.Status.SUCCEEDED:
        state["percent"] = 100
    else:
        state["percent"] = min(100, int(state["done"] * 100 / total)) if total else 0
    return state


def job_create(
    *,
    kind: str,
    title: str,
    actor: User | None,
    params: dict[str, Any] | None = None,
    total: int = 0,
) -> Job:
    if kind not in _HANDLERS:
        raise ValueError(f"no handler registered for job kind {kind!r}")
    job = Job.objects.create(
        kind=kind,
        title=title,
        params=params or {},
        total=total,
        created_by=actor,
        department=actor.department if actor else None,
    )
    transaction.on_commit(lambda: run_job.delay(str(job.pk)))
    return job


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: str) -> None:
    """Run a job's handler once. A finished job is never run again."""
    claimed = Job.objects.filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
        status=Job.Status.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    handler = _HANDLERS[job.kind]
    progress = Progress(job)
    try:
        handler(job, progress)
    except (JobError, ValidationError) as error:
        message = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
        _finish(job, Job.Status.FAILED, error=message)
        return
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        # Not re-raised: a bug is not cured by a retry, and the job's row already says it failed.
        _finish(job, Job.Status.FAILED, error="处理时发生系统错误，请联系系统管理员。")
        return
    _finish(job, Job.Status.SUCCEEDED)


def _finish(job: Job, status: str, error: str = "") -> None:
    state = cache.get(f"job-progress:{job.pk}") or {}
    # The handler may have saved result fields on its own copy of the row; keep them.
    job.refresh_from_db()
    job.status = status
    job.error = error
    job.total = state.get("total", job.total)
    job.done = state.get("done", job.done)
    if status == Job.Status.SUCCEEDED:
        job.done = max(job.total, job.done)
    job.stage = state.get("stage", job.stage)
    job.finished_at = timezone.now()
    if job.result_file and not job.expires_at:
        job.expires_at = job.finished_at + dt.timedelta(days=7)
    job.save()
    cache.delete(f"job-progress:{job.pk}")
