"""Published results without running draws: a task, an inspection closed today and a
department's approved results, written directly, then published by the head."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from disclosure.models import PublishedResult, ResultPublication, search_fold
from disclosure.selectors import SearchQuery
from disclosure.services import publication_publish, publications_open
from inspections.models import Inspection, MatterResult, ResultCode, Task, TaskDepartment, Visit
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from plans.models import Matter, MatterCategory, Method, PlanItem
from registry.credit_code import with_check_character
from registry.models import Department, Target
from tests.conftest import make_user


def code_for(number: int) -> str:
    return with_check_character(f"92371311MA{number:07d}")


def matter_of(department: Department) -> Matter:
    matter, _ = Matter.objects.get_or_create(
        code=f"{department.code}-GK",
        defaults={
            "department": department,
            "source": Matter.Source.LOCAL,
            "check_type": "公开样例",
            "name": f"{department.short_name}经营行为的检查",
            "target_scope": "市场主体",
            "category": MatterCategory.KEY,
            "default_ratio": Decimal("5"),
            "methods": [Method.ON_SITE],
            "inspecting_body": department.short_name,
            "legal_basis": "样例依据",
        },
    )
    return matter


def user_of(department: Department, role: Role = Role.DEPT_STAFF) -> User:
    username = f"gk_{role.value}_{department.code.lower()}"
    return User.objects.filter(username=username).first() or make_user(username, department.code, role)


def task_of(
    department: Department, *, code: str = "", title: str = "公开样例抽查任务", year: int | None = None
) -> Task:
    today = timezone.localdate()
    code = code or f"GK-{department.code}"
    task = Task.objects.filter(code=code).first()
    if task is not None:
        return task
    task = Task.objects.create(
        code=code,
        title=title,
        year=year or today.year,
        initiator=department,
        form=PlanItem.Form.COMPREHENSIVE,
        methods=[Method.ON_SITE],
        sampling=PlanItem.Sampling.RATIO,
        ratio=Decimal("5"),
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=30),
        status=Task.Status.ASSIGNED,
        created_by=user_of(department),
    )
    TaskDepartment.objects.create(task=task, department=department, order=0, inspector_count=2).matters.add(
        matter_of(department)
    )
    return task


def target(number: int, name: str, *, kind: str = Target.Kind.ENTERPRISE, operator: str = "") -> Target:
    return Target.objects.create(code=code_for(number), name=name, kind=kind, legal_representative=operator)


def closed_inspection(
    department: Department,
    subject: Target,
    *,
    codes: tuple[str, ...] = ("01",),
    approved: bool = True,
    task: Task | None = None,
    closed_on: datetime.date | None = None,
) -> Inspection:
    """An inspection of `subject` in `department`'s task, closed, with one result."""
    task = task or task_of(department)
    staff = user_of(department)
    inspection = Inspection.objects.create(
        task=task,
        target=subject,
        visit=Visit.objects.create(target=subject),
        position=task.inspections.count() + 1,
        risk_class=subject.risk_class,
        status=Inspection.Status.DONE,
        summary="检查完毕",
        closed_at=timezone.now()
        if closed_on is None
        else timezone.make_aware(datetime.datetime.combine(closed_on, datetime.time(10))),
        closed_by=staff,
    )
    now = timezone.now()
    result = MatterResult.objects.create(
        inspection=inspection,
        matter=matter_of(department),
        department=department,
        target=subject,
        status=MatterResult.Status.APPROVED if approved else MatterResult.Status.SUBMITTED,
        inspected_on=timezone.localdate(),
        findings="执法人员现场检查情况",
        entered_by=staff,
        updated_by=staff,
        submitted_by=staff,
        submitted_at=now,
        approved_at=now if approved else None,
    )
    result.codes.set(ResultCode.objects.filter(code__in=codes))
    publications_open(inspection=inspection)
    return inspection


def publication_of(inspection: Inspection, department: Department) -> ResultPublication:
    return ResultPublication.objects.get(inspection=inspection, department=department)


def published(department: Department, subject: Target, **values: object) -> PublishedResult:
    inspection = closed_inspection(department, subject, **values)
    publication_publish(
        actor=user_of(department, Role.DEPT_HEAD), publication=publication_of(inspection, department)
    )
    return PublishedResult.objects.get(result__inspection=inspection)


def published_a_day_apart(names: Sequence[str], departments: Sequence[Department]) -> list[PublishedResult]:
    """One result from each department for a business of each name, published a day apart
    each, the last yesterday (their order is known)."""
    rows = []
    for number, name in enumerate(names, start=1):
        subject = target(number, name)
        rows += [
            published(department, subject, codes=(f"{index:02d}",))
            for index, department in enumerate(departments, start=1)
        ]
    start = timezone.now() - datetime.timedelta(days=len(rows))
    for day, row in enumerate(rows):
        PublishedResult.objects.filter(pk=row.pk).update(published_at=start + datetime.timedelta(days=day))
    return rows


def matching_results(query: SearchQuery) -> list[int]:
    """Every published result the plain query matches, newest first: what the search's
    paths must give."""
    rows = PublishedResult.objects.filter(search_key__contains=search_fold(query.text))
    for field, value in (
        ("department_id", query.department),
        ("year", query.year),
        ("outcome", query.outcome),
    ):
        if value:
            rows = rows.filter(**{field: value})
    return list(rows.order_by("-published_at", "-pk").values_list("pk", flat=True))
