"""Redis restarted mid-queue, without persistence (the worst case: the queue is lost):
no job is lost. Job state lives in PostgreSQL; beat's re-queue publishes every job still
queued; the job that was running when Redis went away finishes on its own.

A throwaway redis-server on another port, so the shared one is never restarted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from luozhuang_dsj.models import Job
from tests.faults.handlers import KIND
from tests.faults.helpers import ROOT, ThrowawayRedis, Worker, child_env, free_port, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CREATE_JOBS = """
import json
from django.db import transaction
import tests.faults.handlers
from luozhuang_dsj.jobs import job_create
params = json.loads({params!r})
with transaction.atomic():
    jobs = [job_create(kind="{kind}", title=f"故障测试 {{n}}", actor=None, params=params) for n in range(3)]
print(json.dumps([str(job.pk) for job in jobs]))
"""


def _manage(redis_url: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env(REDIS_URL=redis_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_jobs_queued_when_redis_restarts_empty_are_requeued_and_each_applied_once(tmp_path, reference_data):
    import json

    redis = ThrowawayRedis(free_port(), tmp_path)
    redis.start()
    worker = None
    try:
        worker = Worker(redis.url, tmp_path / "worker.log", "faults5")
        params = json.dumps({"folder": str(tmp_path), "steps": 25, "pause": 0.1})
        job_ids = json.loads(_manage(redis.url, "shell", "-c", CREATE_JOBS.format(kind=KIND, params=params)))
        # One job runs (concurrency 1); the other two wait in Redis.
        wait_for(
            lambda: Job.objects.filter(pk__in=job_ids, status="running").count() == 1,
            timeout=30,
            what="a job to start",
        )
        assert redis.queue_length() == 2
        redis.kill()
        redis.start()
        assert redis.queue_length() == 0  # the queue is gone
        # The running job finishes: its state and effect are in PostgreSQL, its progress
        # bar merely misses the cache while Redis is down.
        wait_for(
            lambda: Job.objects.filter(pk__in=job_ids, status="succeeded").count() == 1,
            timeout=60,
            what="the running job",
        )
        assert Job.objects.filter(pk__in=job_ids, status="queued").count() == 2
        assert _manage(redis.url, "requeue_stuck_jobs", "--older-than", "0") == "已重新投递 2 个后台任务。"
        wait_for(
            lambda: Job.objects.filter(pk__in=job_ids, status="succeeded").count() == 3,
            timeout=90,
            what="all jobs",
        )
        assert [_lines(tmp_path / f"{pk}.effects") for pk in job_ids] == [1, 1, 1]
        assert sorted(Job.objects.filter(pk__in=job_ids).values_list("attempts", flat=True)) == [1, 1, 1]
    finally:
        if worker:
            worker.stop()
        redis.kill()
