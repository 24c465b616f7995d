"""履职记录: who did what, when, and whether within the deadline that applied.

Each entry comes from a record the platform keeps of a person's act (the `*_by` fields of
plans' steps, draws, results, publications, follow-ups, adjustments and amendments), so
the record can back 尽职照单免责、失职照单问责: what a person did on time is shown as
such, what was late as late, and acts with no deadline as 无期限要求.
A person's year is the calendar year (local time) in which they acted.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from disclosure.models import ResultPublication
from inspections.models import Draw, DrawAdjustment, FollowUp, Inspection, MatterResult, ResultAmendment
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from office.assessment import local_date
from plans.models import PlanStep, plan_due_date

DUTY_HEADERS = ["姓名", "用户名", "所在单位", "时间", "履职事项", "办理对象", "期限", "是否按时"]
TIMELINESS = {"": "全部", "on_time": "按时", "late": "逾期", "none": "无期限要求"}


@dataclass(frozen=True)
class DutyEntry:
    user_id: int
    at: datetime.datetime
    action: str
    subject: str
    deadline: datetime.date | None

    @property
    def timeliness(self) -> str:
        if self.deadline is None:
            return "none"
        return "on_time" if local_date(self.at) <= self.deadline else "late"

    @property
    def timeliness_label(self) -> str:
        return TIMELINESS[self.timeliness]


def _within(field: str, year: int, users: set[int] | None, user_field: str) -> Q:
    q = Q(**{f"{field}__year": year})
    if users is not None:
        q &= Q(**{f"{user_field}__in": users})
    return q


def _result_subject(result: MatterResult) -> str:
    return f"{result.inspection.task.code} {result.target.name} · {result.matter.name}"


def _follow_up_subject(follow_up: FollowUp) -> str:
    return f"{follow_up.get_kind_display()} · {follow_up.target.name}"


@dataclass(frozen=True)
class _Source:
    """One kind of act: the rows recording it, their time and actor fields, and how the
    entry names its object and finds its deadline."""

    action: str
    rows: Callable[[], QuerySet]
    at: str
    by: str
    subject: Callable[[Any], str]
    deadline: Callable[[Any], datetime.date | None]


def _no_deadline(row: Any) -> None:
    return None


def _sources(year: int) -> list[_Source]:
    results = lambda: MatterResult.objects.select_related("inspection__task", "target", "matter")  # noqa: E731
    follow_ups = lambda: FollowUp.objects.select_related("target")  # noqa: E731
    # An approval is due by the department's publication deadline on that inspection.
    publication_due = {
        (inspection_id, department_id): due
        for inspection_id, department_id, due in ResultPublication.objects.filter(
            inspection__results__approved_at__year=year
        ).values_list("inspection_id", "department_id", "due_on")
    }
    return [
        _Source(
            "执行随机抽取",
            lambda: Draw.objects.select_related("task"),
            "executed_at",
            "executed_by_id",
            lambda draw: f"{draw.task.code} {draw.task.title}",
            lambda draw: local_date(draw.scheduled_for),
        ),
        _Source(
            "调整检查人员",
            lambda: DrawAdjustment.objects.select_related("draw__task"),
            "at",
            "by_id",
            lambda a: f"{a.draw.task.code} {a.inspector_out}→{a.inspector_in}",
            _no_deadline,
        ),
        _Source(
            "录入检查结果",
            results,
            "submitted_at",
            "submitted_by_id",
            _result_subject,
            lambda result: result.inspection.task.end_date,
        ),
        _Source(
            "审核检查结果",
            results,
            "approved_at",
            "approved_by_id",
            _result_subject,
            lambda result: publication_due.get((result.inspection_id, result.department_id)),
        ),
        _Source(
            "修改已提交的检查结果",
            lambda: ResultAmendment.objects.select_related(
                "result__inspection__task", "result__target", "result__matter"
            ),
            "at",
            "by_id",
            lambda amendment: _result_subject(amendment.result),
            _no_deadline,
        ),
        _Source(
            "办结检查（联合汇总）",
            lambda: Inspection.objects.select_related("task", "target"),
            "closed_at",
            "closed_by_id",
            lambda inspection: f"{inspection.task.code} {inspection.target.name}",
            lambda inspection: inspection.task.end_date,
        ),
        _Source(
            "公开检查结果",
            lambda: ResultPublication.objects.select_related("inspection__task", "inspection__target"),
            "published_at",
            "published_by_id",
            lambda p: f"{p.inspection.task.code} {p.inspection.target.name}",
            lambda publication: publication.due_on,
        ),
        _Source("登记后续处置", follow_ups, "created_at", "created_by_id", _follow_up_subject, _no_deadline),
        _Source(
            "接收移交",
            follow_ups,
            "accepted_at",
            "accepted_by_id",
            _follow_up_subject,
            lambda follow_up: follow_up.accept_deadline,
        ),
        _Source(
            "办结后续处置",
            follow_ups,
            "closed_at",
            "closed_by_id",
            _follow_up_subject,
            lambda follow_up: follow_up.deadline,
        ),
    ]


def _entries(year: int, users: set[int] | None) -> Iterable[DutyEntry]:
    for step in PlanStep.objects.filter(
        _within("at", year, users, "user_id"), action__in=[PlanStep.Action.SUBMIT, PlanStep.Action.FILE]
    ).select_related("plan__department"):
        plan = step.plan
        name = f"{plan.year}年度{plan.department.short_name if plan.department else '联合'}抽查计划"
        deadline = plan_due_date(plan.year) if step.action == PlanStep.Action.SUBMIT else None
        yield DutyEntry(step.user_id, step.at, f"年度计划{step.get_action_display()}", name, deadline)
    for source in _sources(year):
        for row in source.rows().filter(_within(source.at, year, users, source.by)):
            yield DutyEntry(
                getattr(row, source.by),
                getattr(row, source.at),
                source.action,
                source.subject(row),
                source.deadline(row),
            )


def duty_scope(user: User) -> Q | None:
    """Whose record a user may read: the office everyone's, a department head their
    department's people, anyone else only their own. None means no limit."""
    if user.has_role(Role.OFFICE):
        return None
    if user.has_role(Role.DEPT_HEAD):
        return Q(department_id=user.department_id)
    return Q(pk=user.pk)


def duty_people(user: User, *, department_id: int | None = None) -> list[User]:
    people = User.objects.filter(
        role_grants__role__in=[Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD, Role.INSPECTOR]
    )
    scope = duty_scope(user)
    if scope is not None:
        people = people.filter(scope)
    if department_id:
        people = people.filter(department_id=department_id)
    return list(people.select_related("department").distinct().order_by("department__code", "username"))


@dataclass(frozen=True)
class DutyRow:
    person: User
    entry: DutyEntry

    def cells(self) -> list[object]:
        return [
            self.person.name,
            self.person.username,
            self.person.department.name if self.person.department else "",
            timezone.localtime(self.entry.at).strftime("%Y-%m-%d %H:%M"),
            self.entry.action,
            self.entry.subject,
            self.entry.deadline.isoformat() if self.entry.deadline else "",
            self.entry.timeliness_label,
        ]


def duty_record(
    user: User,
    *,
    year: int,
    department_id: int | None = None,
    person_id: int | None = None,
    timeliness: str = "",
) -> list[DutyRow]:
    """The entries the user may read, newest first, for the year and the filters."""
    people = {person.pk: person for person in duty_people(user, department_id=department_id)}
    if person_id is not None:
        people = {person_id: people[person_id]} if person_id in people else {}
    if not people:
        return []
    rows = [
        DutyRow(people[entry.user_id], entry)
        for entry in _entries(year, set(people))
        if not timeliness or entry.timeliness == timeliness
    ]
    rows.sort(key=lambda row: (row.entry.at, row.person.username, row.entry.action), reverse=True)
    return rows


@dataclass
class DutySummary:
    person: User
    total: int = 0
    on_time: int = 0
    late: int = 0
    no_deadline: int = 0


def duty_summary(rows: Iterable[DutyRow]) -> list[DutySummary]:
    summaries: dict[int, DutySummary] = {}
    for row in rows:
        summary = summaries.setdefault(row.person.pk, DutySummary(row.person))
        summary.total += 1
        kind = row.entry.timeliness
        if kind == "on_time":
            summary.on_time += 1
        elif kind == "late":
            summary.late += 1
        else:
            summary.no_deadline += 1
    return sorted(summaries.values(), key=lambda s: (s.person.department_id or 0, s.person.username))
