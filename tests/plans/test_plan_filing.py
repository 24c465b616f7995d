"""The 31 January deadline: who has filed, who filed late, who has not filed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import plan_due_date
from plans.selectors import plan_filing_overview
from tests.conftest import client_for
from tests.plans.helpers import department_plan, head_of

THIS_YEAR = timezone.localdate().year
PAST_YEAR = THIS_YEAR - 1  # its deadline has passed: filing now is late
NEXT_YEAR = THIS_YEAR + 1  # its deadline is ahead: filing now is on time


def file(plan, head, office_user):
    services.plan_submit(actor=head, plan=plan)
    services.plan_file(actor=office_user, plan=plan)


@pytest.fixture
def jyj_head(db):
    return head_of("JYJ", "jyjhead")


def rows_by_code(year, **kwargs):
    return {row.department.code: row for row in plan_filing_overview(year, **kwargs)}


def test_the_deadline_is_the_end_of_january_of_the_plan_year():
    assert plan_due_date(2027) == datetime.date(2027, 1, 31)


def test_a_plan_filed_before_the_deadline_is_on_time_and_one_after_it_is_late(
    staff, head, outsider, jyj_head, office_user, matters
):
    file(department_plan(staff, [matters["metering"]], year=NEXT_YEAR), head, office_user)
    file(department_plan(staff, [matters["metering"]], year=PAST_YEAR), head, office_user)
    department_plan(outsider, [matters["schools"]], year=PAST_YEAR)

    upcoming = rows_by_code(NEXT_YEAR)
    assert (upcoming["SCJG"].state, upcoming["SCJG"].is_late, upcoming["SCJG"].is_overdue) == (
        "filed",
        False,
        False,
    )
    assert (upcoming["JYJ"].state, upcoming["JYJ"].is_overdue) == ("missing", False)

    past = rows_by_code(PAST_YEAR)
    assert (past["SCJG"].state, past["SCJG"].is_late) == ("filed", True)
    assert (past["JYJ"].state, past["JYJ"].is_overdue) == ("draft", True)
    assert (past["WSJK"].state, past["WSJK"].is_overdue) == ("missing", True)
    assert len(past) == 19


def test_a_plan_returned_and_resubmitted_after_the_deadline_counts_as_late(staff, head, office_user, matters):
    plan = department_plan(staff, [matters["metering"]], year=NEXT_YEAR)
    services.plan_submit(actor=head, plan=plan)
    services.plan_return(actor=office_user, plan=plan, comment="请补充")
    services.plan_submit(actor=head, plan=plan)
    services.plan_file(actor=office_user, plan=plan)
    after_deadline = datetime.datetime(NEXT_YEAR, 2, 3, 9, tzinfo=timezone.get_current_timezone())
    plan.refresh_from_db()
    type(plan).objects.filter(pk=plan.pk).update(filed_submission_at=after_deadline)
    assert rows_by_code(NEXT_YEAR)["SCJG"].is_late is True


def test_a_revision_after_filing_does_not_make_a_filed_plan_unfiled(staff, head, office_user, matters):
    plan = department_plan(staff, [matters["metering"]], year=NEXT_YEAR)
    file(plan, head, office_user)
    services.plan_revise(actor=staff, plan=plan, reason="调整")
    assert rows_by_code(NEXT_YEAR)["SCJG"].state == "filed"


def test_the_office_sees_the_filing_overview_and_departments_do_not(
    staff, head, office_user, outsider, matters
):
    file(department_plan(staff, [matters["metering"]], year=PAST_YEAR), head, office_user)
    page = client_for(office_user).get(reverse("plan-filing", args=[PAST_YEAR])).content.decode()
    assert f"报送截止日期：{PAST_YEAR}年1月31日。已备案 1 / 19 个部门，其中逾期报送 1 个；" in page
    assert "逾期未备案 18 个" in page
    assert page.count("逾期报送</span>") == 1
    for user in (staff, head, outsider):
        assert client_for(user).get(reverse("plan-filing", args=[PAST_YEAR])).status_code == 403


def test_another_department_plan_stays_hidden_from_other_departments(staff, outsider, matters):
    plan = department_plan(staff, [matters["metering"]], year=NEXT_YEAR)
    client = client_for(outsider)
    assert client.get(reverse("plan-detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("plan-export", args=[plan.pk])).status_code == 404
    assert plan.title not in client.get(reverse("plan-list")).content.decode()
