"""The plan workflow role by role: who may submit, file, return, approve, publish and revise,
and that every refused action leaves the plan exactly as it was."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent
from plans import services
from plans.models import AnnualPlan, PlanRevision, PlanStep
from tests.conftest import client_for
from tests.plans.helpers import YEAR, department_plan, head_of, item_data


@pytest.fixture
def plan(staff, matters):
    return department_plan(staff, [matters["metering"]])


def state(plan: AnnualPlan) -> tuple:
    plan.refresh_from_db()
    return (
        plan.status,
        plan.revision,
        plan.submitted_at,
        plan.first_filed_at,
        plan.return_comment,
        PlanRevision.objects.filter(plan=plan).count(),
        PlanStep.objects.filter(plan=plan).count(),
        AuditEvent.objects.filter(action__startswith="plan.").count(),
    )


def refused(user, action, plan, **kwargs):
    before = state(plan)
    with pytest.raises(PermissionDenied):
        action(actor=user, plan=plan, **kwargs)
    assert state(plan) == before


def test_only_the_department_head_submits(plan, staff, office_user, outsider, head):
    jyj_head = head_of("JYJ", "jyjhead")
    for user in (staff, office_user, outsider, jyj_head):
        refused(user, services.plan_submit, plan)
    services.plan_submit(actor=head, plan=plan)
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.SUBMITTED
    assert list(plan.steps.values_list("action", "user__username")) == [
        ("submit", "head1"),
        ("create", "staff1"),
    ]


def test_a_plan_with_problems_cannot_be_submitted(staff, head, matters):
    empty = services.plan_create(actor=staff, scope=AnnualPlan.Scope.DEPARTMENT, year=YEAR)
    with pytest.raises(ValidationError) as error:
        services.plan_submit(actor=head, plan=empty)
    assert error.value.messages == ["计划中还没有抽查任务。"]
    plan = department_plan(staff, [matters["metering"]], year=YEAR + 1)
    services.matter_withdraw(actor=staff, matter=matters["metering"], reason="职责划转")
    before = state(plan)
    with pytest.raises(ValidationError) as error:
        services.plan_submit(actor=head, plan=plan)
    assert error.value.messages == [
        "任务1“食品经营者综合联查”：区市场监管局的事项“计量器具使用情况的检查”已移出清单，请改选其他事项。"
    ]
    assert state(plan) == before


def test_only_the_office_files_or_returns_a_submitted_plan(plan, staff, head, outsider, office_user):
    services.plan_submit(actor=head, plan=plan)
    for user in (staff, head, outsider):
        refused(user, services.plan_file, plan)
        refused(user, services.plan_return, plan, comment="退回")
    before = state(plan)
    with pytest.raises(ValidationError) as error:
        services.plan_return(actor=office_user, plan=plan, comment="  ")
    assert error.value.message_dict == {"comment": ["请填写退回意见。"]}
    assert state(plan) == before

    services.plan_return(actor=office_user, plan=plan, comment="任务1的对象范围过宽，请缩小。")
    plan.refresh_from_db()
    assert (plan.status, plan.return_comment) == (AnnualPlan.Status.RETURNED, "任务1的对象范围过宽，请缩小。")
    # A returned plan can be edited and submitted again, then filed.
    services.plan_update(
        actor=staff, plan=plan, title="区市场监管局2027年度随机抽查工作计划（修改稿）", description=""
    )
    services.plan_submit(actor=head, plan=plan)
    revision = services.plan_file(actor=office_user, plan=plan)
    plan.refresh_from_db()
    assert (plan.status, revision.number, revision.snapshot["title"]) == (
        AnnualPlan.Status.FILED,
        1,
        "区市场监管局2027年度随机抽查工作计划（修改稿）",
    )
    assert plan.first_filed_at is not None and plan.filed_submission_at == plan.submitted_at


def test_steps_out_of_order_are_refused_and_change_nothing(plan, staff, head, office_user, matters):
    before = state(plan)
    with pytest.raises(ValidationError) as error:
        services.plan_file(actor=office_user, plan=plan)
    assert error.value.messages == ["计划当前为“草稿”，不能备案。"]
    with pytest.raises(ValidationError) as error:
        services.plan_publish(actor=head, plan=plan)
    assert error.value.messages == ["计划当前为“草稿”，不能公开。"]
    with pytest.raises(ValidationError) as error:
        services.plan_revise(actor=staff, plan=plan, reason="调整")
    assert error.value.messages[0].startswith("计划当前为“草稿”，不能发起调整")
    assert state(plan) == before

    services.plan_submit(actor=head, plan=plan)
    before = state(plan)
    item = plan.items.get()
    with pytest.raises(ValidationError) as error:
        services.plan_item_save(
            actor=staff, plan=plan, item=item, data=item_data(staff.department, [matters["food"]])
        )
    assert error.value.messages == [
        "计划当前为“已报送，待备案”，不能修改；如需调整，请先“发起调整”并说明理由。"
    ]
    with pytest.raises(ValidationError):
        services.plan_submit(actor=head, plan=plan)
    assert state(plan) == before
    assert [matter.name for matter in plan.items.get().departments.get().matters.all()] == [
        "计量器具使用情况的检查"
    ]


def test_only_the_department_head_publishes_a_filed_department_plan(plan, staff, head, office_user, outsider):
    services.plan_submit(actor=head, plan=plan)
    services.plan_file(actor=office_user, plan=plan)
    for user in (staff, office_user, outsider):
        refused(user, services.plan_publish, plan)
    revision = services.plan_publish(actor=head, plan=plan)
    plan.refresh_from_db()
    assert (plan.status, revision.is_published, revision.published_by) == (
        AnnualPlan.Status.PUBLISHED,
        True,
        head,
    )


def test_revising_a_filed_plan_needs_its_department_and_a_reason(plan, staff, head, office_user, outsider):
    services.plan_submit(actor=head, plan=plan)
    services.plan_file(actor=office_user, plan=plan)
    for user in (office_user, outsider):
        refused(user, services.plan_revise, plan, reason="调整")
    before = state(plan)
    with pytest.raises(ValidationError) as error:
        services.plan_revise(actor=staff, plan=plan, reason="")
    assert error.value.message_dict == {"reason": ["请说明调整理由。"]}
    assert state(plan) == before
    services.plan_revise(actor=staff, plan=plan, reason="上级部署专项整治")
    plan.refresh_from_db()
    assert (plan.status, plan.revision, plan.revision_reason) == (
        AnnualPlan.Status.DRAFT,
        2,
        "上级部署专项整治",
    )
    # The filed revision stays as it was while the new one is drafted.
    assert list(plan.revisions.values_list("number", flat=True)) == [1]


def test_the_joint_plan_is_drafted_approved_and_published_by_the_office(
    office_user, staff, head, matters, scjg
):
    joint = services.plan_create(actor=office_user, scope=AnnualPlan.Scope.JOINT, year=YEAR)
    services.plan_item_save(
        actor=office_user, plan=joint, item=None, data=item_data(scjg, [matters["metering"]])
    )
    for user in (staff, head):
        refused(
            user,
            services.plan_approve,
            joint,
            meeting="第1次联席会议",
            meeting_date=datetime.date(2026, 1, 10),
        )
        refused(user, services.plan_submit, joint)
    refused(office_user, services.plan_submit, joint)  # the joint plan is approved, not submitted
    before = state(joint)
    with pytest.raises(ValidationError) as error:
        services.plan_approve(
            actor=office_user, plan=joint, meeting="", meeting_date=datetime.date(2099, 1, 1)
        )
    assert error.value.message_dict == {
        "meeting": ["请填写审议该计划的会议，如“2026年第1次联席会议”。"],
        "meeting_date": ["审议日期不能晚于今天。"],
    }
    assert state(joint) == before
    revision = services.plan_approve(
        actor=office_user, plan=joint, meeting="2026年第1次联席会议", meeting_date=datetime.date(2026, 1, 10)
    )
    joint.refresh_from_db()
    assert (joint.status, revision.snapshot["meeting"], revision.snapshot["meeting_date"]) == (
        AnnualPlan.Status.APPROVED,
        "2026年第1次联席会议",
        "2026年1月10日",
    )
    refused(head, services.plan_publish, joint)
    services.plan_publish(actor=office_user, plan=joint)
    joint.refresh_from_db()
    assert joint.status == AnnualPlan.Status.PUBLISHED


def test_department_staff_cannot_create_the_joint_plan_nor_a_second_plan_for_a_year(staff, office_user):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=staff, scope=AnnualPlan.Scope.JOINT, year=YEAR)
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=office_user, scope=AnnualPlan.Scope.DEPARTMENT, year=YEAR)
    services.plan_create(actor=staff, scope=AnnualPlan.Scope.DEPARTMENT, year=YEAR)
    with pytest.raises(ValidationError) as error:
        services.plan_create(actor=staff, scope=AnnualPlan.Scope.DEPARTMENT, year=YEAR)
    assert error.value.message_dict == {"year": [f"{YEAR}年度的计划已经存在。"]}
    assert AnnualPlan.objects.count() == 1


# ---- the same through the pages -------------------------------------------------------------------

ACTIONS = {
    "plan-submit": {},
    "plan-file": {},
    "plan-return": {"comment": "退回"},
    "plan-publish": {},
    "plan-revise": {"reason": "调整"},
    "plan-approve": {"meeting": "会议", "meeting_date": "2026-01-10"},
}


@pytest.mark.parametrize("who", ["staff", "head", "office", "outsider", "inspector", "auditor", "sysadmin"])
def test_every_action_page_refuses_whoever_may_not_act_and_nothing_changes(cast, matters, who):
    plan = department_plan(cast["staff"], [matters["metering"]])
    services.plan_submit(actor=cast["head"], plan=plan)
    allowed = {"office": {"plan-file", "plan-return"}}.get(who, set())
    # Roles that may take the step, but not while the plan is submitted: told why, on the plan page.
    wrong_state = {"head": {"plan-submit", "plan-publish", "plan-revise"}, "staff": {"plan-revise"}}.get(
        who, set()
    )
    client = client_for(cast[who])
    for name, data in ACTIONS.items():
        if name in allowed:
            continue
        before = state(plan)
        response = client.post(reverse(name, args=[plan.pk]), data)
        expected = {302} if name in wrong_state else {403, 404}
        assert response.status_code in expected, (name, response.status_code)
        assert state(plan) == before, name


def test_the_head_submits_and_the_office_files_through_the_pages(staff, head, office_user, matters):
    plan = department_plan(staff, [matters["metering"]])
    response = client_for(head).post(reverse("plan-submit", args=[plan.pk]), follow=True)
    assert "已报送联席会议办公室备案。" in response.content.decode()
    page = client_for(office_user).get(reverse("plan-list")).content.decode()
    assert "待备案的部门计划（1）" in page
    response = client_for(office_user).post(
        reverse("plan-return", args=[plan.pk]), {"comment": ""}, follow=True
    )
    assert "请填写退回意见。" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.SUBMITTED
    client_for(office_user).post(reverse("plan-file", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.FILED
