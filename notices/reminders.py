"""Scheduled reminders (a daily Celery beat task, `notices.tasks.send_daily_reminders`).

Each reminder carries a dedupe key, so the task can run any number of times a day, or
catch up after days of downtime, and still remind each person once.

- **Plan filing deadline** (`plan.due`): from 3 working days before 31 January until that
  day, every active department whose plan for the year is not yet submitted (none, a
  draft, or returned) is reminded: its staff and heads. A submitted plan is on time
  whatever day the office files it (plans.selectors.plan_filing_overview), so its
  department is not reminded. The office gets one summary listing those departments.
- **Holiday arrangement missing** (`calendar.missing`): from 1 December, when next year
  is covered neither by the built-in calendar nor by the office's table (or at once when
  the current year is not), the office is asked to enter it: its deadlines would otherwise
  be counted on weekends only. The office home page shows the same from November.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from notices import selectors, workdays
from notices.models import Notification
from notices.services import notify

REMIND_WITHIN_WORKING_DAYS = 3
NOT_SUBMITTED = ("missing", "draft", "returned")


@dataclass(frozen=True)
class ReminderRun:
    plan_departments: int
    holidays_missing: bool


def _chinese(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def plan_deadline_reminders(*, today: datetime.date, calendar: workdays.WorkingCalendar) -> int:
    """Remind the departments whose plan for this year is not submitted; returns how many."""
    from plans.models import plan_due_date
    from plans.selectors import plan_filing_overview

    year = today.year
    due = plan_due_date(year)
    if not calendar.is_due_within(due, today=today, working_days=REMIND_WITHIN_WORKING_DAYS):
        return 0
    left = calendar.working_days_between(today, due)
    when = "今天截止" if today == due else (f"还有{left}个工作日" if left else "截止前已无工作日")
    estimate = "" if calendar.is_covered(year) else f"（{workdays.UNCOVERED_WARNING}）"
    late_rows = [row for row in plan_filing_overview(year, today=today) if row.state in NOT_SUBMITTED]
    for row in late_rows:
        notify(
            recipients=selectors.department_people([row.department]),
            kind=Notification.Kind.PLAN_DUE,
            title=f"{year}年度抽查计划须于{_chinese(due)}前报送（{when}）",
            body=(
                f"本部门{year}年度抽查工作计划当前状态：{row.state_label}。"
                "按实施方案，部门年度抽查计划须于每年1月底前报区市场监管局备案，请及时制定并由部门负责人报送。"
                + estimate
            ),
            link=reverse("plan-detail", args=[row.plan.pk]) if row.plan else reverse("plan-list"),
            dedupe_key=f"plan.due:{year}:{row.department.code}",
        )
    if late_rows:
        names = "、".join(row.department.short_name for row in late_rows)
        notify(
            recipients=selectors.office_people(),
            kind=Notification.Kind.PLAN_DUE,
            title=f"{len(late_rows)}个部门尚未报送{year}年度抽查计划（{when}）",
            body=f"截至{_chinese(today)}尚未报送：{names}。已向上述部门发送提醒。",
            link=reverse("plan-filing", args=[year]),
            dedupe_key=f"plan.due:{year}:office",
        )
    return len(late_rows)


def holidays_missing_reminder(*, today: datetime.date) -> bool:
    """Ask the office, from 1 December (or at once for the current year), to enter a
    year's holiday arrangement that nobody covers."""
    year = selectors.holidays_missing_year(today=today)
    if year is None or (year > today.year and today.month < 12):
        return False
    notify(
        recipients=selectors.office_people(),
        kind=Notification.Kind.HOLIDAYS_MISSING,
        title=f"请录入{year}年法定节假日安排",
        body=(
            f"系统内置的节假日数据只到{workdays.BUILT_IN_LAST_YEAR}年。国务院办公厅公布{year}年部分节假日安排后，"
            f"请在“工作日历”中录入放假和调休上班日期；录入前，{year}年的期限只按周末计算，页面会提示仅供参考。"
        ),
        link=reverse("holiday-year", args=[year]),
        dedupe_key=f"calendar.missing:{year}",
    )
    return True


def daily_reminders_send(*, today: datetime.date | None = None) -> ReminderRun:
    today = today or timezone.localdate()
    calendar = workdays.WorkingCalendar.load()
    return ReminderRun(
        plan_departments=plan_deadline_reminders(today=today, calendar=calendar),
        holidays_missing=holidays_missing_reminder(today=today),
    )
