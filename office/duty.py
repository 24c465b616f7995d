"""履职记录: who did what, when, and whether within the deadline that applied.

Each entry comes from a record the platform keeps of a person's act (the `*_by` fields of
plans' steps, draws, results, publications, follow-ups, adjustments and amendments), so
the record can back 尽职照单免责、失职照单问责: what a person did on time is shown as
such, what was late as late, and acts with no deadline as 无期限要求.
A person's year is the calendar year (local time) in which they acted.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
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


def _entries(year: int, users: set[int] | None) -> Iterable[DutyEntry]:
    for step in PlanStep.objects.filter(
        _within("at", year, users, "user_id"), action__in=[PlanStep.Action.SUBMIT, PlanStep.Action.FILE]
    ).select_related("plan__department"):
        plan = step.plan
        name = f"{plan.year}年度{plan.department.short_name if plan.department else '联合'}抽查计划"
        deadline = plan_due_date(plan.year) if step.action == PlanStep.Action.SUBMIT else None
        yield DutyEntry(step.user_id, step.at, f"年度计划{step.get_action_display()}", name, deadline)
    for draw in Draw.objects.filter(_within("executed_at", year, users, "executed_by_id")).select_related(
        "task"
    ):
        yield DutyEntry(
            draw.executed_by_id,
            draw.executed_at,
            "执行随机抽取",
            f"{draw.task.code} {draw.task.title}",
            local_date(draw.scheduled_for),
        )
    for adjustment in DrawAdjustment.objects.filter(_within("at", year, users, "by_id")).select_related(
        "draw__task"
    ):
        yield DutyEntry(
            adjustment.by_id,
            adjustment.at,
            "调整检查人员",
            f"{adjustment.draw.task.code} {adjustment.inspector_out}→{adjustment.inspector_in}",
            None,
        )
    results = MatterResult.objects.select_related("inspection__task", "target", "matter")
    publications = {
        (inspection_id, department_id): due
        for inspection_id, department_id, due in ResultPublication.objects.filter(
            inspection__results__approved_at__year=year
        ).values_list("inspection_id", "department_id", "due_on")
    }
    for result in results.filter(_within("submitted_at", year, users, "submitted_by_id")):
        yield DutyEntry(
            result.submitted_by_id,
            result.submitted_at,
            "录入检查结果",
            f"{result.inspection.task.code} {result.target.name} · {result.matter.name}",
            result.inspection.task.end_date,
        )
    for result in results.filter(_within("approved_at", year, users, "approved_by_id")):
        yield DutyEntry(
            result.approved_by_id,
            result.approved_at,
            "审核检查结果",
            f"{result.inspection.task.code} {result.target.name} · {result.matter.name}",
            publications.get((result.inspection_id, result.department_id)),
        )
    for amendment in ResultAmendment.objects.filter(_within("at", year, users, "by_id")).select_related(
        "result__inspection__task", "result__target", "result__matter"
    ):
        result = amendment.result
        yield DutyEntry(
            amendment.by_id,
            amendment.at,
            "修改已提交的检查结果",
            f"{result.inspection.task.code} {result.target.name} · {result.matter.name}",
            None,
        )
    for inspection in Inspection.objects.filter(
        _within("closed_at", year, users, "closed_by_id")
    ).select_related("task", "target"):
        yield DutyEntry(
            inspection.closed_by_id,
            inspection.closed_at,
            "办结检查（联合汇总）",
            f"{inspection.task.code} {inspection.target.name}",
            inspection.task.end_date,
        )
    for publication in ResultPublication.objects.filter(
        _within("published_at", year, users, "published_by_id")
    ).select_related("inspection__task", "inspection__target"):
        yield DutyEntry(
            publication.published_by_id,
            publication.published_at,
            "公开检查结果",
            f"{publication.inspection.task.code} {publication.inspection.target.name}",
            publication.due_on,
        )
    follow_ups = FollowUp.objects.select_related("target")
    for follow_up in follow_ups.filter(_within("created_at", year, users, "created_by_id")):
        subject = f"{follow_up.get_kind_display()} · {follow_up.target.name}"
        yield DutyEntry(follow_up.created_by_id, follow_up.created_at, "登记后续处置", subject, None)
    for follow_up in follow_ups.filter(_within("accepted_at", year, users, "accepted_by_id")):
        subject = f"{follow_up.get_kind_display()} · {follow_up.target.name}"
        yield DutyEntry(
            follow_up.accepted_by_id, follow_up.accepted_at, "接收移交", subject, follow_up.accept_deadline
        )
    for follow_up in follow_ups.filter(_within("closed_at", year, users, "closed_by_id")):
        subject = f"{follow_up.get_kind_display()} · {follow_up.target.name}"
        yield DutyEntry(
            follow_up.closed_by_id, follow_up.closed_at, "办结后续处置", subject, follow_up.deadline
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
