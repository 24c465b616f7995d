"""A Celery worker killed with SIGKILL in the middle of a job: after a restart the job
finishes, and its effect is applied exactly once.

Real worker processes against the test database and Redis (REDIS_URL). Slow-ish (about
ten seconds each), so they need PostgreSQL and Redis and are skipped without them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from luozhuang_dsj.celery import app
from luozhuang_dsj.jobs import _is_being_run, job_create, requeue_stuck_jobs, run_job
from luozhuang_dsj.models import Job
from tests.faults.handlers import KIND
from tests.faults.helpers import Worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_queue():
    """Publish to Redis for real (the suite runs tasks in-process otherwise), on an empty queue."""
    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    yield
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def _start_job(tmp_path: Path, steps: int = 20) -> Job:
    with transaction.atomic():
        return job_create(
            kind=KIND,
            title="故障测试",
            actor=None,
            params={"folder": str(tmp_path), "steps": steps, "pause": 0.1},
        )


def _running_halfway(job: Job, tmp_path: Path) -> bool:
    job.refresh_from_db()
    return job.status == "running" and _lines(tmp_path / f"{job.pk}.starts") == 1


def test_a_job_whose_whole_worker_is_killed_is_requeued_and_applied_once(
    real_queue, tmp_path, reference_data
):
    first = Worker(settings.REDIS_URL, tmp_path / "worker-1.log", "faults1")
    second = None
    try:
        job = _start_job(tmp_path)
        wait_for(lambda: _running_halfway(job, tmp_path), timeout=30, what="the job to start")
        first.kill()
        job.refresh_from_db()
        assert (job.status, job.result, _lines(tmp_path / f"{job.pk}.effects")) == ("running", None, 0)
        # The killed worker's message sits unacknowledged until the visibility timeout (hours);
        # beat's re-queue finds the job running with nobody holding its lock, once PostgreSQL
        # has noticed the dead connection and ended its session (a few milliseconds).
        wait_for(lambda: not _is_being_run(job.pk), timeout=10, what="the killed worker's session to end")
        assert requeue_stuck_jobs(older_than=dt.timedelta(0)) == [str(job.pk)]
        second = Worker(settings.REDIS_URL, tmp_path / "worker-2.log", "faults2")
        wait_for(
            lambda: Job.objects.get(pk=job.pk).status == "succeeded", timeout=60, what="the job to finish"
        )
        job.refresh_from_db()
        assert (job.attempts, job.result) == (2, {"effect": "applied"})
        assert _lines(tmp_path / f"{job.pk}.starts") == 2
        assert _lines(tmp_path / f"{job.pk}.effects") == 1
        # When Redis hands the original message out again after the visibility timeout:
        run_job(str(job.pk))
        assert _lines(tmp_path / f"{job.pk}.starts") == 2
    finally:
        first.stop()
        if second:
            second.stop()


def test_a_job_whose_pool_process_is_killed_is_redelivered_at_once_and_applied_once(
    real_queue, tmp_path, reference_data
):
    worker = Worker(settings.REDIS_URL, tmp_path / "worker.log", "faults3")
    try:
        job = _start_job(tmp_path)
        wait_for(lambda: _running_halfway(job, tmp_path), timeout=30, what="the job to start")
        children = worker.children()
        assert len(children) == 1
        import os
        import signal

        os.kill(children[0], signal.SIGKILL)  # acks_late + reject_on_worker_lost: back to the queue
        wait_for(
            lambda: Job.objects.get(pk=job.pk).status == "succeeded", timeout=60, what="the job to finish"
        )
        job.refresh_from_db()
        assert (job.attempts, job.result) == (2, {"effect": "applied"})
        assert _lines(tmp_path / f"{job.pk}.effects") == 1
    finally:
        worker.stop()


def test_a_second_delivery_while_the_job_runs_is_turned_away(real_queue, tmp_path, reference_data):
    worker = Worker(settings.REDIS_URL, tmp_path / "worker.log", "faults4")
    try:
        job = _start_job(tmp_path, steps=20)
        wait_for(lambda: _running_halfway(job, tmp_path), timeout=30, what="the job to start")
        run_job(str(job.pk))  # as if a duplicate message reached another worker: the lock is held
        assert _lines(tmp_path / f"{job.pk}.starts") == 1
        assert requeue_stuck_jobs(older_than=dt.timedelta(0)) == []  # a running job is not re-queued
        wait_for(
            lambda: Job.objects.get(pk=job.pk).status == "succeeded", timeout=60, what="the job to finish"
        )
        job.refresh_from_db()
        assert (job.attempts, _lines(tmp_path / f"{job.pk}.effects")) == (1, 1)
    finally:
        worker.stop()
