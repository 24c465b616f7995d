"""The working-day calendar, on the State Council's real 2025 and 2026 arrangements
(built in through chinesecalendar), on a year only the office's table knows, and on a
year nobody knows."""

import datetime
import importlib.metadata
import re
from pathlib import Path

import pytest
from django.conf import settings

from notices import workdays
from notices.models import HolidayArrangement, HolidayDay
from notices.workdays import (
    UNCOVERED_WARNING,
    WorkingCalendar,
    add_working_days,
    deadline_after,
    is_working_day,
    working_days_between,
)

D = datetime.date


def test_the_pinned_calendar_package_is_the_installed_one_and_covers_2026():
    pyproject = (Path(settings.BASE_DIR) / "pyproject.toml").read_text(encoding="utf-8")
    pinned = re.search(r'"chinesecalendar==([\d.]+)"', pyproject).group(1)
    assert importlib.metadata.version("chinesecalendar") == pinned
    assert workdays.built_in_covers(2025)
    assert workdays.built_in_covers(2026)
    assert workdays.BUILT_IN_FIRST_YEAR == 2004


@pytest.mark.django_db
def test_20_working_days_across_the_2025_spring_festival_skip_the_holiday_and_count_both_make_up_days():
    # Holiday 28 Jan – 4 Feb; Sunday 26 Jan and Saturday 8 Feb are working days.
    assert add_working_days(D(2025, 1, 24), 20) == D(2025, 2, 27)
    assert working_days_between(D(2025, 1, 24), D(2025, 2, 27)) == 20


@pytest.mark.django_db
def test_20_working_days_across_the_2026_spring_festival_count_the_make_up_saturdays():
    # Holiday 15 – 23 Feb; Saturdays 14 and 28 Feb are working days.
    assert add_working_days(D(2026, 2, 6), 20) == D(2026, 3, 12)
    assert is_working_day(D(2026, 2, 14)) is True
    assert is_working_day(D(2026, 2, 28)) is True
    assert is_working_day(D(2026, 2, 23)) is False  # a Monday off


@pytest.mark.django_db
def test_20_working_days_across_national_day_2025_and_2026():
    # 2025: 1 – 8 Oct off (with Mid-autumn); Sunday 28 Sep and Saturday 11 Oct worked.
    assert add_working_days(D(2025, 9, 25), 20) == D(2025, 10, 29)
    assert is_working_day(D(2025, 10, 8)) is False  # a Wednesday off
    assert is_working_day(D(2025, 10, 11)) is True  # a Saturday worked
    # 2026: Mid-autumn 25 – 27 Sep and 1 – 7 Oct off; Sunday 20 Sep and Saturday 10 Oct worked.
    assert add_working_days(D(2026, 9, 18), 20) == D(2026, 10, 22)
    deadline = deadline_after(D(2026, 9, 18), 20)
    assert (deadline.due, deadline.warning, deadline.is_estimate) == (D(2026, 10, 22), "", False)


@pytest.mark.django_db
def test_the_start_day_is_not_counted_and_zero_or_negative_counts_work():
    assert add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    assert add_working_days(D(2026, 3, 2), -1) == D(2026, 2, 28)  # the make-up Saturday
    assert working_days_between(D(2026, 3, 12), D(2026, 2, 6)) == -20
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0


@pytest.mark.django_db
def test_a_datetime_is_refused():
    with pytest.raises(TypeError):
        is_working_day(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC))


def _enter_2030(office_user):
    arrangement = HolidayArrangement.objects.create(
        year=2030, source="国务院办公厅关于2030年部分节假日安排的通知", created_by=office_user
    )
    HolidayDay.objects.bulk_create(
        [
            HolidayDay(
                arrangement=arrangement, date=D(2030, 2, day), kind=HolidayDay.Kind.HOLIDAY, name="春节"
            )
            for day in range(2, 9)
        ]
        + [
            HolidayDay(
                arrangement=arrangement, date=D(2030, 1, 26), kind=HolidayDay.Kind.WORKDAY, name="春节"
            ),
            HolidayDay(
                arrangement=arrangement, date=D(2030, 2, 9), kind=HolidayDay.Kind.WORKDAY, name="春节"
            ),
        ]
    )


def test_a_year_covered_only_by_the_offices_table_uses_it_without_a_warning(office_user):
    before = deadline_after(D(2030, 1, 25), 20)
    assert (before.due, before.warning, before.uncovered_years) == (
        D(2030, 2, 22),
        UNCOVERED_WARNING,
        (2030,),
    )
    _enter_2030(office_user)
    deadline = deadline_after(D(2030, 1, 25), 20)
    assert (deadline.due, deadline.warning, deadline.uncovered_years) == (D(2030, 2, 27), "", ())
    assert is_working_day(D(2030, 1, 26)) is True  # an entered make-up Saturday
    assert is_working_day(D(2030, 2, 4)) is False  # an entered Monday off
    assert WorkingCalendar.load().source_of(2030) == workdays.OFFICE


@pytest.mark.django_db
def test_a_year_nobody_covers_counts_weekends_only_and_warns():
    deadline = deadline_after(D(2032, 9, 30), 20)
    assert deadline.due == D(2032, 10, 28)  # 1 October 2032 counted: nobody entered National Day
    assert deadline.warning == "该年度法定节假日安排尚未录入，期限按周末计算，仅供参考"
    assert deadline.uncovered_years == (2032,)
    assert workdays.year_warning(2032) == UNCOVERED_WARNING
    assert workdays.year_warning(2026) == ""


@pytest.mark.django_db
def test_a_period_running_from_a_covered_year_into_an_uncovered_one_warns():
    deadline = deadline_after(D(2026, 12, 18), 20)
    assert deadline.due == D(2027, 1, 15)
    assert deadline.uncovered_years == (2027,)
    assert deadline.warning == UNCOVERED_WARNING


@pytest.mark.django_db
def test_the_deadline_reminder_window_is_counted_in_working_days():
    calendar = WorkingCalendar.load()
    due = D(2026, 1, 31)  # a Saturday
    assert calendar.is_due_within(due, today=D(2026, 1, 26), working_days=3) is False  # 4 left: 27–30
    assert calendar.is_due_within(due, today=D(2026, 1, 27), working_days=3) is True
    assert calendar.is_due_within(due, today=D(2026, 1, 31), working_days=3) is True
    assert calendar.is_due_within(due, today=D(2026, 2, 1), working_days=3) is False
