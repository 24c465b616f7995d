"""Background jobs: state in the database, live progress in the cache, work on Celery.

A job is created in the caller's transaction and queued only when that transaction
commits, so a worker never sees a job that does not exist yet. The Celery task carries
only the job's id; a handler registered for the job's kind does the work. Handlers must
be idempotent: a job may run again after a worker was killed.

What survives what (tests/faults/):
- a worker killed mid-job: the task is acks_late + reject_on_worker_lost, so its message
  goes back to the queue (or Redis restores it after the visibility timeout) and the job
  runs again from the start; a finished job is never run again;
- a message lost with Redis: the job is still QUEUED in PostgreSQL, and the beat task
  `requeue_stuck_jobs` publishes it again;
- two deliveries of one job at once: a PostgreSQL session lock per job lets one run; it is
  released when the worker's connection ends, so a dead worker never holds it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
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
        # Progress is for the browser only: a cache outage (Redis restarting) must not fail the job.
        try:
            state = cache.get(self.key) or {"done": 0, "total": self.job.total, "stage": self.job.stage}
            state["done"] = done
            if total is not None:
                state["total"] = total
            if stage is not None:
                state["stage"] = stage
            cache.set(self.key, state, timeout=24 * 3600)
        except Exception:  # the cache backend's connection errors have no common base class
            logger.warning("job %s: progress not recorded, the cache is unavailable", self.job.pk)


def _cached_state(job_id: Any) -> dict[str, Any]:
    try:
        return cache.get(f"job-progress:{job_id}") or {}
    except Exception:  # see Progress
        logger.warning("job %s: progress not read, the cache is unavailable", job_id)
        return {}


def job_live_state(job: Job) -> dict[str, Any]:
    """What the progress bar shows: the cache while running, the database otherwise."""
    state = {"done": job.done, "total": job.total, "stage": job.stage}
    if job.status == Job.Status.RUNNING:
        state.update(_cached_state(job.pk))
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
    transaction.on_commit(lambda: _publish(job.pk))
    return job


def _publish(job_id: Any) -> None:
    Job.objects.filter(pk=job_id).update(queued_at=timezone.now())
    run_job.delay(str(job_id))


def _lock_key(job_id: Any) -> int:
    return int.from_bytes(uuid.UUID(str(job_id)).bytes[:8], "big", signed=True)


@contextmanager
def _run_lock(job_id: Any) -> Iterator[bool]:
    """Held while this process runs the job. A session-level advisory lock: PostgreSQL
    drops it when the connection ends, so a killed worker never keeps it."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = _lock_key(job_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _is_being_run(job_id: Any) -> bool:
    if connection.vendor != "postgresql":
        return False
    unsigned = _lock_key(job_id) & 0xFFFF_FFFF_FFFF_FFFF
    with connection.cursor() as cursor:
        # A one-key advisory lock shows in pg_locks as its high and low halves, objsubid 1.
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 1)",
            [unsigned >> 32, unsigned & 0xFFFF_FFFF],
        )
        return bool(cursor.fetchone()[0])


def requeue_stuck_jobs(*, older_than: dt.timedelta | None = None) -> list[str]:
    """Publish again every unfinished job that nobody is running and nothing was queued
    for lately: its message was lost (Redis restarted empty) or its worker died."""
    if older_than is None:
        older_than = dt.timedelta(seconds=settings.JOB_REQUEUE_AFTER_SECONDS)
    cutoff = timezone.now() - older_than
    candidates = Job.objects.annotate(last_queued=Coalesce("queued_at", "created_at")).filter(
        Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING), last_queued__lte=cutoff
    )
    requeued = []
    for job_id, status in candidates.values_list("pk", "status"):
        if status == Job.Status.RUNNING and (connection.vendor != "postgresql" or _is_being_run(job_id)):
            continue
        _publish(job_id)
        requeued.append(str(job_id))
    if requeued:
        logger.warning("re-queued %d stuck jobs: %s", len(requeued), ", ".join(requeued))
    return requeued


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: str) -> None:
    """Run a job's handler once. A finished job is never run again."""
    with _run_lock(job_id) as mine:
        if not mine:
            logger.info("job %s is already being run by another worker", job_id)
            return
        _run_claimed(job_id)


def _run_claimed(job_id: str) -> None:
    claimed = Job.objects.filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
        status=Job.Status.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    if job.attempts > settings.JOB_MAX_ATTEMPTS:
        # A job that kills its worker every time (say, out of memory) must not loop forever.
        _finish(job, Job.Status.FAILED, error="任务多次执行均被中断，已停止重试，请联系系统管理员。")
        return
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
    state = _cached_state(job.pk)
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
        job.expires_at = job.finished_at + dt.timedelta(days=settings.JOB_DOWNLOAD_DAYS)
    job.save()
    try:
        cache.delete(f"job-progress:{job.pk}")
    except Exception:  # see Progress; the key expires by itself
        logger.warning("job %s: progress not cleared, the cache is unavailable", job.pk)


def purge_expired_downloads(*, now: dt.datetime | None = None) -> int:
    """Delete the files of jobs whose download has expired (the row stays, so its page
    still says the link expired). Returns how many files were deleted."""
    now = now or timezone.now()
    purged = 0
    for job in Job.objects.filter(expires_at__lt=now).exclude(result_file=""):
        job.result_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(result_file="")
        purged += 1
    if purged:
        logger.info("deleted %d expired job files", purged)
    return purged
