"""Writes of the disclosure app: opening publications when an inspection closes, the
department head's publication, objections filed by the public and the department's
decision on them."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from disclosure.models import (
    PUBLICATION_WORKING_DAYS,
    Objection,
    ObjectionAttachment,
    PublishedResult,
    ResultPublication,
    search_key,
)
from inspections.models import Inspection, MatterResult, ResultCode
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.access import user_has_role
from luozhuang_dsj.lib.deadlines import deadline_after
from luozhuang_dsj.lib.masking import mask_name
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from notices import events
from registry.models import Target

# The outcome shown for a result with several codes: the most serious one.
OUTCOME_ORDER = [
    ResultCode.Outcome.PROBLEM,
    ResultCode.Outcome.FOLLOWUP,
    ResultCode.Outcome.CORRECTED,
    ResultCode.Outcome.STATUS,
    ResultCode.Outcome.NOT_APPLICABLE,
    ResultCode.Outcome.CLEAN,
]
# Anyone may file without signing in: fewer files than a result may carry.
OBJECTION_MAX_FILES = 5


def publications_open(*, inspection: Inspection) -> list[ResultPublication]:
    """When an inspection is closed: one pending publication per department that entered
    results on it, due 20 working days after the closing day. Call inside the closing
    transaction; idempotent."""
    closed_on = timezone.localdate(inspection.closed_at)
    due_on = deadline_after(closed_on, PUBLICATION_WORKING_DAYS)
    departments = sorted(set(inspection.results.values_list("department_id", flat=True)))
    existing = set(inspection.publications.values_list("department_id", flat=True))
    return ResultPublication.objects.bulk_create(
        [
            ResultPublication(
                inspection=inspection, department_id=department, closed_on=closed_on, due_on=due_on
            )
            for department in departments
            if department not in existing
        ]
    )


# ---- publication (谁公开) ---------------------------------------------------------------------------


def may_publish(user: User, publication: ResultPublication) -> bool:
    return user_has_role(user, Role.DEPT_HEAD) and user.department_id == publication.department_id


def publication_results(publication: ResultPublication):  # type: ignore[no-untyped-def]
    return MatterResult.objects.filter(
        inspection_id=publication.inspection_id, department_id=publication.department_id
    )


def publication_problems(publication: ResultPublication) -> list[str]:
    """Why the publication cannot be published yet (empty when it can)."""
    if publication.status == ResultPublication.Status.PUBLISHED:
        return ["该检查结果已经公开。"]
    results = list(publication_results(publication).select_related("matter").order_by("matter__code"))
    if not results:
        return ["本部门在该检查中没有检查结果。"]
    waiting = [result.matter.name for result in results if result.status != MatterResult.Status.APPROVED]
    if waiting:
        return [f"以下事项的检查结果尚未经部门负责人审核，不能公开：{'、'.join(waiting)}。"]
    return []


def outcome_of(codes: Sequence[ResultCode]) -> str:
    outcomes = {code.outcome for code in codes}
    return next((outcome for outcome in OUTCOME_ORDER if outcome in outcomes), "")


def public_row(result: MatterResult, *, publication: ResultPublication, at: Any) -> PublishedResult:
    """The public fields of one result, and nothing else (see PublishedResult)."""
    target, task, matter = result.target, result.inspection.task, result.matter
    codes = sorted(result.codes.all(), key=lambda code: code.code)
    individual = target.kind == Target.Kind.INDIVIDUAL
    return PublishedResult(
        publication=publication,
        result=result,
        department_id=result.department_id,
        task=task,
        year=task.year,
        credit_code=target.code,
        target_name=target.name,
        search_key=search_key(target.name, target.code),
        target_kind=target.kind,
        operator_masked=mask_name(target.legal_representative) if individual else "",
        town_name=target.town.name if target.town_id else "",
        task_code=task.code,
        task_title=task.title,
        matter_code=matter.code,
        matter_name=matter.name,
        result_codes="、".join(code.code for code in codes),
        result_label="、".join(code.name for code in codes),
        outcome=outcome_of(codes),
        inspected_on=result.inspected_on,
        published_at=at,
    )


def publication_publish(*, actor: User, publication: ResultPublication) -> ResultPublication:
    """The department head publishes the department's results on one inspection: every
    one of them approved, all rows written in one transaction."""
    if not may_publish(actor, publication):
        raise PermissionDenied("只有本部门负责人可以公开本部门的检查结果。")
    with transaction.atomic():
        locked = ResultPublication.objects.select_for_update().get(pk=publication.pk)
        problems = publication_problems(locked)
        if problems:
            raise ValidationError(problems)
        now = timezone.now()
        results = (
            publication_results(locked)
            .select_related("target", "target__town", "matter", "inspection__task")
            .prefetch_related("codes")
            .order_by("matter__code")
        )
        rows = PublishedResult.objects.bulk_create(
            [public_row(result, publication=locked, at=now) for result in results]
        )
        locked.status = ResultPublication.Status.PUBLISHED
        locked.published_at, locked.published_by = now, actor
        locked.content = {
            "rows": [
                {"matter_code": row.matter_code, "result_codes": row.result_codes, "outcome": row.outcome}
                for row in rows
            ]
        }
        locked.save(update_fields=["status", "published_at", "published_by", "content"])
        today = timezone.localdate(now)
        audit_record(
            action="disclosure.publish",
            actor=actor,
            role=Role.DEPT_HEAD,
            object_type="检查结果公开",
            object_key=f"{locked.inspection.task.code}/{locked.inspection.target.code}/{locked.department.code}",
            before={"status": ResultPublication.Status.PENDING},
            after={
                "status": locked.status,
                "rows": len(rows),
                "due_on": locked.due_on,
                "late": today > locked.due_on,
            },
        )
    return locked


# ---- objections (异议) -------------------------------------------------------------------------------


@dataclass
class ObjectionData:
    contact_name: str
    contact_phone: str
    reason: str


def _new_reference() -> str:
    """YY, the date and 8 random hex digits: not guessable, unique by constraint."""
    return f"YY{timezone.localdate():%Y%m%d}{secrets.token_hex(4).upper()}"


def objection_file(
    *,
    row: PublishedResult,
    data: ObjectionData,
    files: Sequence[UploadedFile] = (),
    client_ip: str | None = None,
) -> Objection:
    """Anyone may object to a published result; the department's staff and heads are told."""
    problems: dict[str, list[str]] = {}
    if not data.contact_name.strip():
        problems["contact_name"] = ["请填写联系人。"]
    if not data.reason.strip():
        problems["reason"] = ["请写明异议理由。"]
    if problems:
        raise ValidationError(problems)
    if len(files) > OBJECTION_MAX_FILES:
        raise ValidationError({"attachments": [f"最多上传 {OBJECTION_MAX_FILES} 个附件。"]})
    # The results' own check (by content and size); imported here because the results
    # module imports this one (publications_open).
    from inspections.services_results import attachments_check

    checked = attachments_check(None, files)
    stored: list[ObjectionAttachment] = []
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                reference=_new_reference(),
                published_result=row,
                department_id=row.department_id,
                contact_name=data.contact_name.strip(),
                contact_phone=data.contact_phone.strip(),
                reason=data.reason.strip(),
            )
            now = timezone.now()
            for upload, evidence in checked:
                attachment = ObjectionAttachment(
                    objection=objection,
                    content_type=evidence.content_type,
                    original_name=(upload.name or "附件")[-200:],
                    size=evidence.size,
                    sha256=evidence.sha256,
                    uploaded_at=now,
                )
                upload.seek(0)
                attachment.file.save("upload", upload, save=False)
                stored.append(attachment)
                attachment.save()
            events.objection_filed(objection=objection)
            audit_record(
                action="disclosure.objection_file",
                username="公众",
                object_type="异议",
                object_key=objection.reference,
                after={
                    "result": row.pk,
                    "department": row.department_id,
                    "attachments": [item.sha256 for item in stored],
                },
                client_ip=client_ip,
            )
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return objection


def may_decide(user: User, objection: Objection) -> bool:
    return user_has_role(user, Role.DEPT_HEAD) and user.department_id == objection.department_id


def objection_decide(
    *, actor: User, objection: Objection, decision: str, reason: str, corrected_label: str = ""
) -> Objection:
    """The department head upholds (维持) the result or corrects (更正) it; a correction is
    shown beside the result on the public pages."""
    if not may_decide(actor, objection):
        raise PermissionDenied("只有本部门负责人可以处理本部门检查结果的异议。")
    reason, corrected_label = reason.strip(), corrected_label.strip()
    problems: dict[str, list[str]] = {}
    if decision not in (Objection.Status.UPHELD, Objection.Status.CORRECTED):
        problems["decision"] = ["请选择维持原结果或更正结果。"]
    if not reason:
        problems["reason"] = ["请写明处理理由。"]
    if decision == Objection.Status.CORRECTED and not corrected_label:
        problems["corrected_label"] = ["更正结果须填写更正后的检查结果。"]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != Objection.Status.FILED:
            raise ValidationError("该异议已经处理。")
        now = timezone.now()
        locked.status, locked.decision_reason = decision, reason
        locked.decided_at, locked.decided_by = now, actor
        locked.save(update_fields=["status", "decision_reason", "decided_at", "decided_by"])
        row = PublishedResult.objects.select_for_update().get(pk=locked.published_result_id)
        before = {"label": row.result_label, "corrected_label": row.corrected_label}
        if decision == Objection.Status.CORRECTED:
            row.corrected_label, row.correction_note, row.corrected_at = corrected_label, reason, now
            row.save(update_fields=["corrected_label", "correction_note", "corrected_at"])
        audit_record(
            action="disclosure.objection_decide",
            actor=actor,
            role=Role.DEPT_HEAD,
            object_type="异议",
            object_key=locked.reference,
            before=before | {"status": Objection.Status.FILED},
            after={"status": decision, "reason": reason, "corrected_label": row.corrected_label},
        )
    return locked
