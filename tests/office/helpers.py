"""A hand-built year (2025) for the assessment: two departments, five tasks, five
inspections, results, publications and follow-ups with known dates, assessed as of
1 March 2026. The expected figures are worked out in tests/office/test_assessment.py.

Rows are written directly (not through the services) so that every date is the one the
case needs; the services' own rules are tested in their apps.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from disclosure.models import ResultPublication
from inspections.models import FollowUp, Inspection, MatterResult, Task, TaskDepartment, Visit
from luozhuang_dsj.models import User
from plans.models import AnnualPlan, Matter, PlanItem, PlanStep
from registry.models import Department, Target
from tests.inspections.helpers import build_world

YEAR = 2025
AS_OF = datetime.date(2026, 3, 1)


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, 0, tzinfo=timezone.get_current_timezone())


@dataclass
class Case:
    scjg: Department
    jyj: Department
    food: Matter
    schools: Matter
    tasks: dict[str, Task]
    inspections: dict[str, Inspection]
    results: dict[str, MatterResult]
    publications: dict[str, ResultPublication]
    follow_ups: dict[str, FollowUp]


def _plan(
    department: Department, author: User, submitted: datetime.datetime, by: User, filer: User
) -> AnnualPlan:
    plan = AnnualPlan.objects.create(
        scope=AnnualPlan.Scope.DEPARTMENT,
        year=YEAR,
        department=department,
        title=f"{department.short_name}{YEAR}年度抽查工作计划",
        status=AnnualPlan.Status.FILED,
        submitted_at=submitted,
        first_filed_at=submitted + datetime.timedelta(days=1),
        filed_submission_at=submitted,
        created_by=author,
    )
    step = PlanStep.objects.create(plan=plan, action=PlanStep.Action.SUBMIT, revision=1, user=by)
    PlanStep.objects.filter(pk=step.pk).update(at=submitted)
    step = PlanStep.objects.create(plan=plan, action=PlanStep.Action.FILE, revision=1, user=filer)
    PlanStep.objects.filter(pk=step.pk).update(at=submitted + datetime.timedelta(days=1))
    return plan


def _task(code: str, kind: str, status: str, end: datetime.date, slots, author: User) -> Task:  # type: ignore[no-untyped-def]
    task = Task.objects.create(
        code=code,
        title=f"任务{code}",
        year=YEAR,
        kind=kind,
        status=status,
        initiator=slots[0][0],
        sampling=PlanItem.Sampling.COUNT,
        target_count=2,
        start_date=datetime.date(YEAR, 1, 1),
        end_date=end,
        created_by=author,
    )
    for order, (department, matter) in enumerate(slots):
        slot = TaskDepartment.objects.create(task=task, department=department, order=order, inspector_count=2)
        slot.matters.set([matter])
    return task


def _inspection(task: Task, target: Target, position: int, visit: Visit | None = None) -> Inspection:
    visit = visit or Visit.objects.create(target=target)
    return Inspection.objects.create(
        task=task,
        target=target,
        visit=visit,
        position=position,
        risk_class="B",
        status=Inspection.Status.DONE,
    )


def _result(
    inspection: Inspection, matter: Matter, by: User, submitted: datetime.datetime | None
) -> MatterResult:
    return MatterResult.objects.create(
        inspection=inspection,
        matter=matter,
        department=matter.department,
        target=inspection.target,
        status=MatterResult.Status.DRAFT if submitted is None else MatterResult.Status.SUBMITTED,
        inspected_on=None if submitted is None else timezone.localtime(submitted).date(),
        submitted_by=None if submitted is None else by,
        submitted_at=submitted,
        entered_by=by,
        updated_by=by,
    )


def _publication(
    inspection: Inspection,
    department: Department,
    due: datetime.date,
    published: datetime.datetime | None,
    by: User | None,
) -> ResultPublication:
    return ResultPublication.objects.create(
        inspection=inspection,
        department=department,
        status=ResultPublication.Status.PENDING if published is None else ResultPublication.Status.PUBLISHED,
        closed_on=due - datetime.timedelta(days=28),
        due_on=due,
        published_at=published,
        published_by=by,
    )


def _follow_up(result: MatterResult, status: str, deadline, by: User, closed=None, closer=None, **extra):  # type: ignore[no-untyped-def]
    return FollowUp.objects.create(
        result=result,
        target=result.target,
        kind=FollowUp.Kind.CORRECTION,
        status=status,
        origin_department=result.department,
        department=result.department,
        measure="责令限期改正",
        deadline=deadline,
        closed_at=closed,
        closed_by=closer,
        outcome="已改正" if closed else "",
        created_by=by,
        **extra,
    )


def build_case(office_user: User, staff: User, head: User, inspector_user: User, outsider: User) -> Case:
    world = build_world(office_user, staff, outsider, targets=6)
    scjg, jyj, food, schools = world.scjg, world.jyj, world.food, world.schools
    t = world.targets
    # Plans: SCJG submitted by the deadline (31 January), JYJ after it.
    _plan(scjg, staff, at(YEAR, 1, 20), head, office_user)
    _plan(jyj, outsider, at(YEAR, 2, 5), outsider, office_user)
    tasks = {
        # joint, closed
        "T1": _task(
            "T1",
            Task.Kind.RANDOM,
            Task.Status.CLOSED,
            datetime.date(YEAR, 6, 30),
            [(scjg, food), (jyj, schools)],
            staff,
        ),
        # past its end, not closed
        "T2": _task(
            "T2", Task.Kind.SPECIAL, Task.Status.ASSIGNED, datetime.date(YEAR, 9, 30), [(scjg, food)], staff
        ),
        # not due yet on 1 March 2026
        "T3": _task(
            "T3", Task.Kind.RANDOM, Task.Status.DRAFT, datetime.date(YEAR + 1, 6, 30), [(scjg, food)], staff
        ),
        # a case check: counted for results, not for tasks or the joint share
        "T4": _task(
            "T4", Task.Kind.CASE, Task.Status.CLOSED, datetime.date(YEAR, 5, 31), [(jyj, schools)], outsider
        ),
        # JYJ's own task whose visit was merged with T2's inspection I4
        "T5": _task(
            "T5",
            Task.Kind.RANDOM,
            Task.Status.CLOSED,
            datetime.date(YEAR, 10, 31),
            [(jyj, schools)],
            outsider,
        ),
    }
    inspections = {
        "I1": _inspection(tasks["T1"], t[0], 1),
        "I2": _inspection(tasks["T1"], t[1], 2),
        "I3": _inspection(tasks["T2"], t[2], 1),
        "I4": _inspection(tasks["T2"], t[3], 2),
        "I6": _inspection(tasks["T4"], t[4], 1),
    }
    inspections["I5"] = _inspection(tasks["T5"], t[3], 1, visit=inspections["I4"].visit)
    inspections["I4"].closed_by = staff
    inspections["I4"].closed_at = at(YEAR, 10, 8)
    inspections["I4"].save(update_fields=["closed_by", "closed_at"])
    results = {
        "I1-food": _result(inspections["I1"], food, inspector_user, at(YEAR, 6, 20)),
        "I2-food": _result(inspections["I2"], food, inspector_user, at(YEAR, 7, 5)),
        "I1-schools": _result(inspections["I1"], schools, outsider, at(YEAR, 6, 29)),
        "I3-food": _result(inspections["I3"], food, staff, at(YEAR, 9, 30, 23)),
        "I4-food": _result(inspections["I4"], food, staff, None),
        "I5-schools": _result(inspections["I5"], schools, outsider, at(YEAR, 10, 1)),
        "I6-schools": _result(inspections["I6"], schools, outsider, at(YEAR, 6, 2)),
    }
    approved = results["I1-food"]
    approved.status, approved.approved_by, approved.approved_at = (
        MatterResult.Status.APPROVED,
        head,
        at(YEAR, 7, 1),
    )
    approved.save(update_fields=["status", "approved_by", "approved_at"])
    publications = {
        "P1": _publication(inspections["I1"], scjg, datetime.date(YEAR, 8, 1), at(YEAR, 7, 30), staff),
        "P2": _publication(inspections["I3"], scjg, datetime.date(YEAR, 11, 10), at(YEAR, 11, 12), staff),
        "P3": _publication(inspections["I4"], scjg, datetime.date(YEAR + 1, 4, 1), None, None),
        "P4": _publication(inspections["I1"], jyj, datetime.date(YEAR, 8, 1), None, None),
    }
    follow_ups = {
        "F1": _follow_up(
            results["I1-food"],
            FollowUp.Status.DONE,
            datetime.date(YEAR, 8, 31),
            staff,
            at(YEAR, 8, 20),
            staff,
        ),
        "F2": _follow_up(results["I2-food"], FollowUp.Status.OPEN, datetime.date(YEAR, 9, 15), staff),
        "F3": _follow_up(results["I3-food"], FollowUp.Status.OPEN, None, staff),
        "F4": _follow_up(
            results["I3-food"],
            FollowUp.Status.RETURNED,
            datetime.date(YEAR, 9, 1),
            staff,
            return_reason="不属本部门",
        ),
    }
    FollowUp.objects.update(created_at=at(YEAR, 8, 1))
    return Case(scjg, jyj, food, schools, tasks, inspections, results, publications, follow_ups)
