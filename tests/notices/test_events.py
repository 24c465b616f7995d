"""Each event reaches exactly the right users, and nobody else.

The cast: office1 (office, SCJG), staff1 and head1 (SCJG department), inspector1 (SCJG
inspector role), outsider1 (JYJ staff), auditor1, sysadmin1, secadmin1; plus the users
each test adds.
"""

import pytest
from django.db.models import Count
from django.urls import reverse

from inspections import services as draw_services
from inspections.models import Draw, InspectionAssignment
from luozhuang_dsj.lib.roles import Role
from notices.models import Notification
from plans import services as plan_services
from registry.models import Inspector
from tests.conftest import make_user
from tests.inspections.helpers import build_world, executed, prepared, special_task
from tests.plans.helpers import claim, department_plan, import_sample


def received(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def everyone(cast):
    """The whole cast plus a second SCJG head, a JYJ head, a third department's staff and a
    deactivated SCJG staff member."""
    retired = make_user("retired", "SCJG", Role.DEPT_STAFF)
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    return {
        **cast,
        "head2": make_user("head2", "SCJG", Role.DEPT_HEAD),
        "jyjhead": make_user("jyjhead", "JYJ", Role.DEPT_HEAD),
        "czjstaff": make_user("czjstaff", "CZJ", Role.DEPT_STAFF),
        "retired": retired,
    }


# ---- plans -------------------------------------------------------------------------------------------


@pytest.fixture
def plan(office_user, staff):
    import_sample(office_user)
    return department_plan(staff, [claim(staff, "计量器具使用情况的检查", cap="5")])


def test_a_submitted_plan_notifies_the_office_only(plan, everyone):
    second_office = make_user("office2", "SCJG", Role.OFFICE)
    plan_services.plan_submit(actor=everyone["head"], plan=plan)
    assert received("plan.submitted") == ["office1", "office2"]
    notification = Notification.objects.get(recipient=second_office)
    assert notification.title == f"区市场监管局报送了{plan.year}年度抽查计划，待备案"
    assert notification.link == reverse("plan-detail", args=[plan.pk])
    assert Notification.objects.count() == 2


def test_a_returned_plan_notifies_its_departments_staff_and_heads_only(plan, everyone):
    plan_services.plan_submit(actor=everyone["head"], plan=plan)
    plan_services.plan_return(actor=everyone["office"], plan=plan, comment="请补充抽查比例的依据。")
    assert received("plan.returned") == ["head1", "head2", "staff1"]
    notification = Notification.objects.get(kind="plan.returned", recipient=everyone["staff"])
    assert notification.body.startswith("退回意见：请补充抽查比例的依据。")
    assert notification.link == reverse("plan-detail", args=[plan.pk])


def test_a_refused_return_notifies_nobody(plan, everyone):
    plan_services.plan_submit(actor=everyone["head"], plan=plan)
    with pytest.raises(Exception):  # noqa: B017 - the permission error; the point is what was not written
        plan_services.plan_return(actor=everyone["outsider"], plan=plan, comment="越权退回")
    assert received("plan.returned") == []


# ---- draws ------------------------------------------------------------------------------------------


@pytest.fixture
def world(office_user, staff, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(office_user, staff, outsider)


@pytest.fixture
def task(world, staff):
    return special_task(world, staff)


def test_a_committed_draw_notifies_the_task_departments_people_but_not_the_one_who_committed_it(
    task, everyone
):
    draw = prepared(task, everyone["staff"], minutes=60)
    # SCJG initiates, JYJ participates: their staff and heads; not the office, not CZJ, not staff1.
    assert received("draw.scheduled") == ["head1", "head2", "jyjhead", "outsider1"]
    notification = Notification.objects.get(kind="draw.scheduled", recipient=everyone["jyjhead"])
    assert notification.link == reverse("draw-detail", args=[draw.pk])
    assert draw.commitment in notification.body


def test_a_cancelled_draw_notifies_the_same_departments(task, everyone):
    draw = prepared(task, everyone["staff"], minutes=60)
    draw_services.draw_cancel(actor=everyone["head"], draw=draw, reason="检查对象名录需要更新")
    assert received("draw.cancelled") == ["head2", "jyjhead", "outsider1", "staff1"]
    assert "检查对象名录需要更新" in Notification.objects.filter(kind="draw.cancelled").first().body


def test_an_executed_draw_notifies_each_drawn_inspector_with_an_account_and_the_departments(task, everyone):
    # Every registry inspector of both departments gets a login account; only the drawn are told.
    accounts = {}
    for inspector in Inspector.objects.filter(department__code__in=["SCJG", "JYJ"]).exclude(
        code__startswith="EXP"
    ):
        user = make_user(f"insp-{inspector.code}".lower(), inspector.department.code, Role.INSPECTOR)
        inspector.user = user
        inspector.save(update_fields=["user"])
        accounts[inspector.code] = user.username
    draw = executed(prepared(task, everyone["staff"]), everyone["staff"])
    drawn = dict(
        InspectionAssignment.objects.filter(inspection__draw=draw, is_active=True)
        .order_by()
        .values_list("inspector__code")
        .annotate(n=Count("inspection"))
    )
    assert drawn  # the draw made teams
    expected_inspectors = sorted(accounts[code] for code in drawn)
    inspector_rows = Notification.objects.filter(kind="draw.executed", link=reverse("inspector-home"))
    assert sorted(inspector_rows.values_list("recipient__username", flat=True)) == expected_inspectors
    for row in inspector_rows.select_related("recipient__inspector"):
        assert f"您参加其中 {drawn[row.recipient.inspector.code]} 户的检查" in row.body
    department_rows = Notification.objects.filter(
        kind="draw.executed", link=reverse("draw-detail", args=[draw.pk])
    )
    assert sorted(department_rows.values_list("recipient__username", flat=True)) == [
        "head1",
        "head2",
        "jyjhead",
        "outsider1",
    ]
    # The undrawn inspectors, the office, the cast's inspector1 (no registry entry), CZJ: nothing.
    told = set(
        Notification.objects.filter(kind="draw.executed").values_list("recipient__username", flat=True)
    )
    assert told.isdisjoint({"office1", "inspector1", "czjstaff", "auditor1", "staff1", "retired"})
    assert told.isdisjoint(set(accounts.values()) - set(expected_inspectors))


def test_executing_the_same_draw_again_notifies_nobody_twice(task, everyone):
    draw = executed(prepared(task, everyone["staff"]), everyone["staff"])
    before = Notification.objects.count()
    again = draw_services.draw_execute_run(
        draw_id=draw.pk,
        actor=everyone["staff"],
        witness_input="07 12 19 23 28 31 + 05",
        witness_source=Draw.WitnessSource.LOTTERY,
        executed_at=draw.executed_at,
    )
    assert again.pk == draw.pk
    assert Notification.objects.count() == before
