"""URL samples for the access matrix: tasks and draws belong to their initiating department.

A department sees its own tasks (and those it takes part in); another department's task
is not found. The office sees every task, so its `other` is None. Draws are public on the
public side from the moment they are committed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from inspections import services
from inspections.models import Draw, Task, TaskDepartment
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from plans.models import Matter, MatterCategory, Method, PlanItem
from registry.models import Department, SubRegistry
from tests.access.samples import UrlSample, url_sample
from tests.conftest import make_user
from tests.inspections.helpers import make_inspector, make_targets

TITLE = "访问矩阵样例任务"


def _staff_of(ctx, department: Department) -> User:
    found = next(
        (
            user
            for user in ctx.cast.values()
            if user.department_id == department.pk and user.has_role(Role.DEPT_STAFF)
        ),
        None,
    )
    return (
        found
        or User.objects.filter(username=f"am_{department.code.lower()}").first()
        or make_user(f"am_{department.code.lower()}", department.code, Role.DEPT_STAFF)
    )


def _task(ctx, department: Department) -> Task:
    """A small task of `department` with an executed draw (built once per test)."""
    task = Task.objects.filter(initiator=department, title=TITLE).first()
    if task is not None:
        return task
    offset = 1000 + department.pk * 10
    matter = Matter.objects.create(
        department=department,
        code=f"{department.code}-AM",
        source=Matter.Source.LOCAL,
        check_type="样例",
        name=f"{department.short_name}样例事项",
        target_scope="样例对象",
        category=MatterCategory.KEY,
        default_ratio=Decimal("50"),
        methods=[Method.ON_SITE],
        inspecting_body=department.short_name,
        legal_basis="样例依据",
    )
    sub = SubRegistry.objects.create(department=department, name=f"{TITLE}分库")
    sub.targets.add(*make_targets(4, start=offset))
    for number in (1, 2):
        make_inspector(f"{department.code}-AM{number}", department)
    today = timezone.localdate()
    task = Task.objects.create(
        code=f"AM-{department.code}",
        title=TITLE,
        year=today.year,
        initiator=department,
        form=PlanItem.Form.COMPREHENSIVE,
        methods=[Method.ON_SITE],
        sampling=PlanItem.Sampling.RATIO,
        ratio=Decimal("50"),
        start_date=today,
        end_date=today + datetime.timedelta(days=30),
        created_by=_staff_of(ctx, department),
    )
    task.sub_registries.add(sub)
    TaskDepartment.objects.create(task=task, department=department, order=0, inspector_count=2).matters.add(
        matter
    )
    staff = _staff_of(ctx, department)
    draw = services.draw_prepare(actor=staff, task=task, scheduled_for=timezone.now())
    services.draw_execute_run(
        draw_id=draw.pk, actor=staff, witness_input="1 2 3", witness_source="其他", executed_at=timezone.now()
    )
    return Task.objects.get(pk=task.pk)


def _draw(ctx, department: Department) -> Draw:
    return _task(ctx, department).draws.get()


def _prepared_draw(ctx, department: Department) -> Draw:
    """A second, committed but not executed draw (a task of its own)."""
    base = _task(ctx, department)
    task = Task.objects.filter(initiator=department, title=f"{TITLE}（待抽取）").first()
    if task is None:
        task = Task.objects.get(pk=base.pk)
        task.pk, task.code, task.title, task.status = (
            None,
            f"AM-{department.code}-2",
            f"{TITLE}（待抽取）",
            "draft",
        )
        task.save()
        task.sub_registries.set(base.sub_registries.all())
        row = base.departments.get()
        TaskDepartment.objects.create(
            task=task, department=department, order=0, inspector_count=2
        ).matters.set(row.matters.all())
        services.draw_prepare(actor=_staff_of(ctx, department), task=task, scheduled_for=timezone.now())
    return task.draws.get()


def _sees_everything(ctx) -> bool:
    return bool(ctx.user and ctx.user.has_role(Role.OFFICE, Role.AUDITOR))


def _task_sample(ctx) -> UrlSample:
    return UrlSample(
        own={"pk": _task(ctx, ctx.own).pk},
        other=None if _sees_everything(ctx) else {"pk": _task(ctx, ctx.other).pk},
    )


def _draw_sample(ctx, *, prepared: bool = False) -> UrlSample:
    make = _prepared_draw if prepared else _draw
    return UrlSample(
        own={"pk": make(ctx, ctx.own).pk},
        other=None if _sees_everything(ctx) else {"pk": make(ctx, ctx.other).pk},
    )


for _name in ("task-detail", "task-preview", "task-rules", "task-join-visits"):
    url_sample(_name)(_task_sample)

for _name in ("draw-detail", "draw-adjust", "draw-full-record", "draw-pool"):
    url_sample(_name)(_draw_sample)

for _name in ("draw-execute", "draw-cancel"):
    url_sample(_name)(lambda ctx: _draw_sample(ctx, prepared=True))


@url_sample("draw-prepare")
def _prepare(ctx):
    return _task_sample(ctx)


def _any_draw(ctx) -> UrlSample:
    """Auditors read every department's draws; the public reads every committed draw."""
    return UrlSample(own={"pk": _draw(ctx, Department.objects.get(code="SCJG")).pk})


for _name in (
    "audit-draw-detail",
    "audit-draw-full-record",
    "audit-draw-pool",
    "public-draw",
    "public-draw-record",
    "public-draw-frame",
):
    url_sample(_name)(_any_draw)
