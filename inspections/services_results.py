"""Writes for doing the inspection: scheduling, result entry (谁检查、谁录入), attachments,
the department head's review and amendments, the joint summary, and the consequences a
result has for the target's record.

Every function is the one door for its change and writes its audit event in the same
transaction. Files are written before the transaction commits and removed again if it
does not, so a refused save leaves neither rows nor files behind.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from disclosure.services import publications_open, published_result_amended
from inspections.models import (
    FindingLevel,
    FollowUp,
    Inspection,
    MatterResult,
    ResultAmendment,
    ResultAttachment,
    ResultCode,
    Task,
    TaskDepartment,
    Visit,
)
from inspections.permissions import (
    is_department_head,
    may_change_attachments,
    may_enter_result,
    may_manage_inspection,
)
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.lib.uploads import UploadError, check_evidence
from luozhuang_dsj.models import User
from plans.models import ExemptionItem, Matter
from registry.models import Target, TargetChange

# Result codes with a fixed meaning (data/result_codes.csv).
CLEAN_CODE = "01"
UNREACHABLE_CODE = "04"
NOT_APPLICABLE_CODE = "08"
EXCLUSIVE_CODES = frozenset({CLEAN_CODE, NOT_APPLICABLE_CODE})
SERIOUS_CODES = frozenset({"03", "05"})
# 10–13 change the registration status. The registry knows 存续/注销/吊销/迁出; a
# cancelled registration (被撤销登记) no longer exists either, so it is recorded as 注销
# with the code named in the history note.
STATUS_CODES = {
    "10": Target.Status.DEREGISTERED,
    "11": Target.Status.REVOKED,
    "12": Target.Status.DEREGISTERED,
    "13": Target.Status.MOVED_OUT,
}
FINDINGS_MAX = 5000
TEXT_MAX = 2000


def _department_role(actor: User) -> str:
    return Role.DEPT_HEAD if actor.has_role(Role.DEPT_HEAD) else Role.DEPT_STAFF


@dataclass
class ResultData:
    """A result as the entry form gives it."""

    codes: list[ResultCode] = field(default_factory=list)
    inspected_on: datetime.date | None = None
    findings: str = ""
    legal_basis: str = ""
    exemption_item: ExemptionItem | None = None
    correction_order: str = ""
    correction_deadline: datetime.date | None = None

    def normalised(self) -> ResultData:
        return ResultData(
            codes=sorted(set(self.codes), key=lambda code: code.code),
            inspected_on=self.inspected_on,
            findings=self.findings.strip(),
            legal_basis=self.legal_basis.strip(),
            exemption_item=self.exemption_item,
            correction_order=self.correction_order.strip(),
            correction_deadline=self.correction_deadline,
        )


def finding_level(codes: Iterable[ResultCode]) -> int:
    level = FindingLevel.NONE
    for code in codes:
        if code.code in SERIOUS_CODES:
            level = max(level, FindingLevel.SERIOUS)
        elif code.outcome in (ResultCode.Outcome.PROBLEM, ResultCode.Outcome.FOLLOWUP):
            level = max(level, FindingLevel.PROBLEM)
        elif code.outcome == ResultCode.Outcome.CORRECTED:
            level = max(level, FindingLevel.CORRECTED)
    return int(level)


def result_problems(data: ResultData, *, department_id: int, today: datetime.date) -> dict[str, list[str]]:
    """What keeps a result from being submitted (a draft may be incomplete)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    codes = {code.code: code for code in data.codes}
    if not codes:
        add("codes", "请至少选择一项检查结果。")
    exclusive = EXCLUSIVE_CODES & set(codes)
    if exclusive and len(codes) > 1:
        names = "、".join(codes[code].name for code in sorted(exclusive))
        add("codes", f"“{names}”不能与其他检查结果同时选择。")
    status_codes = [code for code in codes.values() if code.outcome == ResultCode.Outcome.STATUS]
    if len(status_codes) > 1:
        add("codes", "登记状态类结果（09–13）只能选择一项。")
    if data.inspected_on is None:
        add("inspected_on", "请填写检查日期。")
    elif data.inspected_on > today:
        add("inspected_on", "检查日期不能晚于今天。")
    has_problem = any(
        code.outcome
        in (ResultCode.Outcome.PROBLEM, ResultCode.Outcome.FOLLOWUP, ResultCode.Outcome.CORRECTED)
        for code in codes.values()
    )
    if has_problem and not data.findings:
        add("findings", "发现问题的，请写明检查情况及发现的问题。")
    if data.exemption_item is not None:
        if not has_problem:
            add("exemption_item", "适用免罚清单须有发现问题的检查结果。")
        if not data.correction_order or data.correction_deadline is None:
            add(
                "correction_order",
                "适用轻微违法免罚清单的，必须同时责令改正并写明改正内容和改正期限（首违不罚须责令改正）。",
            )
    if data.correction_order and data.correction_deadline is None:
        add("correction_deadline", "责令改正须写明改正期限。")
    if data.correction_deadline is not None and not data.correction_order:
        add("correction_order", "填写了改正期限，请写明责令改正的内容。")
    if data.correction_order and not has_problem:
        add("correction_order", "责令改正须有发现问题的检查结果。")
    if (
        data.correction_deadline is not None
        and data.inspected_on is not None
        and data.correction_deadline <= data.inspected_on
    ):
        add("correction_deadline", "改正期限应晚于检查日期。")
    return errors


def _draft_problems(data: ResultData, *, department_id: int, today: datetime.date) -> dict[str, list[str]]:
    """The checks a draft must pass too: nothing that could not be stored as it is."""
    errors: dict[str, list[str]] = {}
    if data.inspected_on is not None and data.inspected_on > today:
        errors["inspected_on"] = ["检查日期不能晚于今天。"]
    if len(data.findings) > FINDINGS_MAX:
        errors["findings"] = [f"检查情况不能超过 {FINDINGS_MAX} 字。"]
    for name in ("legal_basis", "correction_order"):
        if len(getattr(data, name)) > TEXT_MAX:
            errors[name] = [f"不能超过 {TEXT_MAX} 字。"]
    item = data.exemption_item
    if item is not None and (not item.is_active or item.department_id != department_id):
        errors["exemption_item"] = ["只能适用本部门有效的免罚清单事项。"]
    return errors


def result_snapshot(result: MatterResult) -> dict[str, Any]:
    return {
        "inspection": result.inspection_id,
        "matter": result.matter.code,
        "status": result.status,
        "codes": sorted(code.code for code in result.codes.all()),
        "inspected_on": result.inspected_on,
        "findings": result.findings,
        "legal_basis": result.legal_basis,
        "exemption_item": result.exemption_item.code if result.exemption_item_id else None,
        "correction_order": result.correction_order,
        "correction_deadline": result.correction_deadline,
        "attachments": [
            {"name": attachment.original_name, "sha256": attachment.sha256}
            for attachment in result.attachments.order_by("pk")
        ],
        "revision": result.revision,
    }


def inspection_matters(inspection: Inspection) -> list[tuple[TaskDepartment, list[Matter]]]:
    rows = (
        TaskDepartment.objects.filter(task_id=inspection.task_id)
        .select_related("department")
        .prefetch_related("matters")
        .order_by("order")
    )
    return [(row, sorted(row.matters.all(), key=lambda matter: matter.code)) for row in rows]


def _check_matter(inspection: Inspection, matter: Matter) -> None:
    if not TaskDepartment.objects.filter(
        task_id=inspection.task_id, department_id=matter.department_id, matters=matter
    ).exists():
        raise ValidationError("该事项不是本次检查的抽查事项。")


# ---- attachments -------------------------------------------------------------------------------


@contextmanager
def _files_removed_unless_committed(stored: list[ResultAttachment]):  # type: ignore[no-untyped-def]
    """Files are written inside the transaction; if it fails, they go again."""
    try:
        yield
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


def attachments_check(
    result: MatterResult | None, files: Sequence[UploadedFile]
) -> list[tuple[UploadedFile, Any]]:
    """Every file checked by content before anything is written; one bad file refuses all."""
    limit = settings.RESULT_ATTACHMENT_MAX_BYTES
    existing = result.attachments.count() if result is not None and result.pk else 0
    if existing + len(files) > settings.RESULT_ATTACHMENTS_MAX_COUNT:
        raise ValidationError(
            {
                "attachments": [
                    f"每项结果最多 {settings.RESULT_ATTACHMENTS_MAX_COUNT} 个附件（已有 {existing} 个）。"
                ]
            }
        )
    checked = []
    for upload in files:
        if upload.size is not None and upload.size > limit:
            raise ValidationError(
                {"attachments": [f"“{upload.name}”过大：单个附件上限 {limit / 1024 / 1024:.1f} MB。"]}
            )
        try:
            evidence = check_evidence(upload, max_bytes=limit)
        except UploadError as error:
            raise ValidationError({"attachments": [f"“{upload.name}”：{error}"]}) from None
        checked.append((upload, evidence))
    return checked


def _store_attachments(
    result: MatterResult,
    checked: list[tuple[UploadedFile, Any]],
    *,
    actor: User,
    stored: list[ResultAttachment],
) -> None:
    now = timezone.now()
    for upload, evidence in checked:
        attachment = ResultAttachment(
            result=result,
            content_type=evidence.content_type,
            original_name=(upload.name or "附件")[-200:],
            size=evidence.size,
            sha256=evidence.sha256,
            uploaded_by=actor,
            uploaded_at=now,
        )
        upload.seek(0)
        attachment.file.save("upload", upload, save=False)
        stored.append(attachment)
        attachment.save()


def attachments_add(
    *, actor: User, result: MatterResult, files: Sequence[UploadedFile]
) -> list[ResultAttachment]:
    """Add evidence to a result: a draft's team member, or the department head (audited)."""
    if not may_change_attachments(actor, result):
        raise PermissionDenied("提交后的检查结果，附件只能由本部门负责人增删。")
    checked = attachments_check(result, files)
    stored: list[ResultAttachment] = []
    with _files_removed_unless_committed(stored), transaction.atomic():
        _store_attachments(result, checked, actor=actor, stored=stored)
        audit_record(
            action="result.attachment_add",
            actor=actor,
            object_type="检查结果附件",
            object_key=str(result.pk),
            after=[{"name": item.original_name, "sha256": item.sha256, "size": item.size} for item in stored],
        )
    return stored


def attachment_delete(*, actor: User, attachment: ResultAttachment) -> None:
    result = attachment.result
    if not may_change_attachments(actor, result):
        raise PermissionDenied("提交后的检查结果，附件只能由本部门负责人增删。")
    before = {"name": attachment.original_name, "sha256": attachment.sha256, "size": attachment.size}
    name = attachment.file.name
    storage = attachment.file.storage
    with transaction.atomic():
        attachment.delete()
        audit_record(
            action="result.attachment_delete",
            actor=actor,
            object_type="检查结果附件",
            object_key=str(result.pk),
            before=before,
        )
        transaction.on_commit(lambda: storage.delete(name))


# ---- entry ------------------------------------------------------------------------------------------


def result_save(
    *,
    actor: User,
    inspection: Inspection,
    matter: Matter,
    data: ResultData,
    submit: bool,
    files: Sequence[UploadedFile] = (),
    client_token: str = "",
    today: datetime.date | None = None,
) -> MatterResult:
    """Save a matter's result as a draft, or submit it. Only a serving team member of the
    matter's department enters it (谁检查、谁录入); once submitted it is the head's to change."""
    today = today or timezone.localdate()
    if not may_enter_result(actor, inspection, matter.department_id):
        raise PermissionDenied("只有本部门在检查组中的执法检查人员可以录入该事项的检查结果。")
    _check_matter(inspection, matter)
    data = data.normalised()
    existing = MatterResult.objects.filter(inspection=inspection, matter=matter).first()
    if existing is not None and existing.status != MatterResult.Status.DRAFT:
        raise ValidationError("该事项的检查结果已提交，如需修改请联系本部门负责人。")
    problems = _draft_problems(data, department_id=matter.department_id, today=today)
    if submit and not problems:
        problems = result_problems(data, department_id=matter.department_id, today=today)
    if problems:
        raise ValidationError(problems)
    checked = attachments_check(existing, files)
    stored: list[ResultAttachment] = []
    now = timezone.now()
    with _files_removed_unless_committed(stored), transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.is_closed:
            raise ValidationError("该检查已办结，不能再录入结果。")
        result = MatterResult.objects.filter(inspection=locked, matter=matter).first()
        if result is not None and result.status != MatterResult.Status.DRAFT:
            raise ValidationError("该事项的检查结果已提交，如需修改请联系本部门负责人。")
        if result is None:
            result = MatterResult(
                inspection=locked,
                matter=matter,
                department_id=matter.department_id,
                target_id=locked.target_id,
                entered_by=actor,
            )
        _write(result, data)
        result.updated_by = actor
        result.client_token = client_token[:64]
        if submit:
            result.status = MatterResult.Status.SUBMITTED
            result.submitted_by, result.submitted_at = actor, now
            result.return_reason = ""
        result.save()
        result.codes.set(data.codes)
        _store_attachments(result, checked, actor=actor, stored=stored)
        if locked.status == Inspection.Status.PENDING:
            locked.status = Inspection.Status.IN_PROGRESS
            locked.save(update_fields=["status"])
        consequences: dict[str, Any] = {}
        if submit:
            consequences = _apply_consequences(actor=actor, result=result, codes=data.codes)
            _sync_correction(actor=actor, result=result)
        audit_record(
            action="result.submit" if submit else "result.save_draft",
            actor=actor,
            role=Role.INSPECTOR,
            object_type="事项检查结果",
            object_key=f"{locked.task.code}/{locked.target.code}/{matter.code}",
            after=result_snapshot(result) | ({"consequences": consequences} if consequences else {}),
        )
    return result


def _write(result: MatterResult, data: ResultData) -> None:
    result.inspected_on = data.inspected_on
    result.findings = data.findings
    result.legal_basis = data.legal_basis
    result.exemption_item = data.exemption_item
    result.correction_order = data.correction_order
    result.correction_deadline = data.correction_deadline
    result.finding_level = finding_level(data.codes)


def _apply_consequences(*, actor: User, result: MatterResult, codes: Iterable[ResultCode]) -> dict[str, Any]:
    """A status code updates the registration status; 04 flags the address as unreachable.
    Recorded in the target's history (source: 检查结果). A later change removing the code
    does not undo it: the office corrects the target record by hand."""
    target = Target.objects.select_for_update().get(pk=result.target_id)
    changes: dict[str, list[Any]] = {}
    notes = []
    for code in codes:
        status = STATUS_CODES.get(code.code)
        if status is not None and target.status != status:
            changes["status"] = [target.status, status]
            target.status = status
            notes.append(f"{code.code} {code.name}")
        if code.code == UNREACHABLE_CODE and not target.address_unreachable:
            changes["address_unreachable"] = [False, True]
            target.address_unreachable = True
            notes.append(f"{code.code} {code.name}")
    if not changes:
        return {}
    target.save(update_fields=["status", "address_unreachable", "updated_at"])
    TargetChange.objects.create(
        target=target,
        user=actor,
        source=TargetChange.Source.RESULT,
        changes=changes,
        note=f"{result.inspection.task.code} {result.matter.name}：{'；'.join(notes)}"[:300],
    )
    return changes


def _sync_correction(*, actor: User, result: MatterResult) -> None:
    """A correction order on the result is a 责令改正 follow-up with its deadline: created on
    submission, kept in step when the head changes the order, never reopened once rechecked."""
    live = result.follow_ups.filter(kind=FollowUp.Kind.CORRECTION, status=FollowUp.Status.OPEN).first()
    if not result.correction_order:
        return
    if live is None:
        if result.follow_ups.filter(kind=FollowUp.Kind.CORRECTION).exists():
            return
        FollowUp.objects.create(
            result=result,
            target_id=result.target_id,
            kind=FollowUp.Kind.CORRECTION,
            origin_department_id=result.department_id,
            department_id=result.department_id,
            measure=result.correction_order,
            deadline=result.correction_deadline,
            created_by=actor,
        )
    elif (live.measure, live.deadline) != (result.correction_order, result.correction_deadline):
        live.measure, live.deadline = result.correction_order, result.correction_deadline
        live.save(update_fields=["measure", "deadline"])


# ---- the department head --------------------------------------------------------------------------


def _require_head(actor: User, result: MatterResult) -> None:
    if not is_department_head(actor, result.department_id):
        raise PermissionDenied("提交后的检查结果只能由本部门负责人审核或修改。")


def result_approve(*, actor: User, results: Sequence[MatterResult]) -> int:
    """The head approves submitted results (ready for the department to publish)."""
    for result in results:
        _require_head(actor, result)
    approved = 0
    with transaction.atomic():
        for result in results:
            locked = MatterResult.objects.select_for_update().get(pk=result.pk)
            if locked.status != MatterResult.Status.SUBMITTED:
                continue
            locked.status = MatterResult.Status.APPROVED
            locked.approved_by, locked.approved_at = actor, timezone.now()
            locked.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
            audit_record(
                action="result.approve",
                actor=actor,
                role=Role.DEPT_HEAD,
                object_type="事项检查结果",
                object_key=str(locked.pk),
                before={"status": MatterResult.Status.SUBMITTED},
                after={"status": MatterResult.Status.APPROVED},
            )
            approved += 1
    if not approved:
        raise ValidationError("所选结果都不是待审核状态。")
    return approved


def result_return(*, actor: User, result: MatterResult, reason: str) -> MatterResult:
    """The head sends a submitted result back to the team for correction."""
    _require_head(actor, result)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "退回修改须写明意见。"})
    with transaction.atomic():
        locked = MatterResult.objects.select_for_update().select_related("inspection").get(pk=result.pk)
        if locked.status != MatterResult.Status.SUBMITTED:
            raise ValidationError("只有待审核的结果可以退回修改；已审核的结果请由负责人直接修改。")
        if locked.inspection.is_closed:
            raise ValidationError("该检查已办结，不能退回修改；请由负责人直接修改。")
        locked.status = MatterResult.Status.DRAFT
        locked.return_reason = reason
        locked.submitted_by, locked.submitted_at = None, None
        locked.save(update_fields=["status", "return_reason", "submitted_by", "submitted_at", "updated_at"])
        audit_record(
            action="result.return",
            actor=actor,
            role=Role.DEPT_HEAD,
            object_type="事项检查结果",
            object_key=str(locked.pk),
            before={"status": MatterResult.Status.SUBMITTED},
            after={"status": MatterResult.Status.DRAFT, "reason": reason},
        )
    return locked


def result_amend(
    *, actor: User, result: MatterResult, data: ResultData, reason: str, today: datetime.date | None = None
) -> MatterResult:
    """The head changes a submitted result: a reason, the before and after kept on the
    result (修改记录) and in the audit trail."""
    _require_head(actor, result)
    today = today or timezone.localdate()
    reason = reason.strip()
    data = data.normalised()
    problems = _draft_problems(data, department_id=result.department_id, today=today)
    if not problems:
        problems = result_problems(data, department_id=result.department_id, today=today)
    if not reason:
        problems.setdefault("reason", []).append("修改已提交的检查结果须写明理由。")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = (
            MatterResult.objects.select_for_update().select_related("inspection", "matter").get(pk=result.pk)
        )
        if not locked.is_entered:
            raise ValidationError("该结果尚未提交，由检查人员修改草稿即可。")
        before = result_snapshot(locked)
        previous_codes = set(locked.codes.all())
        _write(locked, data)
        locked.updated_by = actor
        locked.revision += 1
        locked.save()
        locked.codes.set(data.codes)
        after = result_snapshot(locked)
        if before | {"revision": 0} == after | {"revision": 0}:
            raise ValidationError("没有任何修改。")
        ResultAmendment.objects.create(
            result=locked, revision=locked.revision, by=actor, reason=reason, before=before, after=after
        )
        consequences = _apply_consequences(
            actor=actor, result=locked, codes=[code for code in data.codes if code not in previous_codes]
        )
        _sync_correction(actor=actor, result=locked)
        public = published_result_amended(result=locked, reason=reason, at=timezone.now())
        inspection = locked.inspection
        if inspection.is_closed:
            level = inspection.results.aggregate(level=Max("finding_level"))["level"] or 0
            Inspection.objects.filter(pk=inspection.pk).update(finding_level=level)
        audit_record(
            action="result.amend",
            actor=actor,
            role=Role.DEPT_HEAD,
            object_type="事项检查结果",
            object_key=str(locked.pk),
            before=before,
            after=after
            | {"reason": reason}
            | ({"consequences": consequences} if consequences else {})
            | ({"public_correction": True} if public else {}),
        )
    return locked


# ---- scheduling and the joint summary ------------------------------------------------------------


def _require_inspection_manager(actor: User, inspection: Inspection) -> None:
    if not may_manage_inspection(actor, inspection):
        raise PermissionDenied("只有发起部门的工作人员可以安排和办结本检查。")


def inspection_schedule(*, actor: User, inspection: Inspection, day: datetime.date | None) -> Visit:
    """Set (or clear) the visit's date; a merged visit (进一次门) has one date for both tasks."""
    _require_inspection_manager(actor, inspection)
    if inspection.is_closed:
        raise ValidationError("该检查已办结。")
    task = inspection.task
    if day is not None and not task.start_date <= day <= task.end_date:
        raise ValidationError(
            {"day": f"检查日期应在任务期间内（{task.start_date:%Y-%m-%d} 至 {task.end_date:%Y-%m-%d}）。"}
        )
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=inspection.visit_id)
        before = visit.scheduled_date
        visit.scheduled_date = day
        visit.save(update_fields=["scheduled_date"])
        audit_record(
            action="inspection.schedule",
            actor=actor,
            role=_department_role(actor),
            object_type="检查",
            object_key=f"{task.code}/{inspection.target.code}",
            before={"scheduled_date": before},
            after={"scheduled_date": day},
        )
    return visit


def batch_schedule(*, actor: User, task: Task, batch: int, day: datetime.date) -> int:
    """One date for every open inspection of a batch (按批次安排检查日期)."""
    if not (actor.has_role(Role.DEPT_STAFF, Role.DEPT_HEAD) and actor.department_id == task.initiator_id):
        raise PermissionDenied("只有发起部门的工作人员可以安排检查日期。")
    if not task.start_date <= day <= task.end_date:
        raise ValidationError(
            {"day": f"检查日期应在任务期间内（{task.start_date:%Y-%m-%d} 至 {task.end_date:%Y-%m-%d}）。"}
        )
    inspections = task.inspections.filter(batch=batch).exclude(status__in=Inspection.CLOSED_STATUSES)
    visit_ids = list(inspections.values_list("visit_id", flat=True))
    if not visit_ids:
        raise ValidationError({"batch": f"第 {batch} 批没有未办结的检查。"})
    with transaction.atomic():
        updated = Visit.objects.filter(pk__in=visit_ids).update(scheduled_date=day)
        audit_record(
            action="inspection.schedule_batch",
            actor=actor,
            role=_department_role(actor),
            object_type="抽查任务",
            object_key=task.code,
            after={"batch": batch, "scheduled_date": day, "inspections": len(visit_ids)},
        )
    return updated


def missing_results(inspection: Inspection) -> list[tuple[TaskDepartment, list[Matter]]]:
    """Per department, the matters without a submitted result."""
    entered = set(
        inspection.results.filter(status__in=MatterResult.ENTERED).values_list("matter_id", flat=True)
    )
    missing = []
    for row, matters in inspection_matters(inspection):
        left = [matter for matter in matters if matter.pk not in entered]
        if left:
            missing.append((row, left))
    return missing


def inspection_close(*, actor: User, inspection: Inspection, summary: str, impossible: bool) -> Inspection:
    """The joint summary (联合检查汇总): the initiating department closes the inspection once
    every department has submitted its matters; the task is done when its last one closes."""
    _require_inspection_manager(actor, inspection)
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": "请填写检查汇总意见。"})
    if impossible and len(summary) < 4:
        raise ValidationError({"summary": "无法检查的，请写明原因。"})
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().select_related("task", "target").get(pk=inspection.pk)
        if locked.is_closed:
            raise ValidationError("该检查已经办结。")
        missing = missing_results(locked)
        if missing:
            names = "；".join(
                f"{row.department.short_name}：{'、'.join(matter.name for matter in matters)}"
                for row, matters in missing
            )
            raise ValidationError(f"以下事项尚未提交检查结果，暂不能办结：{names}。")
        level = locked.results.aggregate(level=Max("finding_level"))["level"] or 0
        locked.status = Inspection.Status.IMPOSSIBLE if impossible else Inspection.Status.DONE
        locked.summary = summary
        locked.closed_at, locked.closed_by = timezone.now(), actor
        locked.finding_level = level
        locked.save(update_fields=["status", "summary", "closed_at", "closed_by", "finding_level"])
        publications_open(inspection=locked)
        task_closed = False
        if not locked.task.inspections.exclude(status__in=Inspection.CLOSED_STATUSES).exists():
            Task.objects.filter(pk=locked.task_id).update(
                status=Task.Status.CLOSED, updated_at=timezone.now()
            )
            task_closed = True
        audit_record(
            action="inspection.close",
            actor=actor,
            role=_department_role(actor),
            object_type="检查",
            object_key=f"{locked.task.code}/{locked.target.code}",
            after={
                "status": locked.status,
                "summary": summary,
                "finding_level": level,
                "task_closed": task_closed,
            },
        )
    return locked
