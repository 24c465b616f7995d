"""Result entry (谁检查、谁录入), the head's review, the joint summary and the consequences."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections import selectors
from inspections.models import FollowUp, Inspection, MatterResult, ResultAmendment, Task
from inspections.permissions import visible_results
from inspections.services_results import (
    inspection_close,
    result_amend,
    result_approve,
    result_return,
    result_save,
)
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import AuditEvent
from notices.workdays import add_working_days
from plans.models import ExemptionItem
from registry.models import Target, TargetChange
from tests.conftest import client_for, make_user
from tests.inspections.helpers import build_world, drawn_task, enter, result_data, serve_as

TODAY = timezone.localdate()


@pytest.fixture
def world(office_user, staff, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(office_user, staff, outsider)


@pytest.fixture
def task(world, staff):
    return drawn_task(world, staff)


@pytest.fixture
def inspection(task):
    return task.inspections.order_by("position").first()


@pytest.fixture
def scjg_inspector(inspector_user, inspection, world):
    serve_as(inspector_user, inspection, world.scjg)
    return inspector_user


@pytest.fixture
def jyj_inspector(inspection, world):
    user = make_user("jyj_inspector1", "JYJ", Role.INSPECTOR)
    serve_as(user, inspection, world.jyj)
    return user


@pytest.fixture
def exemption(world, office_user):
    return ExemptionItem.objects.create(
        department=world.scjg,
        code="SCJG-T01",
        description="未将营业执照置于醒目位置",
        legal_basis="《市场主体登记管理条例》第三十六条",
        conditions="首次被发现并及时改正",
    )


def test_a_team_member_saves_a_draft_then_submits_and_both_steps_are_audited(
    world, inspection, scjg_inspector
):
    draft = enter(scjg_inspector, inspection, world.food, "01", submit=False)
    inspection.refresh_from_db()
    assert (draft.status, draft.department, draft.target_id) == ("draft", world.scjg, inspection.target_id)
    assert inspection.status == Inspection.Status.IN_PROGRESS

    submitted = enter(scjg_inspector, inspection, world.food, "01")
    assert submitted.pk == draft.pk
    assert (submitted.status, submitted.submitted_by, submitted.finding_level) == (
        "submitted",
        scjg_inspector,
        0,
    )
    assert list(
        AuditEvent.objects.filter(object_type="事项检查结果").order_by("pk").values_list("action", flat=True)
    ) == [
        "result.save_draft",
        "result.submit",
    ]


def test_another_departments_team_member_can_neither_read_the_draft_nor_write_it(
    world, inspection, scjg_inspector, jyj_inspector
):
    draft = enter(scjg_inspector, inspection, world.food, "02", submit=False, findings="台账缺失")
    client = client_for(jyj_inspector)
    entry = reverse("result-entry", args=[inspection.pk, world.food.pk])
    events = AuditEvent.objects.count()

    assert client.get(entry).status_code == 403
    assert client.post(entry, {"codes": [], "action": "submit", "findings": "改写"}).status_code == 403
    assert client.get(reverse("result-detail", args=[draft.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        result_save(
            actor=jyj_inspector, inspection=inspection, matter=world.food, data=result_data("01"), submit=True
        )
    draft.refresh_from_db()
    assert (draft.status, draft.findings, AuditEvent.objects.count()) == ("draft", "台账缺失", events)
    assert not visible_results(jyj_inspector).filter(pk=draft.pk).exists()
    assert not visible_results(make_user("jyj_staff9", "JYJ", Role.DEPT_STAFF)).filter(pk=draft.pk).exists()


def test_an_inspector_who_is_not_on_the_team_does_not_find_the_inspection(world, inspection, inspector_user):
    response = client_for(inspector_user).get(reverse("inspection-detail", args=[inspection.pk]))
    assert response.status_code == 404


def test_a_submitted_result_is_read_by_every_department_but_a_draft_only_by_its_own(
    world, inspection, scjg_inspector, outsider, staff
):
    draft = enter(scjg_inspector, inspection, world.food, "01", submit=False)
    assert visible_results(staff).filter(pk=draft.pk).exists()
    assert not visible_results(outsider).filter(pk=draft.pk).exists()
    enter(scjg_inspector, inspection, world.food, "01")
    assert client_for(outsider).get(reverse("result-detail", args=[draft.pk])).status_code == 200
    assert client_for(outsider).get(reverse("shared-results") + f"?q={inspection.target.code}").context[
        "page"
    ].object_list[0] == MatterResult.objects.get(pk=draft.pk)


def test_a_no_penalty_citation_without_a_correction_order_is_refused(
    world, inspection, scjg_inspector, exemption
):
    with pytest.raises(ValidationError) as refused:
        enter(
            scjg_inspector, inspection, world.food, "07", findings="营业执照未公示", exemption_item=exemption
        )
    assert refused.value.message_dict == {
        "correction_order": [
            "适用轻微违法免罚清单的，必须同时责令改正并写明改正内容和改正期限（首违不罚须责令改正）。"
        ]
    }
    assert not MatterResult.objects.exists()
    assert not FollowUp.objects.exists()


def test_the_result_form_refuses_a_no_penalty_citation_without_a_correction_order_and_keeps_nothing(
    world, inspection, scjg_inspector, exemption
):
    response = client_for(scjg_inspector).post(
        reverse("result-entry", args=[inspection.pk, world.food.pk]),
        {
            "inspected_on": TODAY.isoformat(),
            "codes": [str(code) for code in _codes("07")],
            "findings": "营业执照未公示",
            "exemption_item": exemption.pk,
            "action": "submit",
        },
    )
    assert response.status_code == 200
    assert "必须同时责令改正" in response.content.decode()
    assert not MatterResult.objects.exists()


def test_a_no_penalty_citation_with_its_correction_order_opens_the_correction_follow_up(
    world, inspection, scjg_inspector, exemption
):
    deadline = TODAY + datetime.timedelta(days=10)
    result = enter(
        scjg_inspector,
        inspection,
        world.food,
        "07",
        findings="营业执照未公示",
        exemption_item=exemption,
        correction_order="将营业执照置于经营场所醒目位置",
        correction_deadline=deadline,
    )
    follow_up = FollowUp.objects.get()
    assert (follow_up.result, follow_up.kind, follow_up.status, follow_up.deadline, follow_up.department) == (
        result,
        FollowUp.Kind.CORRECTION,
        FollowUp.Status.OPEN,
        deadline,
        world.scjg,
    )


@pytest.mark.parametrize(
    ("code", "field", "value"),
    [
        ("10", "status", Target.Status.DEREGISTERED),
        ("11", "status", Target.Status.REVOKED),
        ("12", "status", Target.Status.DEREGISTERED),
        ("13", "status", Target.Status.MOVED_OUT),
        ("04", "address_unreachable", True),
    ],
)
def test_a_status_code_updates_the_target_and_its_history(
    world, inspection, scjg_inspector, code, field, value
):
    findings = {"findings": "经营场所已无人"} if code == "04" else {}
    enter(scjg_inspector, inspection, world.food, code, **findings)
    target = Target.objects.get(pk=inspection.target_id)
    assert getattr(target, field) == value
    change = TargetChange.objects.get(target=target)
    assert change.source == TargetChange.Source.RESULT
    assert change.changes == {field: [Target.Status.ACTIVE if field == "status" else False, value]}
    assert change.user == scjg_inspector


def test_a_draft_changes_nothing_on_the_target(world, inspection, scjg_inspector):
    enter(scjg_inspector, inspection, world.food, "10", submit=False)
    assert Target.objects.get(pk=inspection.target_id).status == Target.Status.ACTIVE


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ((), "请至少选择一项检查结果。"),
        (("01", "02"), "“未发现问题”不能与其他检查结果同时选择。"),
        (("10", "13"), "登记状态类结果（09–13）只能选择一项。"),
    ],
)
def test_codes_that_contradict_each_other_are_refused(world, inspection, scjg_inspector, codes, message):
    with pytest.raises(ValidationError) as refused:
        enter(scjg_inspector, inspection, world.food, *codes, findings="x")
    assert refused.value.message_dict["codes"] == [message]
    assert not MatterResult.objects.filter(status="submitted").exists()


def test_after_submission_only_the_head_changes_the_result_with_a_reason_and_before_and_after(
    world, inspection, scjg_inspector, staff, head
):
    result = enter(scjg_inspector, inspection, world.food, "01")
    with pytest.raises(ValidationError):
        enter(scjg_inspector, inspection, world.food, "02", findings="补录")
    with pytest.raises(PermissionDenied):
        result_amend(actor=staff, result=result, data=result_data("02", findings="x"), reason="更正")
    response = client_for(staff).get(reverse("result-amend", args=[result.pk]))
    assert response.status_code == 403

    amended = result_amend(
        actor=head, result=result, data=result_data("06", findings="已当场改正"), reason="录入有误"
    )
    amendment = ResultAmendment.objects.get()
    assert (amended.revision, amendment.revision, amendment.reason) == (2, 2, "录入有误")
    assert (amendment.before["codes"], amendment.after["codes"]) == (["01"], ["06"])
    event = AuditEvent.objects.get(action="result.amend")
    assert (event.before["codes"], event.after["codes"], event.after["reason"]) == (
        ["01"],
        ["06"],
        "录入有误",
    )
    assert (event.username, event.role) == ("head1", Role.DEPT_HEAD)


def test_the_head_approves_or_returns_a_submitted_result(world, inspection, scjg_inspector, head):
    result = enter(scjg_inspector, inspection, world.food, "01")
    returned = result_return(actor=head, result=result, reason="检查日期有误")
    assert (returned.status, returned.return_reason) == ("draft", "检查日期有误")
    result = enter(scjg_inspector, inspection, world.food, "01")
    assert result_approve(actor=head, results=[result]) == 1
    result.refresh_from_db()
    assert (result.status, result.approved_by) == ("approved", head)
    with pytest.raises(ValidationError):
        result_return(actor=head, result=result, reason="晚了")


def test_the_joint_summary_waits_for_every_department_then_closes_the_inspection(
    world, task, inspection, scjg_inspector, jyj_inspector, staff, outsider
):
    enter(scjg_inspector, inspection, world.food, "01")
    with pytest.raises(ValidationError) as refused:
        inspection_close(actor=staff, inspection=inspection, summary="未发现问题", impossible=False)
    assert refused.value.messages == [
        f"以下事项尚未提交检查结果，暂不能办结：{world.jyj.short_name}：{world.schools.name}。"
    ]
    enter(jyj_inspector, inspection, world.schools, "02", findings="未公示办学许可")
    with pytest.raises(PermissionDenied):
        inspection_close(actor=outsider, inspection=inspection, summary="汇总", impossible=False)
    closed = inspection_close(actor=staff, inspection=inspection, summary="联合检查完毕", impossible=False)
    assert (closed.status, closed.finding_level, closed.closed_by) == ("done", 2, staff)
    # 谁检查、谁公开: each department's results await its own publication, due in 20 working days.
    closed_on = timezone.localdate(closed.closed_at)
    assert sorted(closed.publications.values_list("department__code", "status", "closed_on", "due_on")) == [
        ("JYJ", "pending", closed_on, add_working_days(closed_on, 20)),
        ("SCJG", "pending", closed_on, add_working_days(closed_on, 20)),
    ]
    assert Task.objects.get(pk=task.pk).status == Task.Status.DRAWN
    with pytest.raises(ValidationError):
        enter(scjg_inspector, inspection, world.food, "01")


def test_the_task_is_done_when_its_last_inspection_closes(world, task, staff, inspector_user, outsider):
    jyj_user = make_user("jyj_inspector2", "JYJ", Role.INSPECTOR)
    for inspection in task.inspections.all():
        serve_as(inspector_user, inspection, world.scjg)
        serve_as(jyj_user, inspection, world.jyj)
        enter(inspector_user, inspection, world.food, "01")
        enter(jyj_user, inspection, world.schools, "01")
        inspection_close(actor=staff, inspection=inspection, summary="未发现问题", impossible=False)
    assert Task.objects.get(pk=task.pk).status == Task.Status.CLOSED


def test_the_exclusion_window_counts_a_checked_inspection_for_every_matter(world, task, staff, outsider):
    """Another task of either matter leaves the drawn targets out of its frame."""
    from tests.inspections.helpers import special_task

    drawn_targets = set(task.inspections.values_list("target_id", flat=True))
    other = special_task(world, staff, title="仅食品", participants=[])
    recent = set(selectors.recently_inspected(other, today=TODAY).values_list("target_id", flat=True))
    assert recent == drawn_targets


def test_the_inspector_home_lists_my_inspections_by_date_and_batch(
    world, task, inspection, scjg_inspector, staff
):
    from inspections.services_results import inspection_schedule

    inspection_schedule(actor=staff, inspection=inspection, day=TODAY)
    response = client_for(scjg_inspector).get(reverse("inspector-home"))
    groups = response.context["groups"]
    assert groups[0]["date"] == TODAY
    assert [item["inspection"] for item in groups[0]["items"]] == [inspection]
    assert groups[0]["items"][0]["matters"] == 1
    assert inspection.target.name in response.content.decode()


def test_the_notice_names_the_team_with_certificate_numbers_for_staff_only(
    world, inspection, scjg_inspector, client
):
    response = client_for(scjg_inspector).get(reverse("inspection-notice", args=[inspection.pk]))
    page = response.content.decode()
    for assignment in inspection.assignments.filter(is_active=True).select_related("inspector"):
        assert assignment.inspector.name in page
        if assignment.inspector.certificate_number:
            assert assignment.inspector.certificate_number in page
    assert world.food.name in page and world.schools.name in page
    assert "营业执照" in page
    assert client.get(reverse("inspection-notice", args=[inspection.pk])).status_code == 302


def _codes(*codes):
    from inspections.models import ResultCode

    return list(ResultCode.objects.filter(code__in=codes).values_list("pk", flat=True))
