"""Credit risk classes recomputed from results (docs/CREDIT_RISK.md), overrides and the
serious-dishonesty list (联合惩戒)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections import selectors
from inspections.draw import build_frame_from_lines
from inspections.models import (
    CreditOverride,
    DishonestyListing,
    FollowUp,
    Inspection,
    MatterResult,
    TargetCredit,
    Task,
    TaskDepartment,
    Visit,
)
from inspections.services_credit import (
    ListingData,
    credit_override,
    credit_override_lift,
    credit_recompute,
    credit_recompute_start,
    dishonesty_add,
    dishonesty_remove,
)
from inspections.services_followups import FollowUpData, follow_up_create
from inspections.tasks import credit_recompute_nightly
from luozhuang_dsj.models import AuditEvent, Job
from registry.models import Target, TargetChange
from tests.conftest import client_for
from tests.inspections.helpers import build_world, result_code, special_task

TODAY = timezone.localdate()


@pytest.fixture
def world(office_user, staff, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(office_user, staff, outsider)


def _case_task(world, staff):
    task = Task.objects.create(
        code=f"CASE-T{Task.objects.count() + 1}",
        title="测试个案检查",
        year=TODAY.year,
        kind=Task.Kind.CASE,
        status=Task.Status.ASSIGNED,
        initiator=world.scjg,
        sampling="count",
        target_count=1,
        start_date=TODAY - datetime.timedelta(days=1000),
        end_date=TODAY,
        created_by=staff,
    )
    TaskDepartment.objects.create(task=task, department=world.scjg, order=0, inspector_count=2).matters.add(
        world.food
    )
    return task


def _inspect(world, target, staff, *codes, days_ago=10, closed=True):
    """A checked inspection of `target` with a submitted result (as the services leave it),
    each in a case task of its own."""
    task = _case_task(world, staff)
    day = TODAY - datetime.timedelta(days=days_ago)
    level = max([{"02": 2, "04": 2, "07": 2, "03": 3, "05": 3, "06": 1}.get(code, 0) for code in codes])
    inspection = Inspection.objects.create(
        task=task,
        target=target,
        visit=Visit.objects.create(target=target),
        position=Inspection.objects.filter(task=task).count() + 1,
        risk_class=target.risk_class,
        status=Inspection.Status.DONE if closed else Inspection.Status.IN_PROGRESS,
        closed_at=timezone.now() - datetime.timedelta(days=days_ago) if closed else None,
        finding_level=level if closed else 0,
    )
    result = MatterResult.objects.create(
        inspection=inspection,
        matter=task.departments.get().matters.get(),
        department=task.initiator,
        target=target,
        status=MatterResult.Status.SUBMITTED,
        inspected_on=day,
        finding_level=level,
        entered_by=staff,
        updated_by=staff,
        submitted_by=staff,
        submitted_at=timezone.now(),
    )
    result.codes.set([result_code(code) for code in codes])
    return result


def _target(world, risk="B"):
    target = world.targets[0]
    Target.objects.filter(pk=target.pk).update(risk_class=risk)
    return Target.objects.get(pk=target.pk)


def _class(target):
    return Target.objects.get(pk=target.pk).risk_class


def test_a_finding_raises_the_class_and_a_second_run_changes_nothing(world, staff, office_user):
    target = _target(world, "B")
    _inspect(world, target, staff, "02")
    report = credit_recompute(actor=office_user)
    assert (_class(target), report.changed, report.by_class) == ("C", 1, {"C": 1})
    change = TargetChange.objects.get(target=target)
    assert (change.source, change.changes, change.user) == (
        TargetChange.Source.CREDIT,
        {"risk_class": ["B", "C"]},
        office_user,
    )
    assert change.note == TargetCredit.RULES["finding"]
    assert credit_recompute(actor=None).changed == 0
    assert TargetChange.objects.filter(target=target).count() == 1
    event = AuditEvent.objects.filter(action="credit.recompute").order_by("pk").last()
    assert (event.username, event.after["changed"]) == ("system", 0)


@pytest.mark.parametrize(
    ("base", "codes", "expected", "rule"),
    [
        ("A", ("03",), "D", "serious"),
        ("B", ("05",), "D", "serious"),
        ("D", ("02",), "D", "finding"),
        ("A", ("06",), "B", "corrected"),
        ("C", ("06",), "C", "corrected"),
        ("B", ("01",), "B", "base"),
    ],
)
def test_the_rules_give_the_documented_class(world, staff, base, codes, expected, rule):
    target = _target(world, base)
    _inspect(world, target, staff, *codes)
    credit_recompute(actor=None)
    assert _class(target) == expected
    assert TargetCredit.objects.get(target=target).rule == rule


def test_old_findings_no_longer_count(world, staff):
    target = _target(world, "B")
    _inspect(world, target, staff, "02", days_ago=800)
    credit_recompute(actor=None)
    assert _class(target) == "B"


def test_a_run_of_clean_inspections_lowers_the_class_one_step_per_two(world, staff):
    target = _target(world, "C")
    _inspect(world, target, staff, "01", days_ago=300)
    credit_recompute(actor=None)
    assert _class(target) == "C"
    _inspect(world, target, staff, "01", days_ago=100)
    credit_recompute(actor=None)
    assert _class(target) == "B"
    _inspect(world, target, staff, "01", days_ago=50)
    _inspect(world, target, staff, "01", days_ago=20)
    credit_recompute(actor=None)
    assert _class(target) == "A"
    assert TargetCredit.objects.get(target=target).base_class == "C"


def test_a_case_filed_on_a_finding_makes_the_target_high_risk(world, staff):
    target = _target(world, "A")
    result = _inspect(world, target, staff, "07")
    follow_up_create(
        actor=staff, result=result, data=FollowUpData(kind=FollowUp.Kind.CASE_FILING, measure="立案查处")
    )
    credit_recompute(actor=None)
    assert _class(target) == "D"


def test_a_class_changed_by_the_registry_becomes_the_new_base(world, staff):
    target = _target(world, "B")
    _inspect(world, target, staff, "06")
    credit_recompute(actor=None)
    assert _class(target) == "B"
    Target.objects.filter(pk=target.pk).update(risk_class="A")  # a new import from the source
    credit_recompute(actor=None)
    assert (_class(target), TargetCredit.objects.get(target=target).base_class) == ("B", "A")


def test_an_office_override_holds_against_the_rules_until_lifted(world, staff, office_user):
    target = _target(world, "B")
    _inspect(world, target, staff, "02")
    with pytest.raises(ValidationError):
        credit_override(actor=office_user, target=target, risk_class="A", reason=" ")
    with pytest.raises(PermissionDenied):
        credit_override(actor=staff, target=target, risk_class="A", reason="申诉成立")
    override = credit_override(
        actor=office_user, target=target, risk_class="A", reason="经复核，问题系登记错误"
    )
    assert _class(target) == "A"
    credit_recompute(actor=None)
    assert _class(target) == "A"
    event = AuditEvent.objects.get(action="credit.override")
    assert (event.before, event.after) == (
        {"risk_class": "B"},
        {"risk_class": "A", "reason": "经复核，问题系登记错误"},
    )
    credit_override_lift(actor=office_user, override=override, reason="复核结论撤销")
    assert _class(target) == "C"
    assert list(
        TargetChange.objects.filter(target=target).order_by("pk").values_list("changes", flat=True)
    ) == [
        {"risk_class": ["B", "A"]},
        {"risk_class": ["A", "C"]},
    ]
    assert CreditOverride.objects.get().lifted_by == office_user


def test_a_listing_makes_the_target_high_risk_and_flags_it_in_the_frame_preview(world, staff, office_user):
    target = _target(world, "A")
    task = special_task(world, staff)
    listing = dishonesty_add(
        actor=office_user,
        target=target,
        data=ListingData(source="临沂市市场监督管理局", reason="提交虚假材料取得登记", listed_on=TODAY),
    )
    assert _class(target) == "D"
    preview = selectors.frame_preview(task, today=TODAY)
    assert preview.flagged_count == 1
    assert [(row["code"], row["source"]) for row in preview.flagged] == [
        (target.code, "临沂市市场监督管理局")
    ]
    page = client_for(staff).get(reverse("task-preview", args=[task.pk])).content.decode()
    assert "联合惩戒提示" in page and target.name in page
    target_page = client_for(staff).get(reverse("target-detail", args=[target.pk])).content.decode()
    assert "列入严重违法失信名单" in target_page
    dishonesty_remove(actor=office_user, listing=listing, removed_on=TODAY, reason="信用修复")
    assert _class(target) == "A"
    assert selectors.frame_preview(task, today=TODAY).flagged_count == 0


def test_only_the_office_keeps_the_list(world, staff, office_user):
    target = world.targets[0]
    data = ListingData(source="信用中国", reason="x", listed_on=TODAY)
    with pytest.raises(PermissionDenied):
        dishonesty_add(actor=staff, target=target, data=data)
    response = client_for(staff).post(
        reverse("dishonesty-create"),
        {"target": target.code, "source": "x", "reason": "x", "listed_on": TODAY},
    )
    assert response.status_code == 403
    assert not DishonestyListing.objects.exists()


def test_the_next_draw_stratifies_by_the_recomputed_class(world, staff):
    target = _target(world, "A")
    result = _inspect(world, target, staff, "03", days_ago=500)
    # Checked long ago: outside the task's exclusion window.
    Inspection.objects.filter(pk=result.inspection_id).update(
        created_at=timezone.now() - datetime.timedelta(days=500)
    )
    credit_recompute(actor=None)
    task = special_task(world, staff)
    frame = build_frame_from_lines(selectors.frame_lines(task, today=TODAY))
    assert target.code in frame.keys_by_stratum()["D"]


def test_the_office_recomputes_on_demand_in_a_job_and_beat_runs_it_nightly(
    world, staff, office_user, settings, django_capture_on_commit_callbacks
):
    target = _target(world, "B")
    _inspect(world, target, staff, "02")
    with pytest.raises(PermissionDenied):
        credit_recompute_start(actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office_user).post(reverse("credit-recompute"))
    job = Job.objects.get()
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.result["changed"]) == (Job.Status.SUCCEEDED, 1)
    assert credit_recompute_nightly() == 0
    assert (
        settings.CELERY_BEAT_SCHEDULE["credit-recompute"]["task"]
        == "inspections.tasks.credit_recompute_nightly"
    )
