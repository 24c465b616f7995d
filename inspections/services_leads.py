"""Writes for case leads (个案线索): register, assign, handle by a case check or gather into a
special random task, close.

A case check is a task of kind 个案检查: one target, a team the department appoints (at
least two certified enforcement officers, no declared conflict of interest), no draw. It is
not random and is counted apart from random inspections; its result is entered like any
other. A lead about an unlicensed party (无证无照经营) may name no registered business: the
case check then records the party as a site (场所) in the registry, so that its result,
history and follow-up have a subject; the site is in no sub-registry and never enters a
random draw.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from inspections.models import CaseLead, Inspection, InspectionAssignment, Task, TaskDepartment, Visit
from inspections.permissions import is_department_user, may_assign_lead
from inspections.services import _next_task_code, task_create_special
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.deadlines import deadline_after
from luozhuang_dsj.lib.masking import mask_phone
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from notices import events
from plans.models import Matter, Method, PlanItem
from plans.services import PlanItemData
from registry import credit_code as credit_codes
from registry.models import ConflictOfInterest, Department, Inspector, Target, Town
from registry.services import sub_registry_add_targets, sub_registry_save, target_next_key

# Days to handle a lead from the day it is received (市场监管投诉举报处理: 15 个工作日).
LEAD_HANDLING_DAYS = 15
# A case check is done within this many days of its scheduled date.
CASE_CHECK_DAYS = 30
MINIMUM_OFFICERS = 2


def _role(actor: User) -> str:
    if actor.has_role(Role.OFFICE):
        return Role.OFFICE
    return Role.DEPT_HEAD if actor.has_role(Role.DEPT_HEAD) else Role.DEPT_STAFF


def lead_snapshot(lead: CaseLead) -> dict:
    """What the audit trail keeps: the reporter's phone only masked (personal data)."""
    return {
        "number": lead.number,
        "source": lead.source,
        "kind": lead.kind,
        "status": lead.status,
        "received_on": lead.received_on,
        "deadline": lead.deadline,
        "target": lead.target.code if lead.target_id else None,
        "party_name": lead.party_name,
        "party_credit_code": lead.party_credit_code,
        "party_address": lead.party_address,
        "description": lead.description,
        "reporter_name": lead.reporter_name,
        "reporter_phone": mask_phone(lead.reporter_phone or ""),
        "department": lead.department.code if lead.department_id else None,
        "assigned_to": lead.assigned_to.username if lead.assigned_to_id else None,
        "task": lead.task.code if lead.task_id else None,
        "outcome": lead.outcome,
    }


@dataclass
class LeadData:
    source: str
    kind: str
    received_on: datetime.date
    party_name: str
    description: str
    party_credit_code: str = ""
    party_address: str = ""
    town: Town | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    matters: list[Matter] = field(default_factory=list)
    department: Department | None = None


def _next_lead_number(year: int) -> str:
    prefix = f"XS{year}"
    last = (
        CaseLead.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def _resolve_party(data: LeadData) -> tuple[Target | None, str, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    code = credit_codes.normalise(data.party_credit_code)
    target = None
    if code:
        problem = credit_codes.problem(code)
        if problem:
            errors["party_credit_code"] = [f"统一社会信用代码有误：{problem}"]
        else:
            target = Target.objects.filter(code=code).first()
    if data.kind == CaseLead.Kind.GENERAL:
        if not code:
            errors.setdefault("party_credit_code", []).append(
                "一般违法线索须填写当事人的统一社会信用代码；无证无照经营的当事人可不填。"
            )
        elif target is None and "party_credit_code" not in errors:
            errors["party_credit_code"] = [
                "名录库中没有该统一社会信用代码的对象；如系无证无照经营，请选择相应线索类型。"
            ]
    return target, code, errors


def lead_register(*, actor: User, data: LeadData, today: datetime.date | None = None) -> CaseLead:
    """Register a lead. A department's lead is its own (assigned to it at once); the office
    may register a lead for a department or leave it to assign later."""
    today = today or timezone.localdate()
    department_user = actor.has_role(Role.DEPT_STAFF, Role.DEPT_HEAD)
    office = actor.has_role(Role.OFFICE) and not department_user
    if not (office or department_user):
        raise PermissionDenied("您的角色不能登记线索。")
    errors: dict[str, list[str]] = {}
    if data.source not in CaseLead.Source.values:
        errors["source"] = ["请选择线索来源。"]
    if data.kind not in CaseLead.Kind.values:
        errors["kind"] = ["请选择线索类型。"]
    if not data.party_name.strip():
        errors["party_name"] = ["请填写当事人名称。"]
    if not data.description.strip():
        errors["description"] = ["请写明线索内容。"]
    if data.received_on > today:
        errors["received_on"] = ["收到日期不能晚于今天。"]
    if data.kind == CaseLead.Kind.UNLICENSED and not data.party_address.strip():
        errors["party_address"] = ["无证无照经营线索请写明经营地址，以便核查。"]
    target, code, party_errors = _resolve_party(data)
    errors.update(party_errors)
    department = data.department if office else actor.department
    if department is not None and not department.is_active:
        errors["department"] = [f"{department.short_name}已停用。"]
    if department is not None:
        foreign = [matter for matter in data.matters if matter.department_id != department.pk]
        if foreign:
            errors["matters"] = ["只能选择承办部门的抽查事项。"]
    elif data.matters:
        errors["matters"] = ["分派承办部门后再选择涉及的抽查事项。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lead = CaseLead.objects.create(
            number=_next_lead_number(data.received_on.year),
            source=data.source,
            kind=data.kind,
            status=CaseLead.Status.ASSIGNED if department else CaseLead.Status.REGISTERED,
            received_on=data.received_on,
            deadline=deadline_after(data.received_on, LEAD_HANDLING_DAYS),
            target=target,
            party_name=(target.name if target else data.party_name.strip())[:200],
            party_credit_code=code,
            party_address=(data.party_address.strip() or (target.address if target else ""))[:300],
            town=data.town or (target.town if target else None),
            description=data.description.strip(),
            reporter_name=data.reporter_name.strip()[:50],
            reporter_phone=data.reporter_phone.strip()[:20],
            registering_department=actor.department,
            registered_by=actor,
            department=department,
            assigned_at=timezone.now() if department else None,
        )
        lead.matters.set(data.matters)
        audit_record(
            action="lead.register",
            actor=actor,
            role=_role(actor),
            object_type="个案线索",
            object_key=lead.number,
            after=lead_snapshot(lead),
        )
    return lead


def lead_assign(*, actor: User, lead: CaseLead, department: Department, assignee: User | None) -> CaseLead:
    """The office assigns a lead to a department; a department assigns its lead to one of
    its staff. Not once it is being checked, grouped or closed."""
    if not may_assign_lead(actor, lead):
        raise PermissionDenied("只有联席会议办公室或承办部门可以分派该线索。")
    office = actor.has_role(Role.OFFICE)
    if not office and department.pk != lead.department_id:
        raise PermissionDenied("部门只能在本部门内分派线索；转交其他部门请联系联席会议办公室。")
    if not department.is_active:
        raise ValidationError({"department": f"{department.short_name}已停用。"})
    if assignee is not None and (
        assignee.department_id != department.pk or not assignee.has_role(Role.DEPT_STAFF, Role.DEPT_HEAD)
    ):
        raise ValidationError({"assignee": "承办人须是承办部门的工作人员或负责人。"})
    with transaction.atomic():
        locked = CaseLead.objects.select_for_update().get(pk=lead.pk)
        if locked.status not in (CaseLead.Status.REGISTERED, CaseLead.Status.ASSIGNED):
            raise ValidationError("线索已在核查、已纳入专项抽查或已办结，不能再分派。")
        before = lead_snapshot(locked)
        if locked.department_id != department.pk:
            locked.matters.clear()
        locked.department, locked.assigned_to = department, assignee
        locked.assigned_at = timezone.now()
        locked.status = CaseLead.Status.ASSIGNED
        locked.save(update_fields=["department", "assigned_to", "assigned_at", "status"])
        audit_record(
            action="lead.assign",
            actor=actor,
            role=_role(actor),
            object_type="个案线索",
            object_key=locked.number,
            before=before,
            after=lead_snapshot(locked),
        )
    return locked


def _require_handler(actor: User, lead: CaseLead) -> None:
    if not is_department_user(actor, lead.department_id):
        raise PermissionDenied("只有承办部门可以办理该线索。")


def _party_site(actor: User, lead: CaseLead) -> Target:
    """The unregistered party as a site (场所) in the registry, keyed by the registry's own
    stable key (never 18 characters), so that the case check has a subject."""
    target = Target.objects.create(
        code=target_next_key(Target.Kind.SITE),
        name=lead.party_name,
        kind=Target.Kind.SITE,
        address=lead.party_address,
        town=lead.town,
    )
    audit_record(
        action="target.create",
        actor=actor,
        role=_role(actor),
        object_type="检查对象",
        object_key=target.code,
        after={
            "code": target.code,
            "name": target.name,
            "kind": target.kind,
            "address": target.address,
            "note": f"个案线索 {lead.number}（{lead.get_kind_display()}）的当事人，未在名录库中登记",
        },
    )
    return target


@dataclass
class CaseCheckData:
    matters: list[Matter]
    inspectors: list[Inspector]
    scheduled_date: datetime.date


def lead_case_check(
    *, actor: User, lead: CaseLead, data: CaseCheckData, today: datetime.date | None = None
) -> Inspection:
    """Handle a lead by a case check (个案检查): a task of one target with a team the
    department appoints. Not random: it is counted apart from random inspections."""
    today = today or timezone.localdate()
    _require_handler(actor, lead)
    department = lead.department
    if department is None:
        raise ValidationError("线索尚未分派。")
    errors: dict[str, list[str]] = {}
    if not data.matters:
        errors["matters"] = ["请至少选择一项抽查事项。"]
    elif any(matter.department_id != department.pk or not matter.is_active for matter in data.matters):
        errors["matters"] = ["只能选择本部门清单中的有效事项。"]
    if data.scheduled_date < today:
        errors["scheduled_date"] = ["检查日期不能早于今天。"]
    end = deadline_after(data.scheduled_date, CASE_CHECK_DAYS)
    officers = [
        inspector
        for inspector in data.inspectors
        if inspector.department_id == department.pk
        and inspector.is_active
        and inspector.is_certified_on(data.scheduled_date)
    ]
    if any(inspector.department_id != department.pk for inspector in data.inspectors):
        errors["inspectors"] = ["个案检查的检查人员须是本部门人员。"]
    elif len(officers) < MINIMUM_OFFICERS:
        errors["inspectors"] = ["检查组至少须有两名持有效执法证的执法人员。"]
    if lead.target_id and data.inspectors:
        conflicted = ConflictOfInterest.objects.filter(
            target_id=lead.target_id, inspector__in=data.inspectors
        ).select_related("inspector")
        if conflicted:
            names = "、".join(conflict.inspector.name for conflict in conflicted)
            errors["inspectors"] = [f"{names}已申报与该对象回避，不能参加检查。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = CaseLead.objects.select_for_update(of=("self",)).select_related("target").get(pk=lead.pk)
        if locked.status != CaseLead.Status.ASSIGNED:
            raise ValidationError("只有已分派待处理的线索可以安排个案检查。")
        target = locked.target or _party_site(actor, locked)
        if target.status != Target.Status.ACTIVE and target.kind in Target.ENTITY_KINDS:
            raise ValidationError(f"该对象登记状态为“{target.status}”，不能安排检查。")
        task = Task.objects.create(
            code=_next_task_code(data.scheduled_date.year, department.code),
            title=f"个案检查：{target.name}"[:200],
            year=data.scheduled_date.year,
            kind=Task.Kind.CASE,
            status=Task.Status.ASSIGNED,
            initiator=department,
            form="",
            methods=[Method.ON_SITE],
            description=f"线索 {locked.number}（{locked.get_source_display()}）：{locked.description}"[:2000],
            sampling=PlanItem.Sampling.COUNT,
            target_count=1,
            start_date=data.scheduled_date,
            end_date=end,
            exclusion_months=0,
            created_by=actor,
        )
        row = TaskDepartment.objects.create(
            task=task, department=department, order=0, inspector_count=len(data.inspectors)
        )
        row.matters.set(data.matters)
        visit = Visit.objects.create(target=target, scheduled_date=data.scheduled_date)
        inspection = Inspection.objects.create(
            task=task,
            draw=None,
            target=target,
            visit=visit,
            position=1,
            batch=1,
            risk_class=target.risk_class,
        )
        InspectionAssignment.objects.bulk_create(
            [
                InspectionAssignment(
                    inspection=inspection,
                    inspector=inspector,
                    department=department,
                    slot=0,
                    is_expert=inspector.is_expert,
                )
                for inspector in data.inspectors
            ]
        )
        events.inspectors_assigned(
            inspection=inspection,
            inspector_ids=[inspector.pk for inspector in data.inspectors],
            actor=actor,
            why=f"个案检查（线索 {locked.number}），计划检查日期 {data.scheduled_date:%Y-%m-%d}。",
        )
        before = lead_snapshot(locked)
        locked.target, locked.task, locked.status = target, task, CaseLead.Status.CHECKING
        locked.save(update_fields=["target", "task", "status"])
        locked.matters.set(data.matters)
        audit_record(
            action="lead.case_check",
            actor=actor,
            role=_role(actor),
            object_type="个案线索",
            object_key=locked.number,
            before=before,
            after=lead_snapshot(locked)
            | {
                "team": [inspector.code for inspector in data.inspectors],
                "matters": [matter.code for matter in data.matters],
                "scheduled_date": data.scheduled_date,
            },
        )
    return inspection


@dataclass
class GroupData:
    title: str
    matters: list[Matter]
    ratio: Decimal
    start_date: datetime.date
    end_date: datetime.date


def leads_group(*, actor: User, leads: Sequence[CaseLead], data: GroupData) -> Task:
    """Gather leads into a special random task (专项抽查): their businesses form a
    sub-registry of their own, from which the task draws at the given ratio."""
    if not leads:
        raise ValidationError("请选择要汇集的线索。")
    for lead in leads:
        _require_handler(actor, lead)
    without_target = [lead.number for lead in leads if lead.target_id is None]
    if without_target:
        raise ValidationError(
            f"线索 {'、'.join(without_target)} 的当事人不在名录库中，不能纳入随机抽查，请安排个案检查。"
        )
    department = actor.department
    with transaction.atomic():
        locked = list(CaseLead.objects.select_for_update().filter(pk__in=[lead.pk for lead in leads]))
        not_ready = [lead.number for lead in locked if lead.status != CaseLead.Status.ASSIGNED]
        if not_ready:
            raise ValidationError(f"线索 {'、'.join(sorted(not_ready))} 不是待处理状态，不能纳入专项抽查。")
        numbers = sorted(lead.number for lead in locked)
        sub_registry = sub_registry_save(
            actor=actor,
            sub_registry=None,
            name=f"线索汇集：{data.title}"[:100],
            description=f"由个案线索 {'、'.join(numbers)} 汇集"[:300],
        )
        sub_registry_add_targets(
            actor=actor, sub_registry=sub_registry, codes=[lead.target.code for lead in locked if lead.target]
        )
        task = task_create_special(
            actor=actor,
            data=PlanItemData(
                title=data.title,
                initiator=department,
                initiator_matters=list(data.matters),
                participants=[],
                form=PlanItem.Form.SPECIAL,
                methods=[Method.ON_SITE],
                sub_registries=[sub_registry],
                sampling=PlanItem.Sampling.RATIO,
                ratio=data.ratio,
                start_date=data.start_date,
                end_date=data.end_date,
            ),
            description=f"由个案线索 {'、'.join(numbers)} 汇集的专项抽查。",
        )
        for lead in locked:
            lead.status, lead.task = CaseLead.Status.GROUPED, task
            lead.save(update_fields=["status", "task"])
        audit_record(
            action="lead.group",
            actor=actor,
            role=_role(actor),
            object_type="个案线索",
            object_key=task.code,
            after={"leads": numbers, "task": task.code, "sub_registry": sub_registry.pk},
        )
    return task


def lead_close(*, actor: User, lead: CaseLead, outcome: str) -> CaseLead:
    """办结 with the outcome (查处结果、不予立案的理由、答复举报人的情况...)."""
    _require_handler(actor, lead)
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": "请写明办理结果。"})
    with transaction.atomic():
        locked = CaseLead.objects.select_for_update(of=("self",)).select_related("task").get(pk=lead.pk)
        if locked.status == CaseLead.Status.CLOSED:
            raise ValidationError("该线索已经办结。")
        if locked.status == CaseLead.Status.REGISTERED:
            raise ValidationError("线索尚未分派。")
        if (
            locked.status == CaseLead.Status.CHECKING
            and locked.task.inspections.exclude(status__in=Inspection.CLOSED_STATUSES).exists()
        ):
            raise ValidationError("个案检查尚未办结，请先录入检查结果并办结检查。")
        before = lead_snapshot(locked)
        locked.status, locked.outcome = CaseLead.Status.CLOSED, outcome
        locked.closed_by, locked.closed_at = actor, timezone.now()
        locked.save(update_fields=["status", "outcome", "closed_by", "closed_at"])
        audit_record(
            action="lead.close",
            actor=actor,
            role=_role(actor),
            object_type="个案线索",
            object_key=locked.number,
            before=before,
            after=lead_snapshot(locked),
        )
    return locked
