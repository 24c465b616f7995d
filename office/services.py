"""Writes of the office app: the assessment weights of a year, and exports (audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.jobs import job_create
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import Job, User
from office.models import DEFAULT_WEIGHTS, METRICS, AssessmentWeights

WEIGHTS_OBJECT_TYPE = "考核权重"


def weights_problems(values: dict[str, Any]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for key, label, _ in METRICS:
        value = values.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            problems[key] = [f"“{label}”的权重须为 0 至 100 之间的整数。"]
    if not problems:
        total = sum(values[key] for key, _, _ in METRICS)
        if total != 100:
            problems["__all__"] = [f"各项指标权重之和须为 100，当前为 {total}。"]
    return problems


def weights_save(*, actor: User, year: int, values: dict[str, Any]) -> AssessmentWeights:
    """The office sets a year's weights (sum 100). Audited with the weights before and after."""
    if not actor.has_role(Role.OFFICE):
        raise ValidationError("只有联席会议办公室可以修改考核权重。")
    if not 2000 <= year <= 2100:
        raise ValidationError("年度无效。")
    problems = weights_problems(values)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        weights = AssessmentWeights.objects.select_for_update().filter(year=year).first()
        before = weights.as_dict() if weights else {**DEFAULT_WEIGHTS, "默认": True}
        if weights is None:
            weights = AssessmentWeights(year=year)
        for key, _, _ in METRICS:
            setattr(weights, key, values[key])
        weights.updated_by = actor
        weights.save()
        audit_record(
            action="assessment.weights",
            actor=actor,
            role=Role.OFFICE,
            object_type=WEIGHTS_OBJECT_TYPE,
            object_key=str(year),
            before=before,
            after=weights.as_dict(),
        )
    return weights


def export_start(*, actor: User, report: str, fmt: str, title: str, params: dict[str, Any], role: str) -> Job:
    """Queue an export of one of the office's reports; the export is audited (office.export)."""
    from office.exports import FORMATS, KIND, REPORTS

    if report not in REPORTS or fmt not in FORMATS:
        raise ValidationError("无效的导出请求。")
    with transaction.atomic():
        job = job_create(
            kind=KIND,
            title=f"导出{title}（{FORMATS[fmt]}）",
            actor=actor,
            params={"report": report, "format": fmt, "params": params},
        )
        audit_record(
            action="office.export",
            actor=actor,
            role=role,
            object_type=title,
            object_key=str(job.pk),
            after={"report": report, "format": fmt, "params": params},
        )
    return job
