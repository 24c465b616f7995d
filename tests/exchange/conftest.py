"""A known data set for the exchange: SCJG's 2027 plan filed, a joint task of SCJG and JYJ
drawn with one approved result, another task's draw cancelled; folders under tmp_path."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from inspections import services as draw_services
from inspections.models import Draw, Inspection, MatterResult, Task
from inspections.services_results import result_approve
from plans.models import AnnualPlan
from registry.models import Inspector
from tests.inspections.helpers import build_world, drawn_task, enter, prepared, serve_as, special_task
from tests.plans.helpers import department_plan_at


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXCHANGE_OUTBOX_DIR = tmp_path / "outbox"
    settings.EXCHANGE_INBOX_DIR = tmp_path / "inbox"
    settings.EXCHANGE_TRANSPORT = "directory"
    settings.EXCHANGE_RETRY_SECONDS = 60
    settings.EXCHANGE_MAX_ATTEMPTS = 3
    settings.EXCHANGE_LEASE_SECONDS = 300
    return tmp_path


@dataclass
class District:
    world: object
    plan: AnnualPlan
    task: Task
    draw: Draw
    cancelled: Draw
    inspection: Inspection
    result: MatterResult


@pytest.fixture
def district(folders, office_user, staff, head, outsider, inspector_user):
    world = build_world(office_user, staff, outsider)
    # Personal data that must never leave: a legal representative, inspectors' phones.
    world.targets[0].__class__.objects.update(legal_representative="张三丰", address="罗庄街道幸福路1号")
    Inspector.objects.update(phone="13800138000")
    task = drawn_task(world, staff)
    inspection = task.inspections.order_by("position").first()
    serve_as(inspector_user, inspection, world.scjg)
    result = enter(inspector_user, inspection, world.food, "01", inspected_on=datetime.date(2026, 9, 15))
    result_approve(actor=head, results=[result])
    other = special_task(world, staff, title="食品经营者专项抽查")
    cancelled = draw_services.draw_cancel(
        actor=staff, draw=prepared(other, staff, minutes=30), reason="检查范围有误，重新公示"
    )
    plan = department_plan_at(world.scjg, AnnualPlan.Status.FILED)
    return District(
        world=world,
        plan=plan,
        task=task,
        draw=task.draws.get(status=Draw.Status.EXECUTED),
        cancelled=cancelled,
        inspection=inspection,
        result=MatterResult.objects.get(pk=result.pk),
    )


def later(seconds: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)
