"""The daily reminders: a plan deadline 3 working days ahead, a year's holidays not entered."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from luozhuang_dsj.lib.roles import Role
from notices.models import HolidayArrangement, Notification
from notices.reminders import daily_reminders_send
from plans import services as plan_services
from registry.models import Department
from tests.conftest import make_user
from tests.plans.helpers import claim, department_plan, import_sample

D = datetime.date
YEAR = 2026  # 31 January 2026 is a Saturday: 27 – 30 January are the last 4 working days


def received(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def filing_state(office_user, staff, head, outsider, inspector_user, auditor):
    """SCJG's plan submitted, JYJ's a draft, CZJ's none; every other department has no users."""
    import_sample(office_user)
    plan = department_plan(staff, [claim(staff, "计量器具使用情况的检查", cap="5")], year=YEAR)
    plan_services.plan_submit(actor=head, plan=plan)
    Notification.objects.all().delete()  # the submission's own notification
    jyj_plan = department_plan(outsider, [claim(outsider, "民办学校办学行为的检查", cap="10")], year=YEAR)
    make_user("jyjhead", "JYJ", Role.DEPT_HEAD)
    make_user("czjstaff", "CZJ", Role.DEPT_STAFF)
    return jyj_plan


def test_four_working_days_before_the_deadline_nobody_is_reminded(filing_state):
    run = daily_reminders_send(today=D(YEAR, 1, 26))
    assert run.plan_departments == 0
    assert Notification.objects.count() == 0


def test_three_working_days_before_the_deadline_departments_without_a_submitted_plan_are_reminded(
    filing_state,
):
    run = daily_reminders_send(today=D(YEAR, 1, 27))
    active = Department.objects.filter(is_active=True).count()
    assert run.plan_departments == active - 1  # all but SCJG, whose plan is submitted
    # People exist only in SCJG (submitted: not reminded), JYJ (draft) and CZJ (none); the office
    # gets the summary. Not the inspector, not the auditor.
    assert received("plan.due") == ["czjstaff", "jyjhead", "office1", "outsider1"]
    jyj = Notification.objects.get(recipient__username="outsider1")
    assert jyj.title == "2026年度抽查计划须于2026年1月31日前报送（还有3个工作日）"
    assert jyj.link == reverse("plan-detail", args=[filing_state.pk])
    assert "当前状态：编制中，未报送" in jyj.body
    assert Notification.objects.get(recipient__username="czjstaff").link == reverse("plan-list")
    summary = Notification.objects.get(recipient__username="office1")
    assert summary.title == f"{active - 1}个部门尚未报送2026年度抽查计划（还有3个工作日）"
    assert summary.link == reverse("plan-filing", args=[YEAR])
    assert "区市场监管局" not in summary.body and "区教育局" in summary.body


def test_the_reminder_is_sent_once_however_often_the_job_runs(filing_state):
    daily_reminders_send(today=D(YEAR, 1, 27))
    first = Notification.objects.count()
    daily_reminders_send(today=D(YEAR, 1, 27))
    daily_reminders_send(today=D(YEAR, 1, 29))
    daily_reminders_send(today=D(YEAR, 1, 31))
    assert Notification.objects.count() == first == 4


def test_a_job_that_missed_days_still_reminds_before_the_deadline_passes(filing_state):
    daily_reminders_send(today=D(YEAR, 1, 29))
    assert received("plan.due") == ["czjstaff", "jyjhead", "office1", "outsider1"]
    assert Notification.objects.get(recipient__username="outsider1").title.endswith("（还有1个工作日）")


def test_on_the_last_working_day_before_a_weekend_deadline_the_reminder_says_so(filing_state):
    daily_reminders_send(today=D(YEAR, 1, 30))
    assert Notification.objects.get(recipient__username="outsider1").title.endswith("（截止前已无工作日）")
    Notification.objects.all().delete()
    daily_reminders_send(today=D(YEAR, 1, 31))
    assert Notification.objects.get(recipient__username="outsider1").title.endswith("（今天截止）")


def test_after_the_deadline_the_reminder_is_not_sent(filing_state):
    daily_reminders_send(today=D(YEAR, 2, 1))
    assert Notification.objects.count() == 0


def test_a_returned_plan_is_reminded_and_a_resubmitted_one_is_not(filing_state, head, office_user):
    scjg_plan = Department.objects.get(code="SCJG").annual_plans.get(year=YEAR)
    plan_services.plan_return(actor=office_user, plan=scjg_plan, comment="请修改")
    Notification.objects.all().delete()
    daily_reminders_send(today=D(YEAR, 1, 28))
    assert "head1" in received("plan.due") and "staff1" in received("plan.due")


@pytest.mark.django_db
def test_from_december_the_office_is_asked_to_enter_next_years_holidays_once(office_user, staff):
    assert daily_reminders_send(today=D(2026, 11, 30)).holidays_missing is False
    assert daily_reminders_send(today=D(2026, 12, 1)).holidays_missing is True
    daily_reminders_send(today=D(2026, 12, 2))
    assert received("calendar.missing") == ["office1"]
    notification = Notification.objects.get(kind="calendar.missing")
    assert notification.title == "请录入2027年法定节假日安排"
    assert notification.link == reverse("holiday-year", args=[2027])


def test_no_holiday_reminder_once_the_office_entered_the_year(office_user):
    HolidayArrangement.objects.create(year=2027, source="国务院办公厅通知", created_by=office_user)
    assert daily_reminders_send(today=D(2026, 12, 1)).holidays_missing is False
    assert Notification.objects.count() == 0


def test_the_command_runs_the_reminders_for_a_given_day(filing_state):
    out = StringIO()
    call_command("send_reminders", "--date", "2026-01-27", stdout=out)
    active = Department.objects.filter(is_active=True).count()
    assert out.getvalue().strip() == f"已提醒尚未报送年度计划的部门 {active - 1} 个。"
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD。"):
        call_command("send_reminders", "--date", "27/01/2026")


def test_the_beat_task_runs_for_today(db):
    from notices.tasks import send_daily_reminders

    assert send_daily_reminders() == 0  # no plan deadline near today in the test database


def test_in_a_year_nobody_covers_the_reminder_says_its_timing_is_an_estimate(office_user, outsider):
    daily_reminders_send(today=D(2032, 1, 28))  # 29, 30 January 2032 (weekdays) and Saturday 31
    notification = Notification.objects.get(recipient=outsider)
    assert notification.body.endswith("（该年度法定节假日安排尚未录入，期限按周末计算，仅供参考）")
