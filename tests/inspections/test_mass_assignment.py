"""The forms of issue 6 take only the fields their action allows (tests/access/mass_assignment.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import CaseLead, DishonestyListing, FollowUp, Inspection, MatterResult
from inspections.services_leads import LeadData, lead_register
from luozhuang_dsj.lib.roles import Role
from tests.access.mass_assignment import assert_mass_assignment_ignored, attacker_fields
from tests.conftest import client_for, make_user
from tests.inspections.helpers import build_world, drawn_task, enter, result_code, serve_as

TODAY = timezone.localdate()
EXTRA_FIELDS = (
    "status",
    "department_id",
    "target_id",
    "entered_by_id",
    "submitted_by_id",
    "approved_by_id",
    "revision",
    "finding_level",
    "client_token",
)


@pytest.fixture
def world(office_user, staff, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(office_user, staff, outsider)


@pytest.fixture
def inspection(world, staff):
    return drawn_task(world, staff).inspections.order_by("position").first()


def _extra(world, outsider, inspection):
    return {
        **attacker_fields(other_department=world.jyj, other_user=outsider),
        "target": world.targets[-1].pk,
        "target_id": world.targets[-1].pk,
        "inspection": inspection.pk + 1,
        "matter": world.schools.pk,
        "entered_by": outsider.pk,
        "submitted_by": outsider.pk,
        "approved_by": outsider.pk,
        "revision": 99,
        "finding_level": 0,
    }


def test_the_result_form_cannot_set_status_department_target_or_authors(
    world, inspection, inspector_user, outsider
):
    serve_as(inspector_user, inspection, world.scjg)
    result = enter(inspector_user, inspection, world.food, "01", submit=False)
    data = {
        "inspected_on": TODAY.isoformat(),
        "codes": [result_code("02").pk],
        "findings": "未建立进货查验记录",
        "action": "save",
    }
    assert_mass_assignment_ignored(
        client_for(inspector_user),
        reverse("result-entry", args=[inspection.pk, world.food.pk]),
        data,
        instance=result,
        extra={**_extra(world, outsider, inspection), "status": "approved"},
        fields=(*EXTRA_FIELDS, "inspection_id", "matter_id"),
        allowed_changes=("client_token", "finding_level"),
    )
    result.refresh_from_db()
    assert (result.status, result.department, result.target_id, result.entered_by) == (
        "draft",
        world.scjg,
        inspection.target_id,
        inspector_user,
    )


def test_the_heads_change_cannot_set_status_or_authors(world, inspection, inspector_user, head, outsider):
    serve_as(inspector_user, inspection, world.scjg)
    result = enter(inspector_user, inspection, world.food, "01")
    data = {
        "inspected_on": TODAY.isoformat(),
        "codes": [result_code("06").pk],
        "findings": "当场改正",
        "reason": "补充情况",
    }
    assert_mass_assignment_ignored(
        client_for(head),
        reverse("result-amend", args=[result.pk]),
        data,
        instance=result,
        extra={**_extra(world, outsider, inspection), "status": "draft"},
        fields=EXTRA_FIELDS,
        allowed_changes=("revision", "finding_level"),
    )
    result.refresh_from_db()
    assert (result.status, result.revision, result.submitted_by) == ("submitted", 2, inspector_user)


def test_a_follow_up_cannot_pick_its_origin_status_or_result(
    world, inspection, inspector_user, staff, outsider
):
    serve_as(inspector_user, inspection, world.scjg)
    result = enter(inspector_user, inspection, world.food, "07", findings="超范围经营")
    response = client_for(staff).post(
        reverse("follow-up-create", args=[result.pk]),
        {
            **_extra(world, outsider, inspection),
            "origin_department": world.jyj.pk,
            "result": result.pk + 7,
            "accepted_by": outsider.pk,
            "kind": "case",
            "measure": "立案调查",
            "status": "done",
        },
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.status, follow_up.origin_department, follow_up.department, follow_up.result) == (
        FollowUp.Status.OPEN,
        world.scjg,
        world.scjg,
        result,
    )
    assert (follow_up.created_by, follow_up.accepted_by) == (staff, None)


def test_a_department_registers_leads_only_for_itself(world, staff, outsider):
    response = client_for(staff).post(
        reverse("lead-create"),
        {
            **attacker_fields(other_department=world.jyj, other_user=outsider),
            "registering_department": world.jyj.pk,
            "registered_by": outsider.pk,
            "number": "XS0000001",
            "source": "complaint",
            "kind": "general",
            "received_on": TODAY.isoformat(),
            "party_name": "x",
            "party_credit_code": world.targets[0].code,
            "description": "投诉",
        },
    )
    assert response.status_code == 302
    lead = CaseLead.objects.get()
    assert (lead.department, lead.registering_department, lead.registered_by, lead.status) == (
        world.scjg,
        world.scjg,
        staff,
        CaseLead.Status.ASSIGNED,
    )
    assert lead.number.startswith(f"XS{TODAY.year}")


def test_closing_a_lead_cannot_set_its_department(world, staff, outsider):
    lead = lead_register(
        actor=staff,
        data=LeadData(
            source="complaint",
            kind="general",
            received_on=TODAY,
            party_name="x",
            party_credit_code=world.targets[0].code,
            description="投诉",
        ),
    )
    assert_mass_assignment_ignored(
        client_for(staff),
        reverse("lead-close", args=[lead.pk]),
        {"outcome": "不予立案"},
        instance=lead,
        extra={**attacker_fields(other_department=world.jyj, other_user=outsider), "task": 1},
        allowed_changes=("status",),
    )
    lead.refresh_from_db()
    assert (lead.department, lead.task) == (world.scjg, None)


def test_the_joint_summary_cannot_set_the_closing_user_or_level(world, inspection, staff, outsider):
    assert_mass_assignment_ignored(
        client_for(staff),
        reverse("inspection-close", args=[inspection.pk]),
        {"outcome": "done", "summary": "汇总"},
        instance=inspection,
        extra={
            **attacker_fields(other_department=world.jyj, other_user=outsider),
            "closed_by": outsider.pk,
            "finding_level": 3,
            "status": "done",
        },
        fields=("status", "closed_by_id", "finding_level"),
    )
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PENDING


def test_the_list_form_cannot_backdate_removal_or_pick_its_author(world, office_user, outsider):
    response = client_for(office_user).post(
        reverse("dishonesty-create"),
        {
            **attacker_fields(other_department=world.jyj, other_user=outsider),
            "removed_on": TODAY.isoformat(),
            "removed_by": outsider.pk,
            "target": world.targets[0].code,
            "source": "信用中国",
            "reason": "虚假登记",
            "listed_on": (TODAY - datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    listing = DishonestyListing.objects.get()
    assert (listing.created_by, listing.removed_on, listing.removed_by) == (office_user, None, None)


def test_an_override_cannot_pick_its_author_or_be_born_lifted(world, office_user, outsider):
    from inspections.models import CreditOverride

    target = world.targets[0]
    client_for(office_user).post(
        reverse("credit-override", args=[target.pk]),
        {
            **attacker_fields(other_department=world.jyj, other_user=outsider),
            "lifted_at": "2020-01-01T00:00:00+08:00",
            "risk_class": "D",
            "reason": "严重违法",
        },
    )
    override = CreditOverride.objects.get()
    assert (override.created_by, override.lifted_at, override.target) == (office_user, None, target)


def test_submitted_results_of_another_department_cannot_be_changed_by_its_head(
    world, inspection, inspector_user
):
    serve_as(inspector_user, inspection, world.scjg)
    result = enter(inspector_user, inspection, world.food, "01")
    jyj_head = make_user("jyj_head1", "JYJ", Role.DEPT_HEAD)
    client = client_for(jyj_head)
    assert client.get(reverse("result-amend", args=[result.pk])).status_code == 403
    assert client.post(reverse("result-approve", args=[result.pk])).status_code == 403
    assert client.post(reverse("result-return", args=[result.pk]), {"reason": "x"}).status_code == 403
    result.refresh_from_db()
    assert (result.status, result.revision) == (MatterResult.Status.SUBMITTED, 1)
