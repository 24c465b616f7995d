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
    """The year's acts by the users (everyone's if None). An act with no person recorded
    (the services always record one; history loaded from the old platform may not) is
    nobody's duty and is left out."""
    q = Q(**{f"{field}__year": year}, **{f"{user_field}__isnull": False})
    if users is not None:
        q &= Q(**{f"{user_field}__in": users})
    return q


@dataclass(frozen=True)
class _Source:
    """One kind of act: the rows recording it, their actor and time fields, the other
    fields read, and how an entry's object and deadline are made from those fields."""

    action: str
    rows: Callable[[], QuerySet]
    by: str
    at: str
    fields: tuple[str, ...]
    make: Callable[..., tuple[str, datetime.date | None]]


def _sources(year: int) -> list[_Source]:
    kinds = dict(FollowUp.Kind.choices)
    # An approval is due by the department's publication deadline on that inspection.
    publication_due = {
        (inspection_id, department_id): due
        for inspection_id, department_id, due in ResultPublication.objects.filter(
            inspection__results__approved_at__year=year
        ).values_list("inspection_id", "department_id", "due_on")
    }
    result_fields = ("inspection__task__code", "target__name", "matter__name")
    return [
        _Source(
            "执行随机抽取",
            Draw.objects.all,
            "executed_by_id",
            "executed_at",
            ("task__code", "task__title", "scheduled_for"),
            lambda code, title, scheduled: (f"{code} {title}", local_date(scheduled)),
        ),
        _Source(
            "调整检查人员",
            DrawAdjustment.objects.all,
            "by_id",
            "at",
            ("draw__task__code", "inspector_out", "inspector_in"),
            lambda code, out, into: (f"{code} {out}→{into}", None),
        ),
        _Source(
            "录入检查结果",
            MatterResult.objects.all,
            "submitted_by_id",
            "submitted_at",
            (*result_fields, "inspection__task__end_date"),
            lambda code, target, matter, end: (f"{code} {target} · {matter}", end),
        ),
        _Source(
            "审核检查结果",
            MatterResult.objects.all,
            "approved_by_id",
            "approved_at",
            (*result_fields, "inspection_id", "department_id"),
            lambda code, target, matter, inspection, department: (
                f"{code} {target} · {matter}",
                publication_due.get((inspection, department)),
            ),
        ),
        _Source(
            "修改已提交的检查结果",
            ResultAmendment.objects.all,
            "by_id",
            "at",
            ("result__inspection__task__code", "result__target__name", "result__matter__name"),
            lambda code, target, matter: (f"{code} {target} · {matter}", None),
        ),
        _Source(
            "办结检查（联合汇总）",
            Inspection.objects.all,
            "closed_by_id",
            "closed_at",
            ("task__code", "target__name", "task__end_date"),
            lambda code, target, end: (f"{code} {target}", end),
        ),
        _Source(
            "公开检查结果",
            ResultPublication.objects.all,
            "published_by_id",
            "published_at",
            ("inspection__task__code", "inspection__target__name", "due_on"),
            lambda code, target, due: (f"{code} {target}", due),
        ),
        _Source(
            "登记后续处置",
            FollowUp.objects.all,
            "created_by_id",
            "created_at",
            ("kind", "target__name"),
            lambda kind, target: (f"{kinds[kind]} · {target}", None),
        ),
        _Source(
            "接收移交",
            FollowUp.objects.all,
            "accepted_by_id",
            "accepted_at",
            ("kind", "target__name", "accept_deadline"),
            lambda kind, target, deadline: (f"{kinds[kind]} · {target}", deadline),
        ),
        _Source(
            "办结后续处置",
            FollowUp.objects.all,
            "closed_by_id",
            "closed_at",
            ("kind", "target__name", "deadline"),
            lambda kind, target, deadline: (f"{kinds[kind]} · {target}", deadline),
        ),
    ]


def _entries(year: int, users: set[int] | None) -> Iterable[DutyEntry]:
    actions = dict(PlanStep.Action.choices)
    for user_id, at, action, plan_year, short_name in PlanStep.objects.filter(
        _within("at", year, users, "user_id"), action__in=[PlanStep.Action.SUBMIT, PlanStep.Action.FILE]
    ).values_list("user_id", "at", "action", "plan__year", "plan__department__short_name"):
        name = f"{plan_year}年度{short_name or '联合'}抽查计划"
        deadline = plan_due_date(plan_year) if action == PlanStep.Action.SUBMIT else None
        yield DutyEntry(user_id, at, f"年度计划{actions[action]}", name, deadline)
    for source in _sources(year):
        for user_id, at, *values in (
            source.rows()
            .filter(_within(source.at, year, users, source.by))
            .values_list(source.by, source.at, *source.fields)
        ):
            yield DutyEntry(user_id, at, source.action, *source.make(*values))


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
    """The entries the user may read, newest first, for the year and the filters. Anyone
    in scope who acted counts, whatever their roles are now (a person who has since left
    keeps their record)."""
    scope = duty_scope(user)
    users = None
    if scope is not None or department_id or person_id is not None:
        people = User.objects.filter(scope) if scope is not None else User.objects.all()
        if department_id:
            people = people.filter(department_id=department_id)
        if person_id is not None:
            people = people.filter(pk=person_id)
        users = set(people.values_list("pk", flat=True))
        if not users:
            return []
    entries = [entry for entry in _entries(year, users) if not timeliness or entry.timeliness == timeliness]
    persons = User.objects.select_related("department").in_bulk({entry.user_id for entry in entries})
    rows = [DutyRow(persons[entry.user_id], entry) for entry in entries]
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
