"""Case leads (个案线索): registration, assignment, case checks and special tasks."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections.models import CaseLead, Inspection, Task
from inspections.services_leads import (
    CaseCheckData,
    GroupData,
    LeadData,
    lead_assign,
    lead_case_check,
    lead_close,
    lead_register,
    leads_group,
)
from inspections.services_results import inspection_close
from luozhuang_dsj.lib.deadlines import deadline_after
from luozhuang_dsj.models import AuditEvent
from registry.models import Inspector, SubRegistry, Target
from tests.conftest import client_for
from tests.inspections.helpers import build_world, declare_conflict, enter

TODAY = timezone.localdate()


@pytest.fixture
def world(office_user, staff, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(office_user, staff, outsider)


def _data(**values):
    data = LeadData(
        source=CaseLead.Source.COMPLAINT,
        kind=CaseLead.Kind.GENERAL,
        received_on=TODAY,
        party_name="",
        description="消费者投诉销售过期食品",
        reporter_name="王某",
        reporter_phone="13900001234",
    )
    for name, value in values.items():
        setattr(data, name, value)
    return data


def _officers(department, *codes):
    return list(Inspector.objects.filter(department=department, code__in=codes).order_by("code"))


def test_a_department_registers_a_lead_about_a_registered_business_as_its_own(world, staff):
    target = world.targets[0]
    lead = lead_register(actor=staff, data=_data(party_credit_code=target.code.lower(), party_name="随便"))
    assert (lead.status, lead.department, lead.target, lead.party_name) == (
        CaseLead.Status.ASSIGNED,
        world.scjg,
        target,
        target.name,
    )
    assert lead.deadline == deadline_after(TODAY, 15)
    assert lead.number == f"XS{TODAY.year}00001"
    event = AuditEvent.objects.get(action="lead.register")
    assert event.after["reporter_phone"] == "139****1234"


def test_a_general_lead_must_name_a_registered_business(world, staff):
    with pytest.raises(ValidationError) as refused:
        lead_register(actor=staff, data=_data(party_name="某商店"))
    assert "party_credit_code" in refused.value.message_dict
    assert not CaseLead.objects.exists()


def test_an_unlicensed_business_is_registered_without_a_credit_code(world, staff):
    lead = lead_register(
        actor=staff,
        data=_data(
            kind=CaseLead.Kind.UNLICENSED,
            source=CaseLead.Source.MONITORING,
            party_name="罗庄街道路边烧烤摊",
            party_address="罗庄街道沂河路88号",
        ),
    )
    assert (lead.target, lead.party_credit_code, lead.kind) == (None, "", CaseLead.Kind.UNLICENSED)


def test_the_office_registers_and_assigns_a_lead_to_a_department(world, office_user, outsider, staff):
    lead = lead_register(
        actor=office_user, data=_data(party_credit_code=world.targets[1].code, party_name="x")
    )
    assert (lead.status, lead.department) == (CaseLead.Status.REGISTERED, None)
    assert client_for(outsider).get(reverse("lead-detail", args=[lead.pk])).status_code == 404
    lead_assign(actor=office_user, lead=lead, department=world.jyj, assignee=outsider)
    lead.refresh_from_db()
    assert (lead.status, lead.department, lead.assigned_to) == (CaseLead.Status.ASSIGNED, world.jyj, outsider)
    assert client_for(outsider).get(reverse("lead-detail", args=[lead.pk])).status_code == 200
    with pytest.raises(PermissionDenied):
        lead_assign(actor=outsider, lead=lead, department=world.scjg, assignee=None)


def test_a_case_check_on_an_unlicensed_party_registers_a_site_and_is_not_random(world, staff, inspector_user):
    lead = lead_register(
        actor=staff,
        data=_data(kind=CaseLead.Kind.UNLICENSED, party_name="无照小作坊", party_address="傅庄街道工业园3号"),
    )
    officers = _officers(world.scjg, "SCJG-01", "SCJG-02")
    officers[0].user = inspector_user
    officers[0].save()
    inspection = lead_case_check(
        actor=staff,
        lead=lead,
        data=CaseCheckData(matters=[world.food], inspectors=officers, scheduled_date=TODAY),
    )
    site = inspection.target
    assert (site.kind, site.name, site.code.startswith("CS-"), site.memberships.count()) == (
        Target.Kind.SITE,
        "无照小作坊",
        True,
        0,
    )
    task = inspection.task
    assert (task.kind, task.status, inspection.draw, task.initiator) == (
        Task.Kind.CASE,
        Task.Status.ASSIGNED,
        None,
        world.scjg,
    )
    assert set(inspection.assignments.values_list("inspector__code", flat=True)) == {"SCJG-01", "SCJG-02"}
    lead.refresh_from_db()
    assert (lead.status, lead.task, lead.target) == (CaseLead.Status.CHECKING, task, site)
    assert Inspection.objects.filter(task__kind=Task.Kind.CASE).count() == 1
    assert Inspection.objects.filter(task__kind__in=Task.RANDOM_KINDS).count() == 0
    page = client_for(inspector_user).get(reverse("inspector-home"))
    assert [item["inspection"] for group in page.context["groups"] for item in group["items"]] == [inspection]


def test_a_case_check_needs_two_certified_officers_and_no_conflict(world, staff):
    target = world.targets[2]
    lead = lead_register(actor=staff, data=_data(party_credit_code=target.code, party_name="x"))
    with pytest.raises(ValidationError) as refused:
        lead_case_check(
            actor=staff,
            lead=lead,
            data=CaseCheckData(
                matters=[world.food],
                inspectors=_officers(world.scjg, "SCJG-01", "EXP-01"),
                scheduled_date=TODAY,
            ),
        )
    assert refused.value.message_dict["inspectors"] == ["检查组至少须有两名持有效执法证的执法人员。"]
    declare_conflict("SCJG-02", target, staff)
    with pytest.raises(ValidationError) as refused:
        lead_case_check(
            actor=staff,
            lead=lead,
            data=CaseCheckData(
                matters=[world.food],
                inspectors=_officers(world.scjg, "SCJG-01", "SCJG-02"),
                scheduled_date=TODAY,
            ),
        )
    assert "已申报与该对象回避" in refused.value.message_dict["inspectors"][0]
    assert not Task.objects.exists()


def test_a_lead_under_a_case_check_closes_after_the_inspection(world, staff, inspector_user):
    lead = lead_register(actor=staff, data=_data(party_credit_code=world.targets[3].code, party_name="x"))
    officers = _officers(world.scjg, "SCJG-01", "SCJG-02")
    officers[0].user = inspector_user
    officers[0].save()
    inspection = lead_case_check(
        actor=staff,
        lead=lead,
        data=CaseCheckData(matters=[world.food], inspectors=officers, scheduled_date=TODAY),
    )
    with pytest.raises(ValidationError):
        lead_close(actor=staff, lead=lead, outcome="已核查")
    enter(inspector_user, inspection, world.food, "02", findings="销售过期食品")
    inspection_close(actor=staff, inspection=inspection, summary="投诉属实", impossible=False)
    closed = lead_close(actor=staff, lead=lead, outcome="投诉属实，已立案查处并答复投诉人")
    assert closed.status == CaseLead.Status.CLOSED
    assert Task.objects.get(pk=inspection.task_id).status == Task.Status.CLOSED


def test_leads_are_gathered_into_a_special_random_task(world, staff):
    leads = [
        lead_register(actor=staff, data=_data(party_credit_code=target.code, party_name="x"))
        for target in world.targets[:4]
    ]
    task = leads_group(
        actor=staff,
        leads=leads,
        data=GroupData(
            title="投诉集中的食品经营者专项抽查",
            matters=[world.food],
            ratio=Decimal("50"),
            start_date=TODAY,
            end_date=TODAY + datetime.timedelta(days=30),
        ),
    )
    assert (task.kind, task.initiator) == (Task.Kind.SPECIAL, world.scjg)
    sub = SubRegistry.objects.get(tasks=task)
    assert set(sub.targets.all()) == set(world.targets[:4])
    assert set(CaseLead.objects.values_list("status", flat=True)) == {CaseLead.Status.GROUPED}
    assert set(CaseLead.objects.values_list("task", flat=True)) == {task.pk}


def test_an_unregistered_party_cannot_be_drawn_at_random(world, staff):
    lead = lead_register(
        actor=staff, data=_data(kind=CaseLead.Kind.UNLICENSED, party_name="无照摊点", party_address="某路")
    )
    with pytest.raises(ValidationError):
        leads_group(
            actor=staff,
            leads=[lead],
            data=GroupData(
                title="t", matters=[world.food], ratio=Decimal("50"), start_date=TODAY, end_date=TODAY
            ),
        )
    assert not Task.objects.exists()


def test_another_department_can_neither_see_nor_handle_a_lead(world, staff, outsider):
    lead = lead_register(actor=staff, data=_data(party_credit_code=world.targets[0].code, party_name="x"))
    client = client_for(outsider)
    assert client.get(reverse("lead-detail", args=[lead.pk])).status_code == 404
    assert client.post(reverse("lead-close", args=[lead.pk]), {"outcome": "x"}).status_code == 404
    lead.refresh_from_db()
    assert lead.status == CaseLead.Status.ASSIGNED


def test_a_case_check_is_never_merged_with_a_random_task(world, staff):
    from inspections.services import task_join_visits
    from tests.inspections.helpers import special_task

    lead = lead_register(actor=staff, data=_data(party_credit_code=world.targets[5].code, party_name="x"))
    inspection = lead_case_check(
        actor=staff,
        lead=lead,
        data=CaseCheckData(
            matters=[world.food], inspectors=_officers(world.scjg, "SCJG-01", "SCJG-02"), scheduled_date=TODAY
        ),
    )
    random_task = special_task(world, staff)
    with pytest.raises(ValidationError):
        task_join_visits(actor=staff, task=random_task, other=inspection.task)
    assert not random_task.joint_visit_tasks.exists()
    page = client_for(staff).get(reverse("task-detail", args=[inspection.task_id]))
    assert page.status_code == 200
    assert "公示抽取承诺" not in page.content.decode()
