"""URL samples for the access matrix: tasks and draws belong to their initiating department.

A department sees its own tasks (and those it takes part in); another department's task
is not found. The office sees every task, so its `other` is None. Draws are public on the
public side from the moment they are committed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from inspections import services
from inspections.models import Draw, Task, TaskDepartment
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from plans.models import Matter, MatterCategory, Method, PlanItem
from registry.models import Department, SubRegistry
from tests.access.samples import UrlSample, url_sample
from tests.conftest import make_user
from tests.inspections.helpers import make_inspector, make_targets

TITLE = "访问矩阵样例任务"


def _staff_of(ctx, department: Department) -> User:
    found = next(
        (
            user
            for user in ctx.cast.values()
            if user.department_id == department.pk and user.has_role(Role.DEPT_STAFF)
        ),
        None,
    )
    return (
        found
        or User.objects.filter(username=f"am_{department.code.lower()}").first()
        or make_user(f"am_{department.code.lower()}", department.code, Role.DEPT_STAFF)
    )


def _task(ctx, department: Department) -> Task:
    """A small task of `department` with an executed draw (built once per test)."""
    task = Task.objects.filter(initiator=department, title=TITLE).first()
    if task is not None:
        return task
    offset = 1000 + department.pk * 10
    matter = Matter.objects.create(
        department=department,
        code=f"{department.code}-AM",
        source=Matter.Source.LOCAL,
        check_type="样例",
        name=f"{department.short_name}样例事项",
        target_scope="样例对象",
        category=MatterCategory.KEY,
        default_ratio=Decimal("50"),
        methods=[Method.ON_SITE],
        inspecting_body=department.short_name,
        legal_basis="样例依据",
    )
    sub = SubRegistry.objects.create(department=department, name=f"{TITLE}分库")
    sub.targets.add(*make_targets(4, start=offset))
    for number in (1, 2):
        make_inspector(f"{department.code}-AM{number}", department)
    today = timezone.localdate()
    task = Task.objects.create(
        code=f"AM-{department.code}",
        title=TITLE,
        year=today.year,
        initiator=department,
        form=PlanItem.Form.COMPREHENSIVE,
        methods=[Method.ON_SITE],
        sampling=PlanItem.Sampling.RATIO,
        ratio=Decimal("50"),
        start_date=today,
        end_date=today + datetime.timedelta(days=30),
        created_by=_staff_of(ctx, department),
    )
    task.sub_registries.add(sub)
    TaskDepartment.objects.create(task=task, department=department, order=0, inspector_count=2).matters.add(
        matter
    )
    staff = _staff_of(ctx, department)
    draw = services.draw_prepare(actor=staff, task=task, scheduled_for=timezone.now())
    services.draw_execute_run(
        draw_id=draw.pk, actor=staff, witness_input="1 2 3", witness_source="其他", executed_at=timezone.now()
    )
    return Task.objects.get(pk=task.pk)


def _draw(ctx, department: Department) -> Draw:
    return _task(ctx, department).draws.get()


def _prepared_draw(ctx, department: Department) -> Draw:
    """A second, committed but not executed draw (a task of its own)."""
    base = _task(ctx, department)
    task = Task.objects.filter(initiator=department, title=f"{TITLE}（待抽取）").first()
    if task is None:
        task = Task.objects.get(pk=base.pk)
        task.pk, task.code, task.title, task.status = (
            None,
            f"AM-{department.code}-2",
            f"{TITLE}（待抽取）",
            "draft",
        )
        task.save()
        task.sub_registries.set(base.sub_registries.all())
        row = base.departments.get()
        TaskDepartment.objects.create(
            task=task, department=department, order=0, inspector_count=2
        ).matters.set(row.matters.all())
        services.draw_prepare(actor=_staff_of(ctx, department), task=task, scheduled_for=timezone.now())
    return task.draws.get()


def _sees_everything(ctx) -> bool:
    return bool(ctx.user and ctx.user.has_role(Role.OFFICE, Role.AUDITOR))


def _task_sample(ctx) -> UrlSample:
    return UrlSample(
        own={"pk": _task(ctx, ctx.own).pk},
        other=None if _sees_everything(ctx) else {"pk": _task(ctx, ctx.other).pk},
    )


def _draw_sample(ctx, *, prepared: bool = False) -> UrlSample:
    make = _prepared_draw if prepared else _draw
    return UrlSample(
        own={"pk": make(ctx, ctx.own).pk},
        other=None if _sees_everything(ctx) else {"pk": make(ctx, ctx.other).pk},
    )


for _name in ("task-detail", "task-preview", "task-rules", "task-join-visits"):
    url_sample(_name)(_task_sample)

for _name in ("draw-detail", "draw-adjust", "draw-full-record", "draw-pool"):
    url_sample(_name)(_draw_sample)

for _name in ("draw-execute", "draw-cancel"):
    url_sample(_name)(lambda ctx: _draw_sample(ctx, prepared=True))


@url_sample("draw-prepare")
def _prepare(ctx):
    return _task_sample(ctx)


def _any_draw(ctx) -> UrlSample:
    """Auditors read every department's draws; the public reads every committed draw."""
    return UrlSample(own={"pk": _draw(ctx, Department.objects.get(code="SCJG")).pk})


for _name in (
    "audit-draw-detail",
    "audit-draw-full-record",
    "audit-draw-pool",
    "public-draw",
    "public-draw-record",
    "public-draw-frame",
):
    url_sample(_name)(_any_draw)


# ---- doing the inspection (issue 6) ------------------------------------------------------------------
#
# Per department D the sample task has two inspections: the first carries a draft of D's
# matter, the second a submitted finding (07). A dedicated inspector account of D enters
# them; the cast's inspector is linked to D's second officer, so that he serves on both.
# Submitted results are shared with every department (互认): their `other` is visible to
# the office and department roles, while an inspector only reads inspections he serves on.


def _is(ctx, *roles) -> bool:
    return bool(ctx.user and ctx.user.has_role(*roles))


def _inspector_account(department: Department) -> User:
    from registry.models import Inspector

    username = f"am_insp_{department.code.lower()}"
    user = User.objects.filter(username=username).first() or make_user(
        username, department.code, Role.INSPECTOR
    )
    Inspector.objects.filter(code=f"{department.code}-AM1").update(user=user)
    return user


def _link_cast_inspector(ctx) -> None:
    from registry.models import Inspector

    if _is(ctx, Role.INSPECTOR):
        Inspector.objects.filter(user=ctx.user).update(user=None)
        Inspector.objects.filter(code=f"{ctx.own.code}-AM2").update(user=ctx.user)


def _inspection(ctx, department: Department, index: int = 0):  # type: ignore[no-untyped-def]
    return _task(ctx, department).inspections.order_by("position")[index]


def _result(ctx, department: Department, *, submitted: bool):  # type: ignore[no-untyped-def]
    from inspections.models import MatterResult, ResultCode
    from inspections.services_results import ResultData, result_save

    inspection = _inspection(ctx, department, 1 if submitted else 0)
    matter = Matter.objects.get(code=f"{department.code}-AM")
    existing = MatterResult.objects.filter(inspection=inspection, matter=matter).first()
    if existing is not None:
        return existing
    return result_save(
        actor=_inspector_account(department),
        inspection=inspection,
        matter=matter,
        data=ResultData(
            codes=[ResultCode.objects.get(code="07" if submitted else "01")],
            inspected_on=timezone.localdate(),
            findings="未按规定建立进货查验记录" if submitted else "",
        ),
        submit=submitted,
    )


def _attachment(ctx, department: Department, *, submitted: bool):  # type: ignore[no-untyped-def]
    from django.core.files.base import ContentFile

    from inspections.models import ResultAttachment

    result = _result(ctx, department, submitted=submitted)
    attachment = result.attachments.first()
    if attachment is None:
        attachment = ResultAttachment(
            result=result,
            content_type="application/pdf",
            original_name="笔录.pdf",
            size=20,
            sha256="0" * 64,
            uploaded_by=result.entered_by,
            uploaded_at=timezone.now(),
        )
        attachment.file.save("x", ContentFile(b"%PDF-1.4\n%%EOF\n0000"), save=False)
        attachment.save()
    return attachment


def _inspection_sample(ctx) -> UrlSample:
    _link_cast_inspector(ctx)
    return UrlSample(
        own={"pk": _inspection(ctx, ctx.own).pk},
        other=None if _is(ctx, Role.OFFICE) else {"pk": _inspection(ctx, ctx.other).pk},
    )


for _name in ("inspection-detail", "inspection-notice", "inspection-schedule", "inspection-close"):
    url_sample(_name)(_inspection_sample)

url_sample("task-inspections")(_task_sample)


@url_sample("result-entry")
def _result_entry(ctx):
    _link_cast_inspector(ctx)
    own, other = _inspection(ctx, ctx.own), _inspection(ctx, ctx.other)
    return UrlSample(
        own={"pk": own.pk, "matter_pk": Matter.objects.get(code=f"{ctx.own.code}-AM").pk},
        other={"pk": other.pk, "matter_pk": Matter.objects.get(code=f"{ctx.other.code}-AM").pk},
    )


def _shared(ctx) -> bool:
    """Submitted results of another department are shared with the office and departments."""
    return _is(ctx, Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)


@url_sample("result-detail")
def _result_detail(ctx):
    _link_cast_inspector(ctx)
    own = _result(
        ctx, ctx.own, submitted=_is(ctx, Role.OFFICE) and not _is(ctx, Role.DEPT_STAFF, Role.DEPT_HEAD)
    )
    other = _result(ctx, ctx.other, submitted=True)
    return UrlSample(own={"pk": own.pk}, other={"pk": other.pk}, other_visible=_shared(ctx))


@url_sample("api-result-detail")
def _api_result_detail(ctx):
    return _result_detail(ctx)


@url_sample("result-attachment")
def _result_attachment(ctx):
    _link_cast_inspector(ctx)
    own = _attachment(
        ctx, ctx.own, submitted=_is(ctx, Role.OFFICE) and not _is(ctx, Role.DEPT_STAFF, Role.DEPT_HEAD)
    )
    other = _attachment(ctx, ctx.other, submitted=True)
    return UrlSample(
        own={"pk": own.result_id, "attachment_pk": own.pk},
        other={"pk": other.result_id, "attachment_pk": other.pk},
        other_visible=_shared(ctx),
    )


@url_sample("result-attachment-delete")
def _result_attachment_delete(ctx):
    _link_cast_inspector(ctx)
    own, other = _attachment(ctx, ctx.own, submitted=False), _attachment(ctx, ctx.other, submitted=False)
    return UrlSample(
        own={"pk": own.result_id, "attachment_pk": own.pk},
        other={"pk": other.result_id, "attachment_pk": other.pk},
    )


@url_sample("result-attachment-add")
def _result_attachment_add(ctx):
    _link_cast_inspector(ctx)
    return UrlSample(
        own={"pk": _result(ctx, ctx.own, submitted=False).pk},
        other={"pk": _result(ctx, ctx.other, submitted=False).pk},
    )


def _head_change(ctx) -> UrlSample:
    # Another department's submitted result is readable (互认) but not changeable: 403,
    # tested in tests/inspections/test_results.py, not a 404 the matrix could expect.
    return UrlSample(own={"pk": _result(ctx, ctx.own, submitted=True).pk})


for _name in ("result-approve", "result-return", "result-amend", "follow-up-create"):
    url_sample(_name)(_head_change)


def _follow_up(ctx, department: Department, *, handover_from: Department | None = None):  # type: ignore[no-untyped-def]
    from inspections.models import FollowUp
    from inspections.services_followups import FollowUpData, follow_up_create

    if handover_from is None:
        existing = FollowUp.objects.filter(
            origin_department=department, kind=FollowUp.Kind.CASE_FILING
        ).first()
        if existing:
            return existing
        result = _result(ctx, department, submitted=True)
        return follow_up_create(
            actor=_staff_of(ctx, department),
            result=result,
            data=FollowUpData(kind=FollowUp.Kind.CASE_FILING, measure="立案调查"),
        )
    existing = FollowUp.objects.filter(origin_department=handover_from, department=department).first()
    if existing:
        return existing
    return follow_up_create(
        actor=_staff_of(ctx, handover_from),
        result=_result(ctx, handover_from, submitted=True),
        data=FollowUpData(
            kind=FollowUp.Kind.HANDOVER,
            measure="移交主管部门",
            receiving_department=department,
            handover_basis=FollowUp.Basis.COMPETENT,
        ),
    )


@url_sample("follow-up-detail")
def _follow_up_detail(ctx):
    return UrlSample(
        own={"pk": _follow_up(ctx, ctx.own).pk},
        other=None if _is(ctx, Role.OFFICE) else {"pk": _follow_up(ctx, ctx.other).pk},
    )


for _name in ("follow-up-recheck", "follow-up-close"):
    url_sample(_name)(
        lambda ctx: UrlSample(
            own={"pk": _follow_up(ctx, ctx.own).pk}, other={"pk": _follow_up(ctx, ctx.other).pk}
        )
    )


for _name in ("follow-up-accept", "follow-up-return"):
    url_sample(_name)(
        lambda ctx: UrlSample(
            own={"pk": _follow_up(ctx, ctx.own, handover_from=ctx.other).pk},
            other={"pk": _follow_up(ctx, ctx.other).pk},
        )
    )


def _lead(ctx, department: Department):  # type: ignore[no-untyped-def]
    from inspections.models import CaseLead
    from inspections.services_leads import LeadData, lead_register

    existing = CaseLead.objects.filter(department=department, party_name__startswith="访问矩阵").first()
    if existing:
        return existing
    target = _task(ctx, department).inspections.order_by("position").first().target
    return lead_register(
        actor=_staff_of(ctx, department),
        data=LeadData(
            source=CaseLead.Source.COMPLAINT,
            kind=CaseLead.Kind.GENERAL,
            received_on=timezone.localdate(),
            party_name="访问矩阵样例",
            party_credit_code=target.code,
            description="样例线索",
        ),
    )


def _lead_sample(ctx) -> UrlSample:
    return UrlSample(
        own={"pk": _lead(ctx, ctx.own).pk},
        other=None if _is(ctx, Role.OFFICE) else {"pk": _lead(ctx, ctx.other).pk},
    )


for _name in ("lead-detail", "lead-assign", "lead-case-check", "lead-close"):
    url_sample(_name)(_lead_sample)


@url_sample("credit-override")
def _credit_override(ctx):
    # Targets are shared facts; the office overrides any of them.
    return UrlSample(own={"pk": _inspection(ctx, Department.objects.get(code="SCJG")).target_id})


@url_sample("credit-override-lift")
def _credit_override_lift(ctx):
    from inspections.models import CreditOverride

    override = CreditOverride.objects.filter(lifted_at__isnull=True).first()
    if override is None:
        target = _inspection(ctx, Department.objects.get(code="SCJG")).target
        override = CreditOverride.objects.create(
            target=target, risk_class="A", reason="样例", created_by=ctx.cast["office"]
        )
    return UrlSample(own={"pk": override.pk})


@url_sample("dishonesty-remove")
def _dishonesty_remove(ctx):
    from inspections.models import DishonestyListing

    listing = DishonestyListing.objects.filter(removed_on__isnull=True).first()
    if listing is None:
        listing = DishonestyListing.objects.create(
            target=_inspection(ctx, Department.objects.get(code="SCJG")).target,
            source="信用中国",
            reason="样例",
            listed_on=timezone.localdate(),
            created_by=ctx.cast["office"],
        )
    return UrlSample(own={"pk": listing.pk})
