"""Follow-up of findings: correction and re-check, hand-offs between departments, deadlines."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections import selectors
from inspections.models import FollowUp
from inspections.services_followups import (
    FollowUpData,
    follow_up_accept,
    follow_up_close,
    follow_up_create,
    follow_up_recheck,
    follow_up_return,
)
from luozhuang_dsj.lib.deadlines import deadline_after, is_overdue
from luozhuang_dsj.models import AuditEvent
from tests.conftest import client_for
from tests.inspections.helpers import build_world, drawn_task, enter, serve_as

TODAY = timezone.localdate()


@pytest.fixture
def world(office_user, staff, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(office_user, staff, outsider)


@pytest.fixture
def finding(world, staff, inspector_user):
    inspection = drawn_task(world, staff).inspections.order_by("position").first()
    serve_as(inspector_user, inspection, world.scjg)
    return enter(inspector_user, inspection, world.food, "07", findings="超范围经营学生餐")


def _handover(staff, finding, jyj):
    return follow_up_create(
        actor=staff,
        result=finding,
        data=FollowUpData(
            kind=FollowUp.Kind.HANDOVER,
            measure="学校食堂由教育部门主管，移交依法处理",
            receiving_department=jyj,
            handover_basis=FollowUp.Basis.COMPETENT,
        ),
    )


@pytest.mark.django_db
def test_deadlines_count_working_days_and_are_met_on_the_day():
    # 2026 劳动节: 1–5 May off, Saturday 9 May a make-up working day.
    day = datetime.date(2026, 4, 30)
    assert deadline_after(day, 5) == datetime.date(2026, 5, 11)
    assert not is_overdue(datetime.date(2026, 5, 11), today=datetime.date(2026, 5, 11))
    assert is_overdue(datetime.date(2026, 5, 11), today=datetime.date(2026, 5, 12))


def test_a_hand_off_appears_in_the_receiving_departments_queue_and_its_acceptance_is_audited(
    world, finding, staff, outsider
):
    handover = _handover(staff, finding, world.jyj)
    assert (handover.status, handover.department, handover.accept_deadline) == (
        FollowUp.Status.AWAITING,
        world.jyj,
        deadline_after(TODAY, 5),
    )
    response = client_for(outsider).get(reverse("handover-list"))
    assert response.context["handovers"] == [handover]
    assert list(selectors.handover_queue(world.scjg.pk)) == []

    follow_up_accept(actor=outsider, follow_up=handover)
    handover.refresh_from_db()
    assert (handover.status, handover.accepted_by) == (FollowUp.Status.OPEN, outsider)
    event = AuditEvent.objects.get(action="follow_up.accept")
    assert (event.username, event.before["status"], event.after["status"], event.after["department"]) == (
        "outsider1",
        "awaiting",
        "open",
        "JYJ",
    )
    assert list(selectors.handover_queue(world.jyj.pk)) == []
    assert list(selectors.follow_up_queue(world.jyj.pk, today=TODAY)["open"]) == [handover]


def test_the_sending_department_cannot_accept_its_own_hand_off(world, finding, staff):
    handover = _handover(staff, finding, world.jyj)
    client = client_for(staff)
    events = AuditEvent.objects.count()
    response = client.post(reverse("follow-up-accept", args=[handover.pk]))
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        follow_up_accept(actor=staff, follow_up=handover)
    handover.refresh_from_db()
    assert (handover.status, AuditEvent.objects.count()) == (FollowUp.Status.AWAITING, events)


def test_a_returned_hand_off_needs_a_reason_and_goes_back_to_the_sender(world, finding, staff, outsider):
    handover = _handover(staff, finding, world.jyj)
    with pytest.raises(ValidationError):
        follow_up_return(actor=outsider, follow_up=handover, reason="  ")
    client_for(outsider).post(reverse("follow-up-return", args=[handover.pk]), {"reason": "不属于本部门职责"})
    handover.refresh_from_db()
    assert (handover.status, handover.return_reason, handover.returned_by) == (
        FollowUp.Status.RETURNED,
        "不属于本部门职责",
        outsider,
    )
    queue = selectors.follow_up_queue(world.scjg.pk, today=TODAY)
    assert list(queue["returned"]) == [handover]
    assert list(selectors.results_awaiting_follow_up(world.scjg.pk)) == [finding]
    with pytest.raises(ValidationError):
        follow_up_accept(actor=outsider, follow_up=handover)


def test_a_finding_waits_for_a_measure_until_one_is_registered(world, finding, staff):
    assert list(selectors.results_awaiting_follow_up(world.scjg.pk)) == [finding]
    follow_up_create(
        actor=staff,
        result=finding,
        data=FollowUpData(
            kind=FollowUp.Kind.CASE_FILING, measure="立案调查", document_number="罗市监立〔2026〕1号"
        ),
    )
    assert list(selectors.results_awaiting_follow_up(world.scjg.pk)) == []


def test_a_correction_order_is_rechecked_and_flagged_when_its_deadline_passes(world, finding, staff):
    correction = follow_up_create(
        actor=staff,
        result=finding,
        data=FollowUpData(
            kind=FollowUp.Kind.CORRECTION,
            measure="停止超范围经营",
            deadline=TODAY + datetime.timedelta(days=7),
        ),
    )
    assert not correction.is_overdue(TODAY)
    FollowUp.objects.filter(pk=correction.pk).update(deadline=TODAY - datetime.timedelta(days=1))
    correction.refresh_from_db()
    assert correction.is_overdue(TODAY)
    page = client_for(staff).get(reverse("follow-up-list"))
    assert page.context["open"][0].overdue is True
    assert "逾期" in page.content.decode()
    with pytest.raises(ValidationError):
        follow_up_close(actor=staff, follow_up=correction, outcome="改了")
    rechecked = follow_up_recheck(
        actor=staff, follow_up=correction, recheck_on=TODAY, corrected=False, note="仍在经营"
    )
    assert (rechecked.status, rechecked.recheck_corrected, rechecked.outcome) == (
        FollowUp.Status.DONE,
        False,
        "复查未改正，需进一步处置",
    )
    assert not rechecked.is_overdue(TODAY)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (FollowUpData(kind=FollowUp.Kind.CORRECTION, measure="改正"), "deadline"),
        (FollowUpData(kind=FollowUp.Kind.HANDOVER, measure="移交"), "receiving_department"),
        (FollowUpData(kind=FollowUp.Kind.JUDICIAL, measure="涉嫌犯罪"), "external_body"),
        (FollowUpData(kind=FollowUp.Kind.CASE_FILING, measure=" "), "measure"),
    ],
)
def test_an_incomplete_measure_is_refused(world, finding, staff, data, field):
    with pytest.raises(ValidationError) as refused:
        follow_up_create(actor=staff, result=finding, data=data)
    assert field in refused.value.message_dict
    assert not FollowUp.objects.exists()


def test_another_department_cannot_register_a_measure_on_a_finding(world, finding, outsider):
    response = client_for(outsider).post(
        reverse("follow-up-create", args=[finding.pk]), {"kind": "case", "measure": "立案"}
    )
    assert response.status_code == 403
    assert not FollowUp.objects.exists()


def test_a_judicial_transfer_is_closed_with_its_outcome(world, finding, staff):
    transfer = follow_up_create(
        actor=staff,
        result=finding,
        data=FollowUpData(
            kind=FollowUp.Kind.JUDICIAL,
            measure="涉嫌生产销售不符合安全标准的食品",
            external_body="临沂市公安局罗庄分局",
        ),
    )
    closed = follow_up_close(
        actor=staff, follow_up=transfer, outcome="公安机关已立案", document_number="罗公刑〔2026〕8号"
    )
    assert (closed.status, closed.document_number) == (FollowUp.Status.DONE, "罗公刑〔2026〕8号")


def test_a_hand_off_notifies_exactly_the_receiving_departments_staff_and_heads(
    world, finding, staff, outsider, head
):
    from notices.models import Notification
    from tests.conftest import make_user

    jyj_head = make_user("jyjhead1", "JYJ", "dept_head")
    handover = _handover(staff, finding, world.jyj)
    notified = Notification.objects.filter(kind="handoff.received")
    assert sorted(notified.values_list("recipient__username", flat=True)) == sorted(
        [outsider.username, jyj_head.username]
    )
    assert set(notified.values_list("link", flat=True)) == {f"/work/follow-ups/{handover.pk}/"}
