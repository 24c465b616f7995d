"""A worker killed with SIGKILL in the middle of executing a draw: after the job is re-queued
and another worker runs it, there is exactly one executed draw, with its inspections written
once — the draw is one transaction, and recomputing it gives the same draw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from inspections import services
from inspections.models import Draw, Inspection, InspectionAssignment
from luozhuang_dsj.jobs import _is_being_run, requeue_stuck_jobs
from luozhuang_dsj.models import AuditEvent, Job
from registry.models import SubRegistry
from tests.faults.helpers import Worker, wait_for
from tests.faults.test_worker_killed import real_queue  # noqa: F401 - the fixture
from tests.inspections.helpers import build_world, make_targets, special_task

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

EVERY = {f"ratio_{risk}": Decimal("100") for risk in "abcd"}


def test_a_draw_whose_worker_is_killed_mid_way_is_executed_exactly_once(
    real_queue,  # noqa: F811
    reference_data,
    office_user,
    staff,
    outsider,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(office_user, staff, outsider, targets=10)
    SubRegistry.objects.get(pk=world.registry.pk).targets.add(*make_targets(2000, start=100))
    task = special_task(world, staff, participants=[], **EVERY)  # a key matter: no ratio cap
    draw = services.draw_prepare(actor=staff, task=task, scheduled_for=dt.datetime.now(dt.UTC))
    # The workers pause after writing the inspections, before the draw's transaction commits.
    environ = {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "FAULT_DRAW_PAUSE": "3",
        "FAULT_DRAW_FOLDER": str(tmp_path),
    }
    first = Worker(settings.REDIS_URL, tmp_path / "worker-1.log", "draw1", **environ)
    second = None
    try:
        with transaction.atomic():
            job = services.draw_execute(actor=staff, draw=draw, witness_input="5 5 5", witness_source="其他")
        written = tmp_path / "draw.written"
        wait_for(written.exists, timeout=60, what="the draw to write its inspections")
        first.kill()
        # Killed inside the draw's transaction: nothing of it is left.
        assert Draw.objects.get(pk=draw.pk).status == "prepared"
        assert not Inspection.objects.filter(task=task).exists()
        # Re-queued once PostgreSQL has noticed the dead connection and ended its session,
        # releasing the job's lock (a few milliseconds; as in test_worker_killed).
        wait_for(lambda: not _is_being_run(job.pk), timeout=10, what="the killed worker's session to end")
        assert requeue_stuck_jobs(older_than=dt.timedelta(0)) == [str(job.pk)]
        second = Worker(settings.REDIS_URL, tmp_path / "worker-2.log", "draw2", **environ)
        wait_for(
            lambda: Job.objects.get(pk=job.pk).status == "succeeded", timeout=120, what="the draw to finish"
        )
    finally:
        first.stop()
        if second is not None:
            second.stop()
    draw.refresh_from_db()
    assert draw.status == Draw.Status.EXECUTED
    assert Draw.objects.filter(task=task, status="executed").count() == 1
    assert Inspection.objects.filter(task=task).count() == len(draw.selected) == 2010
    assert InspectionAssignment.objects.filter(inspection__task=task).count() == 2 * 2010
    assert AuditEvent.objects.filter(action="draw.execute").count() == 1
    assert Job.objects.get(pk=job.pk).attempts == 2
