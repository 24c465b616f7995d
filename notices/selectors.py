"""Reads: who receives which notification, a user's inbox, the roster and the calendar.

Recipient rules (one place, so that each event's audience is written down once):

- a department's people: its active users holding 部门工作人员 or 部门负责人;
- the office: active users holding 联席会议办公室;
- an inspector: the login account linked to the inspector's registry entry
  (`Inspector.user`), when it exists and is active.

The user who caused an event is left out of its recipients (they know).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from notices import workdays
from notices.models import HolidayArrangement, HolidayDay, Notification, RosterMember
from registry.models import Department

DEPARTMENT_ROLES = (Role.DEPT_STAFF, Role.DEPT_HEAD)


def _active_with_roles(*roles: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role_grants__role__in=roles).distinct()


def department_people(
    departments: Iterable[Department | int], *, excluding: User | None = None
) -> QuerySet[User]:
    """The staff and heads of these departments."""
    ids = {department if isinstance(department, int) else department.pk for department in departments}
    people = _active_with_roles(*DEPARTMENT_ROLES).filter(department_id__in=ids)
    return people.exclude(pk=excluding.pk) if excluding is not None else people


def office_people(*, excluding: User | None = None) -> QuerySet[User]:
    people = _active_with_roles(Role.OFFICE)
    return people.exclude(pk=excluding.pk) if excluding is not None else people


def inspector_accounts(inspector_ids: Iterable[int], *, excluding: User | None = None) -> QuerySet[User]:
    """The login accounts of these registry inspectors (those that have one)."""
    people = User.objects.filter(is_active=True, inspector__pk__in=list(inspector_ids))
    return people.exclude(pk=excluding.pk) if excluding is not None else people


# ---- a user's notifications ---------------------------------------------------------------------


def notifications_for(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# ---- the roster ----------------------------------------------------------------------------------

DUTY_ORDER = [duty for duty, _ in RosterMember.Duty.choices]


@dataclass(frozen=True)
class RosterGroup:
    duty: str
    members: list[RosterMember]


def roster_groups() -> list[RosterGroup]:
    """The roster by duty, in the attachment's order (总召集人 first, 办公室主任 last)."""
    members = sorted(
        RosterMember.objects.select_related("department", "user"),
        key=lambda member: (DUTY_ORDER.index(member.duty), member.position, member.pk),
    )
    return [
        RosterGroup(duty, [member for member in members if member.duty == duty])
        for duty in DUTY_ORDER
        if any(member.duty == duty for member in members)
    ]


# ---- the calendar --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    date: datetime.date
    is_working_day: bool
    name: str
    pk: int | None = None  # the office's entry, which can be deleted

    @property
    def kind_label(self) -> str:
        return "调休上班" if self.is_working_day else "放假"


@dataclass(frozen=True)
class CalendarYear:
    year: int
    source: str | None  # workdays.OFFICIAL / workdays.OFFICE / None
    arrangement: HolidayArrangement | None
    days: list[CalendarDay]

    @property
    def source_label(self) -> str:
        if self.source == workdays.OFFICIAL:
            return "已内置（国务院办公厅通知）"
        if self.source == workdays.OFFICE:
            return "已由办公室录入"
        return "尚未录入"

    @property
    def holiday_count(self) -> int:
        return sum(not day.is_working_day for day in self.days)

    @property
    def workday_count(self) -> int:
        return sum(day.is_working_day for day in self.days)


def calendar_year(year: int) -> CalendarYear:
    calendar = workdays.WorkingCalendar.load()
    arrangement = HolidayArrangement.objects.filter(year=year).first()
    if workdays.built_in_covers(year):
        days = [CalendarDay(day, working, name) for day, working, name in workdays.built_in_days(year)]
    elif arrangement is not None:
        days = [
            CalendarDay(row.date, row.kind == HolidayDay.Kind.WORKDAY, row.name, row.pk)
            for row in arrangement.days.order_by("date")
        ]
    else:
        days = []
    return CalendarYear(year, calendar.source_of(year), arrangement, days)


def calendar_years(*, around: int) -> list[CalendarYear]:
    """The years the office looks at: last year to two years ahead, plus every entered year."""
    years = set(range(around - 1, around + 3)) | set(
        HolidayArrangement.objects.values_list("year", flat=True)
    )
    return [calendar_year(year) for year in sorted(years, reverse=True)]


def holidays_missing_year(*, today: datetime.date) -> int | None:
    """The year whose holidays the office should enter now: this year when nobody covers it,
    or from November (the State Council publishes in the autumn) next year."""
    calendar = workdays.WorkingCalendar.load()
    if not calendar.is_covered(today.year):
        return today.year
    if today.month >= 11 and not calendar.is_covered(today.year + 1):
        return today.year + 1
    return None
