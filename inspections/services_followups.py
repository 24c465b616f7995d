"""Writes for follow-up (后续处置) of findings: 责令改正 and its re-check, 列入经营异常名录,
立案查处, 移交 to the competent or approving department (谁审批、谁监管，谁主管、谁监管) and
移送司法机关. A hand-off waits in the receiving department's queue; it accepts (and then
handles it) or returns it with a reason. Every step is audited.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from inspections.models import FollowUp, MatterResult
from inspections.permissions import is_department_user
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.deadlines import deadline_after
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from notices import events
from registry.models import Department

# A receiving department answers a hand-off (accepts or returns it) within this many days.
HANDOVER_ANSWER_DAYS = 5
# The default time given to correct a finding, offered on the forms.
CORRECTION_DEFAULT_DAYS = 15


def _role(actor: User) -> str:
    return Role.DEPT_HEAD if actor.has_role(Role.DEPT_HEAD) else Role.DEPT_STAFF


def follow_up_snapshot(follow_up: FollowUp) -> dict:
    return {
        "result": follow_up.result_id,
        "target": follow_up.target.code,
        "kind": follow_up.kind,
        "status": follow_up.status,
        "origin_department": follow_up.origin_department.code,
        "department": follow_up.department.code,
        "measure": follow_up.measure,
        "deadline": follow_up.deadline,
        "document_number": follow_up.document_number,
        "external_body": follow_up.external_body,
        "handover_basis": follow_up.handover_basis,
        "accept_deadline": follow_up.accept_deadline,
        "recheck_on": follow_up.recheck_on,
        "recheck_corrected": follow_up.recheck_corrected,
        "outcome": follow_up.outcome,
        "return_reason": follow_up.return_reason,
    }


def _audit(
    action: str, actor: User, follow_up: FollowUp, before: dict | None, extra: dict | None = None
) -> None:
    """The audit event of one follow-up step: its state before and after."""
    audit_record(
        action=action,
        actor=actor,
        role=_role(actor),
        object_type="后续处置",
        object_key=str(follow_up.pk),
        before=before,
        after=follow_up_snapshot(follow_up) | (extra or {}),
    )


@dataclass
class FollowUpData:
    kind: str
    measure: str
    deadline: datetime.date | None = None
    document_number: str = ""
    external_body: str = ""
    receiving_department: Department | None = None
    handover_basis: str = ""


def follow_up_create(
    *, actor: User, result: MatterResult, data: FollowUpData, today: datetime.date | None = None
) -> FollowUp:
    """A measure on a submitted finding, by the department that found it."""
    today = today or timezone.localdate()
    if not is_department_user(actor, result.department_id):
        raise PermissionDenied("只有发现问题的部门可以登记后续处置。")
    if not result.is_entered:
        raise ValidationError("检查结果提交后才能登记后续处置。")
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    measure = data.measure.strip()
    if data.kind not in FollowUp.Kind.values:
        add("kind", "请选择处置方式。")
    if not measure:
        add("measure", "请写明处置内容。")
    if data.kind == FollowUp.Kind.CORRECTION:
        if data.deadline is None:
            add("deadline", "责令改正须写明改正期限。")
        elif data.deadline <= today:
            add("deadline", "改正期限应晚于今天。")
    if data.kind == FollowUp.Kind.HANDOVER:
        receiver = data.receiving_department
        if receiver is None:
            add("receiving_department", "请选择接收部门。")
        elif receiver.pk == result.department_id:
            add("receiving_department", "不能移交给本部门。")
        elif not receiver.is_active:
            add("receiving_department", f"{receiver.short_name}已停用。")
        if data.handover_basis not in FollowUp.Basis.values:
            add("handover_basis", "请选择移交依据。")
    if data.kind == FollowUp.Kind.JUDICIAL and not data.external_body.strip():
        add("external_body", "请写明移送的司法机关。")
    if data.deadline is not None and data.deadline < today:
        add("deadline", "期限不能早于今天。")
    if errors:
        raise ValidationError(errors)
    handover = data.kind == FollowUp.Kind.HANDOVER
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            result=result,
            target_id=result.target_id,
            kind=data.kind,
            status=FollowUp.Status.AWAITING if handover else FollowUp.Status.OPEN,
            origin_department_id=result.department_id,
            department=data.receiving_department if handover else result.department,
            measure=measure,
            deadline=data.deadline,
            document_number=data.document_number.strip(),
            external_body=data.external_body.strip(),
            handover_basis=data.handover_basis if handover else "",
            accept_deadline=deadline_after(today, HANDOVER_ANSWER_DAYS) if handover else None,
            created_by=actor,
        )
        if handover:
            events.handoff_received(follow_up=follow_up, actor=actor)
        _audit("follow_up.create", actor, follow_up, None)
    return follow_up


def _locked(follow_up: FollowUp) -> FollowUp:
    return (
        FollowUp.objects.select_for_update()
        .select_related("target", "department", "origin_department")
        .get(pk=follow_up.pk)
    )


def follow_up_accept(*, actor: User, follow_up: FollowUp) -> FollowUp:
    """The receiving department takes a hand-off over; from now on it handles it."""
    if not is_department_user(actor, follow_up.department_id):
        raise PermissionDenied("只有接收部门可以接收该移交。")
    with transaction.atomic():
        locked = _locked(follow_up)
        if locked.status != FollowUp.Status.AWAITING:
            raise ValidationError("该移交已经处理过（已接收或已退回）。")
        before = follow_up_snapshot(locked)
        locked.status = FollowUp.Status.OPEN
        locked.accepted_by, locked.accepted_at = actor, timezone.now()
        locked.save(update_fields=["status", "accepted_by", "accepted_at"])
        _audit("follow_up.accept", actor, locked, before, extra={"accepted_by": actor.username})
    return locked


def follow_up_return(*, actor: User, follow_up: FollowUp, reason: str) -> FollowUp:
    """The receiving department declines a hand-off with a reason; it goes back to the
    department that found the problem, which decides another measure."""
    if not is_department_user(actor, follow_up.department_id):
        raise PermissionDenied("只有接收部门可以退回该移交。")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "退回移交须写明理由。"})
    with transaction.atomic():
        locked = _locked(follow_up)
        if locked.status != FollowUp.Status.AWAITING:
            raise ValidationError("该移交已经处理过（已接收或已退回）。")
        before = follow_up_snapshot(locked)
        locked.status = FollowUp.Status.RETURNED
        locked.return_reason = reason
        locked.returned_by, locked.returned_at = actor, timezone.now()
        locked.save(update_fields=["status", "return_reason", "returned_by", "returned_at"])
        _audit("follow_up.return", actor, locked, before)
    return locked


def follow_up_recheck(
    *,
    actor: User,
    follow_up: FollowUp,
    recheck_on: datetime.date,
    corrected: bool,
    note: str,
    today: datetime.date | None = None,
) -> FollowUp:
    """The re-check of a correction order (复查): corrected or not, it closes the order; an
    uncorrected finding then needs a further measure (e.g. 立案查处)."""
    today = today or timezone.localdate()
    if not is_department_user(actor, follow_up.department_id):
        raise PermissionDenied("只有承办部门可以登记复查结果。")
    if follow_up.kind != FollowUp.Kind.CORRECTION:
        raise ValidationError("只有责令改正需要复查。")
    if recheck_on > today:
        raise ValidationError({"recheck_on": "复查日期不能晚于今天。"})
    if not note.strip():
        raise ValidationError({"note": "请写明复查情况。"})
    with transaction.atomic():
        locked = _locked(follow_up)
        if locked.status != FollowUp.Status.OPEN:
            raise ValidationError("该责令改正已办结。")
        before = follow_up_snapshot(locked)
        locked.recheck_on, locked.recheck_corrected, locked.recheck_note = recheck_on, corrected, note.strip()
        locked.status = FollowUp.Status.DONE
        locked.outcome = "复查已改正" if corrected else "复查未改正，需进一步处置"
        locked.closed_by, locked.closed_at = actor, timezone.now()
        locked.save()
        _audit("follow_up.recheck", actor, locked, before)
    return locked


def follow_up_close(*, actor: User, follow_up: FollowUp, outcome: str, document_number: str = "") -> FollowUp:
    """办结: the measure is carried out (listed, case decided, transfer received...)."""
    if not is_department_user(actor, follow_up.department_id):
        raise PermissionDenied("只有承办部门可以办结该后续处置。")
    if follow_up.kind == FollowUp.Kind.CORRECTION:
        raise ValidationError("责令改正以复查结果办结，请登记复查。")
    if not outcome.strip():
        raise ValidationError({"outcome": "请写明办结情况。"})
    with transaction.atomic():
        locked = _locked(follow_up)
        if locked.status != FollowUp.Status.OPEN:
            raise ValidationError("只有办理中的后续处置可以办结。")
        before = follow_up_snapshot(locked)
        locked.outcome = outcome.strip()
        if document_number.strip():
            locked.document_number = document_number.strip()[:60]
        locked.status = FollowUp.Status.DONE
        locked.closed_by, locked.closed_at = actor, timezone.now()
        locked.save()
        _audit("follow_up.close", actor, locked, before)
    return locked
