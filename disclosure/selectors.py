"""Reads of the disclosure app. The public side reads results only from PublishedResult."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from disclosure.models import Objection, PublishedResult, ResultPublication, search_fold
from inspections.models import ResultCode
from luozhuang_dsj.lib.access import user_has_role
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from notices.workdays import WorkingCalendar
from registry import credit_code

_CODE_LIKE = re.compile(r"^[0-9A-Z]{4,40}$")
# The result categories a visitor can filter by.
OUTCOME_CHOICES = ResultCode.Outcome.choices


# ---- the department's and the office's lists -----------------------------------------------------


def late_q(today: datetime.date) -> Q:
    """Published after the deadline, or still pending past it."""
    return Q(status=ResultPublication.Status.PENDING, due_on__lt=today) | Q(
        status=ResultPublication.Status.PUBLISHED, published_at__date__gt=F("due_on")
    )


def publications_for(user: User) -> QuerySet[ResultPublication]:
    """The office sees every department's publications; a department its own."""
    rows = ResultPublication.objects.select_related(
        "department", "inspection__task", "inspection__target", "published_by"
    )
    if user_has_role(user, Role.OFFICE):
        return rows
    return rows.filter(department_id=user.department_id)


def publications_filtered(
    rows: QuerySet[ResultPublication], *, state: str, today: datetime.date
) -> QuerySet[ResultPublication]:
    if state == "pending":
        return rows.filter(status=ResultPublication.Status.PENDING).order_by("due_on", "pk")
    if state == "published":
        return rows.filter(status=ResultPublication.Status.PUBLISHED).order_by("-published_at", "pk")
    if state == "late":
        return rows.filter(late_q(today)).order_by("due_on", "pk")
    return rows.order_by("-due_on", "pk")


def publication_counts(rows: QuerySet[ResultPublication], *, today: datetime.date) -> dict[str, int]:
    return rows.aggregate(
        pending=Count("pk", filter=Q(status=ResultPublication.Status.PENDING)),
        published=Count("pk", filter=Q(status=ResultPublication.Status.PUBLISHED)),
        late=Count("pk", filter=late_q(today)),
        overdue=Count("pk", filter=Q(status=ResultPublication.Status.PENDING, due_on__lt=today)),
    )


def late_by_department(*, today: datetime.date) -> list[dict[str, Any]]:
    """For the office: per department, publications overdue now and published late."""
    return list(
        ResultPublication.objects.filter(late_q(today))
        .values("department__short_name", "department_id")
        .annotate(
            overdue=Count("pk", filter=Q(status=ResultPublication.Status.PENDING)),
            published_late=Count("pk", filter=Q(status=ResultPublication.Status.PUBLISHED)),
        )
        .order_by("department__short_name")
    )


@dataclass(frozen=True)
class CalendarCoverage:
    years: tuple[int, ...]

    @property
    def warning(self) -> str:
        if not self.years:
            return ""
        listed = "、".join(str(year) for year in self.years)
        return (
            f"{listed}年的法定节假日安排尚未录入，涉及这些年份的公开期限按周末计算，仅供参考。"
            "请联席会议办公室在节假日安排中录入。"
        )


def calendar_coverage(publications: list[ResultPublication], *, today: datetime.date) -> CalendarCoverage:
    """The years the working-day calendar does not know, among this year, next year when
    deadlines reach into it, and the years the listed deadlines cross."""
    calendar = WorkingCalendar.load()
    years = {today.year}
    for publication in publications:
        years.update(range(publication.closed_on.year, publication.due_on.year + 1))
    return CalendarCoverage(tuple(sorted(year for year in years if not calendar.is_covered(year))))


def objections_for(user: User) -> QuerySet[Objection]:
    rows = Objection.objects.select_related("published_result", "department", "decided_by")
    if user_has_role(user, Role.OFFICE):
        return rows
    return rows.filter(department_id=user.department_id)


# ---- the public side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    department: int | None = None
    year: int | None = None
    outcome: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.department or self.year or self.outcome)


def public_results() -> QuerySet[PublishedResult]:
    return PublishedResult.objects.select_related("department").defer("search_key")


def public_search(query: SearchQuery) -> QuerySet[PublishedResult]:
    """Published results matching a name (any part, full-width or half-width) or a credit
    code (whole, or its beginning), narrowed by department, year and result category."""
    rows = public_results()
    text = query.text.strip()
    if text:
        code = credit_code.normalise(text)
        if len(code) == 18 and _CODE_LIKE.match(code):
            rows = rows.filter(credit_code=code)
        elif _CODE_LIKE.match(code) and any(char.isdigit() for char in code):
            rows = rows.filter(search_key__contains=f"|{search_fold(code)}")
        else:
            rows = rows.filter(search_key__contains=search_fold(text))
    if query.department:
        rows = rows.filter(department_id=query.department)
    if query.year:
        rows = rows.filter(year=query.year)
    if query.outcome:
        rows = rows.filter(outcome=query.outcome)
    return rows.order_by("-published_at")


def public_objections(rows: list[PublishedResult]) -> dict[int, list[Objection]]:
    """Per published result, its objections as the public sees them (no contact details)."""
    found: dict[int, list[Objection]] = {}
    objections = (
        Objection.objects.filter(published_result__in=rows)
        .only("pk", "reference", "published_result_id", "status", "decision_reason", "decided_at", "filed_at")
        .order_by("filed_at", "pk")
    )
    for objection in objections:
        found.setdefault(objection.published_result_id, []).append(objection)
    return found


def business_results(code: str) -> list[PublishedResult]:
    """A business's results, each marked whether it has objections (most have none: their
    objections are then not looked up at all)."""
    rows = public_results().filter(credit_code=code).order_by("-published_at", "matter_code")
    return list(
        rows.annotate(has_objections=Exists(Objection.objects.filter(published_result=OuterRef("pk"))))
    )


def task_results(task_id: int) -> QuerySet[PublishedResult]:
    return public_results().filter(task_id=task_id).order_by("target_name", "credit_code", "matter_code")


def latest_publications(limit: int = 10) -> list[PublishedResult]:
    return list(public_results().order_by("-published_at")[:limit])


def objections_prefetch() -> Prefetch:
    return Prefetch(
        "objections",
        queryset=Objection.objects.only(
            "pk", "reference", "published_result_id", "status", "decision_reason", "decided_at", "filed_at"
        ),
    )
