"""Scheduled reminders (a daily Celery beat task, `notices.tasks.send_daily_reminders`).

Each reminder carries a dedupe key, so the task can run any number of times a day, or
catch up after days of downtime, and still remind each person once.

- **Plan filing deadline** (`plan.due`): from 3 working days before 31 January until that
  day, every active department whose plan for the year is not yet submitted (none, a
  draft, or returned) is reminded: its staff and heads. A submitted plan is on time
  whatever day the office files it (plans.selectors.plan_filing_overview), so its
  department is not reminded. The office gets one summary listing those departments.
- **Result publication deadline** (`publication.due`): a department's pending publication
  (disclosure.ResultPublication, 20 working days after the inspection closed) due within 3
  working days: that department's staff and heads, once per inspection.
- **Result entry deadline** (`result.due`): a task whose inspection window ends within 3
  working days and that still has open inspections on which a department of the task has
  not submitted the results of all its matters (谁检查、谁录入): that department's staff and
  heads, once per task and end date, with how many targets are missing.
- **Follow-up deadlines** (`followup.due`): an open measure (责令改正 not yet re-checked,
  立案查处, …) due within 3 working days: the handling department's staff and heads; a
  hand-off (移交) whose answer is due within 3 working days: the receiving department's
  staff and heads. Once per measure, state and deadline (an extended deadline reminds again).
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
    publications: int = 0
    result_entries: int = 0
    follow_ups: int = 0


def _chinese(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _when(today: datetime.date, due: datetime.date, calendar: workdays.WorkingCalendar) -> str:
    left = calendar.working_days_between(today, due)
    return "今天截止" if today == due else (f"还有{left}个工作日" if left else "截止前已无工作日")


def _horizon(today: datetime.date, calendar: workdays.WorkingCalendar) -> datetime.date:
    """The first day that is no longer within the reminder window (exclusive bound)."""
    return calendar.add_working_days(today, REMIND_WITHIN_WORKING_DAYS + 1)


def _estimate(due: datetime.date, calendar: workdays.WorkingCalendar) -> str:
    return "" if calendar.is_covered(due.year) else f"（{workdays.UNCOVERED_WARNING}）"


def plan_deadline_reminders(*, today: datetime.date, calendar: workdays.WorkingCalendar) -> int:
    """Remind the departments whose plan for this year is not submitted; returns how many."""
    from plans.models import plan_due_date
    from plans.selectors import plan_filing_overview

    year = today.year
    due = plan_due_date(year)
    if not calendar.is_due_within(due, today=today, working_days=REMIND_WITHIN_WORKING_DAYS):
        return 0
    when = _when(today, due, calendar)
    estimate = _estimate(due, calendar)
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


def publication_deadline_reminders(*, today: datetime.date, calendar: workdays.WorkingCalendar) -> int:
    """Pending result publications due within 3 working days; returns how many were due."""
    from disclosure.models import ResultPublication

    pending = (
        ResultPublication.objects.filter(
            status=ResultPublication.Status.PENDING, due_on__gte=today, due_on__lt=_horizon(today, calendar)
        )
        .select_related("inspection__task", "inspection__target", "department")
        .order_by("due_on", "pk")
    )
    count = 0
    for publication in pending:
        due = publication.due_on
        if not calendar.is_due_within(due, today=today, working_days=REMIND_WITHIN_WORKING_DAYS):
            continue
        inspection = publication.inspection
        count += 1
        notify(
            recipients=selectors.department_people([publication.department_id]),
            kind=Notification.Kind.PUBLICATION_DUE,
            title=f"检查结果须于{_chinese(due)}前公开（{_when(today, due, calendar)}）：{inspection.target.name}",
            body=(
                f"抽查任务 {inspection.task.code} {inspection.task.title} 对 {inspection.target.name} 的检查已于"
                f"{_chinese(publication.closed_on)}办结。按“谁检查、谁公开”，本部门的检查结果须经负责人审核后，"
                f"在办结后20个工作日内（{_chinese(due)}前）公开。" + _estimate(due, calendar)
            ),
            link=reverse("publication-detail", args=[publication.pk]),
            dedupe_key=f"publication.due:{inspection.pk}",
        )
    return count


def result_entry_reminders(*, today: datetime.date, calendar: workdays.WorkingCalendar) -> int:
    """Departments whose results on a task ending within 3 working days are not all
    submitted; returns how many (task, department) pairs were reminded."""
    from django.db.models import Count

    from inspections.models import Inspection, MatterResult, Task, TaskDepartment

    tasks = Task.objects.filter(end_date__gte=today, end_date__lt=_horizon(today, calendar)).exclude(
        status=Task.Status.CLOSED
    )
    count = 0
    for task in tasks.order_by("end_date", "code"):
        due = task.end_date
        if not calendar.is_due_within(due, today=today, working_days=REMIND_WITHIN_WORKING_DAYS):
            continue
        open_inspections = Inspection.objects.filter(task=task).exclude(status__in=Inspection.CLOSED_STATUSES)
        required = dict(
            TaskDepartment.objects.filter(task=task)
            .order_by()
            .values_list("department_id")
            .annotate(matters=Count("matters"))
        )
        entered = (
            MatterResult.objects.filter(inspection__in=open_inspections, status__in=MatterResult.ENTERED)
            .order_by()
            .values_list("inspection_id", "department_id")
            .annotate(results=Count("pk"))
        )
        done = {(inspection, department): results for inspection, department, results in entered}
        inspection_ids = list(open_inspections.values_list("pk", flat=True))
        for department_id, matters in sorted(required.items()):
            missing = sum(done.get((pk, department_id), 0) < matters for pk in inspection_ids)
            if not missing:
                continue
            count += 1
            notify(
                recipients=selectors.department_people([department_id]),
                kind=Notification.Kind.RESULT_DUE,
                title=f"检查结果须于{_chinese(due)}前录入（{_when(today, due, calendar)}）：{task.title}",
                body=(
                    f"抽查任务 {task.code} {task.title} 的检查期限至{_chinese(due)}。本部门尚有 {missing} 户检查对象的"
                    "检查结果未录入提交。按“谁检查、谁录入”，请督促检查人员及时录入。"
                    + _estimate(due, calendar)
                ),
                link=reverse("task-inspections", args=[task.pk]),
                dedupe_key=f"result.due:{task.pk}:{due:%Y%m%d}",
            )
    return count


def follow_up_deadline_reminders(*, today: datetime.date, calendar: workdays.WorkingCalendar) -> int:
    """Open measures and unanswered hand-offs due within 3 working days; returns how many."""
    from inspections.models import FollowUp

    horizon = _horizon(today, calendar)
    open_measures = FollowUp.objects.filter(
        status=FollowUp.Status.OPEN, deadline__gte=today, deadline__lt=horizon
    ).exclude(kind=FollowUp.Kind.CORRECTION, recheck_on__isnull=False)
    handoffs = FollowUp.objects.filter(
        status=FollowUp.Status.AWAITING, accept_deadline__gte=today, accept_deadline__lt=horizon
    )
    count = 0
    for follow_up in (open_measures | handoffs).select_related("target", "origin_department").order_by("pk"):
        awaiting = follow_up.status == FollowUp.Status.AWAITING
        due = follow_up.accept_deadline if awaiting else follow_up.deadline
        if not calendar.is_due_within(due, today=today, working_days=REMIND_WITHIN_WORKING_DAYS):
            continue
        count += 1
        when = _when(today, due, calendar)
        if awaiting:
            title = f"移交须于{_chinese(due)}前接收或退回（{when}）：{follow_up.target.name}"
            body = f"{follow_up.origin_department.short_name}移交的检查发现尚待本部门接收或退回。"
        else:
            title = (
                f"{follow_up.get_kind_display()}须于{_chinese(due)}前办结（{when}）：{follow_up.target.name}"
            )
            body = f"本部门承办的后续处置（{follow_up.get_kind_display()}）期限为{_chinese(due)}，请按期办结或复查。"
        notify(
            recipients=selectors.department_people([follow_up.department_id]),
            kind=Notification.Kind.FOLLOW_UP_DUE,
            title=title,
            body=body + _estimate(due, calendar),
            link=reverse("follow-up-detail", args=[follow_up.pk]),
            dedupe_key=f"followup.due:{follow_up.pk}:{follow_up.status}:{due:%Y%m%d}",
        )
    return count


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
        publications=publication_deadline_reminders(today=today, calendar=calendar),
        result_entries=result_entry_reminders(today=today, calendar=calendar),
        follow_ups=follow_up_deadline_reminders(today=today, calendar=calendar),
    )
