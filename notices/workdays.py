"""The official Chinese working-day calendar (法定工作日).

A day is a working day unless it is a weekend or a public holiday, and a weekend day is
one when the State Council's arrangement makes it a make-up working day (调休上班). Where
the facts come from, in order:

1. the office's holiday table (`HolidayDay`), for the dates it lists: the office enters a
   year's arrangement when the State Council publishes it and before the built-in data
   knows it;
2. the chinese-calendar package for the years it covers (the State Council's notices,
   pinned in pyproject.toml: upgrade it each November when the next year's notice is out);
3. otherwise weekends only, and every deadline that touches such a year carries a warning
   (`UNCOVERED_WARNING`).

Periods are counted as Chinese administrative law counts them: the day the period starts
is not counted (期间开始的日不计算在内), so 20 working days from the end of an inspection
are the 20 working days after that day.

    add_working_days(date(2025, 9, 26), 5)      # → 2025-10-11: the make-up Saturday counts
    working_days_between(a, add_working_days(a, n)) == n
    deadline_after(end, 20).warning              # "" or the uncovered-year warning

One call loads the office's table once; a page computing many deadlines should build one
`WorkingCalendar.load()` and ask it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import chinese_calendar

UNCOVERED_WARNING = "该年度法定节假日安排尚未录入，期限按周末计算，仅供参考"

OFFICIAL = "official"
OFFICE = "office"

_ONE_DAY = datetime.timedelta(days=1)
BUILT_IN_FIRST_YEAR = min(chinese_calendar.holidays).year
BUILT_IN_LAST_YEAR = max(chinese_calendar.holidays).year
BUILT_IN_VERSION = getattr(chinese_calendar, "__version__", "")


def built_in_covers(year: int) -> bool:
    return BUILT_IN_FIRST_YEAR <= year <= BUILT_IN_LAST_YEAR


def built_in_days(year: int) -> list[tuple[datetime.date, bool, str]]:
    """The package's holidays and make-up working days of a year it covers, in date order:
    (date, is_working_day, festival name in Chinese)."""
    days = [
        (day, False, chinese_calendar.Holiday(name).chinese)
        for day, name in chinese_calendar.holidays.items()
        if day.year == year
    ]
    days += [
        (day, True, chinese_calendar.Holiday(name).chinese)
        for day, name in chinese_calendar.workdays.items()
        if day.year == year
    ]
    return sorted(days)


@dataclass(frozen=True)
class Deadline:
    """A period of working days: its start, its last day and whether the calendar knew
    every year it crossed."""

    start: datetime.date
    working_days: int
    due: datetime.date
    uncovered_years: tuple[int, ...]

    @property
    def is_estimate(self) -> bool:
        return bool(self.uncovered_years)

    @property
    def warning(self) -> str:
        return UNCOVERED_WARNING if self.uncovered_years else ""


class WorkingCalendar:
    """The working-day rules with the office's table loaded once."""

    def __init__(self, office_days: dict[datetime.date, bool], office_years: Iterable[int]) -> None:
        self.office_days = office_days  # date → is a working day
        self.office_years = frozenset(office_years)

    @classmethod
    def load(cls) -> WorkingCalendar:
        from notices.models import HolidayArrangement, HolidayDay

        office_days = {
            day: kind == HolidayDay.Kind.WORKDAY
            for day, kind in HolidayDay.objects.values_list("date", "kind")
        }
        return cls(office_days, HolidayArrangement.objects.values_list("year", flat=True))

    def source_of(self, year: int) -> str | None:
        """Who knows this year's holidays: the built-in data, the office's table, or nobody."""
        if built_in_covers(year):
            return OFFICIAL
        if year in self.office_years:
            return OFFICE
        return None

    def is_covered(self, year: int) -> bool:
        return self.source_of(year) is not None

    def is_working_day(self, day: datetime.date) -> bool:
        if isinstance(day, datetime.datetime):
            raise TypeError("is_working_day takes a date; convert a datetime with timezone.localdate()")
        listed = self.office_days.get(day)
        if listed is not None:
            return listed
        if built_in_covers(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_working_days(self, start: datetime.date, count: int) -> datetime.date:
        """The `count`-th working day after `start` (before it for a negative count);
        `start` itself is not counted, and a count of 0 is `start`."""
        step = _ONE_DAY if count >= 0 else -_ONE_DAY
        day, remaining = start, abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, first: datetime.date, last: datetime.date) -> int:
        """Working days after `first` up to and including `last`; negative when `last` is
        earlier. `working_days_between(a, add_working_days(a, n)) == n`."""
        if last < first:
            return -self.working_days_between(last, first)
        count, day = 0, first
        while day < last:
            day += _ONE_DAY
            count += self.is_working_day(day)
        return count

    def uncovered_years(self, first: datetime.date, last: datetime.date) -> tuple[int, ...]:
        low, high = sorted((first.year, last.year))
        return tuple(year for year in range(low, high + 1) if not self.is_covered(year))

    def deadline_after(self, start: datetime.date, count: int) -> Deadline:
        due = self.add_working_days(start, count)
        return Deadline(start, count, due, self.uncovered_years(start, due))

    def is_due_within(self, due: datetime.date, *, today: datetime.date, working_days: int) -> bool:
        """Whether `due` is today or at most `working_days` working days ahead (reminders)."""
        return today <= due and self.working_days_between(today, due) <= working_days


def is_working_day(day: datetime.date) -> bool:
    return WorkingCalendar.load().is_working_day(day)


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    return WorkingCalendar.load().add_working_days(start, count)


def working_days_between(first: datetime.date, last: datetime.date) -> int:
    return WorkingCalendar.load().working_days_between(first, last)


def deadline_after(start: datetime.date, count: int) -> Deadline:
    return WorkingCalendar.load().deadline_after(start, count)


def year_warning(year: int) -> str:
    """The warning to show beside any date of `year`, or ""."""
    return "" if WorkingCalendar.load().is_covered(year) else UNCOVERED_WARNING
