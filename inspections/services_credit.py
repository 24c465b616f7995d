"""Credit risk classes (信用风险分类) recomputed from results, the office's overrides, and the
serious-dishonesty list (严重违法失信名单, 联合惩戒). The rules are in docs/CREDIT_RISK.md.

The recomputation is set-based: a handful of SQL statements over the targets that have any
evidence (results, follow-ups, listings, overrides), never a Python loop over the registry,
so a million targets cost what their evidence costs. It runs every night (Celery beat) and
on demand by the office (a job with a progress bar). It is idempotent: a second run on the
same day changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from inspections.models import (
    CreditOverride,
    DishonestyListing,
    FindingLevel,
    FollowUp,
    Inspection,
    MatterResult,
    TargetCredit,
)
from inspections.selectors import months_before
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.jobs import Progress, job_create, job_handler
from luozhuang_dsj.lib.access import user_has_role
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import Job, User
from registry.models import RiskClass, Target, TargetChange

# The windows of the rules, in months before the day of the run.
SERIOUS_MONTHS = 24
FINDING_MONTHS = 24
CORRECTED_MONTHS = 12
CLEAN_MONTHS = 36
CLEAN_RUN_STEP = 2  # every two clean inspections lower the class one step below its base

RULES = TargetCredit.RULES
CLASSES = [RiskClass.A, RiskClass.B, RiskClass.C, RiskClass.D]


@dataclass(frozen=True)
class CreditReport:
    evaluated: int
    changed: int
    by_class: dict[str, int]


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _rule_expression(today: datetime.date) -> Case:
    """Which rule decides each TargetCredit row's class, first match wins."""
    target = OuterRef("target_id")
    entered = MatterResult.objects.filter(target_id=target, status__in=MatterResult.ENTERED)
    since_serious = months_before(today, SERIOUS_MONTHS)
    since_finding = months_before(today, FINDING_MONTHS)
    override = Exists(CreditOverride.objects.filter(target_id=target, lifted_at__isnull=True))
    listed = Exists(DishonestyListing.objects.filter(DishonestyListing.in_force_q(today), target_id=target))
    serious = Exists(entered.filter(finding_level=FindingLevel.SERIOUS, inspected_on__gte=since_serious))
    escalated = Exists(
        FollowUp.objects.filter(
            target_id=target,
            kind__in=[FollowUp.Kind.CASE_FILING, FollowUp.Kind.JUDICIAL],
            created_at__gte=_day_start(since_serious),
        ).exclude(status__in=[FollowUp.Status.AWAITING, FollowUp.Status.RETURNED])
    )
    finding = Exists(entered.filter(finding_level=FindingLevel.PROBLEM, inspected_on__gte=since_finding))
    uncorrected = Exists(
        FollowUp.objects.filter(
            target_id=target,
            kind=FollowUp.Kind.CORRECTION,
            recheck_corrected=False,
            recheck_on__gte=since_finding,
        )
    )
    corrected = Exists(
        entered.filter(
            finding_level=FindingLevel.CORRECTED, inspected_on__gte=months_before(today, CORRECTED_MONTHS)
        )
    )
    return Case(
        When(override, then=Value("override")),
        When(listed, then=Value("listed")),
        When(serious, then=Value("serious")),
        When(escalated, then=Value("serious")),
        When(finding, then=Value("finding")),
        When(uncorrected, then=Value("finding")),
        When(corrected, then=Value("corrected")),
        When(GreaterThanOrEqual(_clean_count(today), Value(CLEAN_RUN_STEP)), then=Value("clean_run")),
        default=Value("base"),
        output_field=CharField(),
    )


def _clean_count(today: datetime.date) -> Coalesce:
    """Closed inspections in the window whose every result was clean."""
    return Coalesce(
        Subquery(
            Inspection.objects.filter(
                target_id=OuterRef("target_id"),
                status=Inspection.Status.DONE,
                finding_level=FindingLevel.NONE,
                closed_at__gte=_day_start(months_before(today, CLEAN_MONTHS)),
            )
            .order_by()
            .values("target_id")
            .annotate(number=Count("pk"))
            .values("number")
        ),
        Value(0),
    )


def _class_expression(today: datetime.date) -> Case:
    """The class each row's rule gives, from its base class."""
    clean = _clean_count(today)
    lowered = [
        # From base rank r, CLEAN_RUN_STEP * (r - k) clean inspections bring it down to rank k.
        When(
            GreaterThanOrEqual(clean, Value(CLEAN_RUN_STEP * (rank - lower))),
            rule="clean_run",
            base_class=CLASSES[rank],
            then=Value(CLASSES[lower]),
        )
        for rank in range(1, len(CLASSES))
        for lower in range(rank)
    ]
    override = Subquery(
        CreditOverride.objects.filter(target_id=OuterRef("target_id"), lifted_at__isnull=True).values(
            "risk_class"
        )[:1]
    )
    return Case(
        When(rule="override", then=override),
        When(rule__in=["listed", "serious"], then=Value(RiskClass.D)),
        When(rule="finding", base_class=RiskClass.D, then=Value(RiskClass.D)),
        When(rule="finding", then=Value(RiskClass.C)),
        When(rule="corrected", base_class=RiskClass.A, then=Value(RiskClass.B)),
        *lowered,
        default=F("base_class"),
        output_field=CharField(),
    )


def _scope_sql(target_ids: Sequence[int] | None, column: str) -> tuple[str, list[Any]]:
    if target_ids is None:
        return "", []
    placeholders = ", ".join(["%s"] * len(target_ids))
    return f" AND {column} IN ({placeholders})", list(target_ids)


def _insert_missing_rows(now: datetime.datetime, target_ids: Sequence[int] | None) -> int:
    """A TargetCredit row for every target with evidence and none yet; its base is its
    present class."""
    credit = TargetCredit._meta.db_table
    target = Target._meta.db_table
    scope, params = _scope_sql(target_ids, "target_id")
    # Table names come from the models, never from input.
    evidence = " UNION ".join(
        f"SELECT target_id FROM {model._meta.db_table} WHERE TRUE{scope}"  # noqa: S608  # nosec B608
        for model in (MatterResult, FollowUp, DishonestyListing, CreditOverride)
    )
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {credit} (target_id, base_class, computed_class, rule, computed_at) "  # noqa: S608  # nosec B608 - table names from the models, values as parameters
            f"SELECT t.id, t.risk_class, t.risk_class, '', %s FROM {target} t "
            f"WHERE t.id IN ({evidence}) "
            f"AND NOT EXISTS (SELECT 1 FROM {credit} c WHERE c.target_id = t.id)",
            [at, *(params * 4)],
        )
        return cursor.rowcount


def _insert_history(now: datetime.datetime, actor: User | None, target_ids: Sequence[int] | None) -> int:
    """One TargetChange (source: 信用风险分类) per target whose class changes, in one INSERT."""
    credit = TargetCredit._meta.db_table
    target = Target._meta.db_table
    history = TargetChange._meta.db_table
    if connection.vendor == "postgresql":
        changes = "jsonb_build_object('risk_class', jsonb_build_array(t.risk_class, c.computed_class))"
    else:
        changes = "json_object('risk_class', json_array(t.risk_class, c.computed_class))"
    note = "CASE c.rule " + " ".join("WHEN %s THEN %s" for _ in RULES) + " ELSE '' END"
    note_params = [value for pair in RULES.items() for value in pair]
    scope, params = _scope_sql(target_ids, "c.target_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history} (target_id, at, user_id, source, changes, note) "  # noqa: S608  # nosec B608 - table names from the models, values as parameters
            f"SELECT c.target_id, %s, %s, %s, {changes}, {note} "
            f"FROM {credit} c JOIN {target} t ON t.id = c.target_id "
            f"WHERE c.computed_class <> t.risk_class{scope}",
            [
                connection.ops.adapt_datetimefield_value(now),
                actor.pk if actor else None,
                TargetChange.Source.CREDIT,
                *note_params,
                *params,
            ],
        )
        return cursor.rowcount


def credit_recompute(
    *,
    actor: User | None,
    today: datetime.date | None = None,
    target_ids: Sequence[int] | None = None,
    progress: Callable[..., None] | None = None,
    audit: bool = True,
) -> CreditReport:
    """Recompute the class of every target with evidence (or of `target_ids` only)."""
    today = today or timezone.localdate()
    now = timezone.now()
    report = progress or (lambda *args, **kwargs: None)
    with transaction.atomic():
        report(0, total=5, stage="登记有检查结果、处置、名单或人工调整的对象")
        _insert_missing_rows(now, target_ids)
        rows = TargetCredit.objects.all()
        if target_ids is not None:
            rows = rows.filter(target_id__in=target_ids)
        # A class changed outside these rules since the last run (an import from the
        # registry's source, the office's edit of the target) is the new base.
        present = Subquery(Target.objects.filter(pk=OuterRef("target_id")).values("risk_class")[:1])
        rows.filter(~Q(computed_class=present)).update(base_class=present)
        report(1, stage="按规则判定适用规则")
        evaluated = rows.update(rule=_rule_expression(today), computed_at=now)
        report(2, stage="计算信用风险分类")
        rows.update(computed_class=_class_expression(today))
        report(3, stage="记录分类变化")
        changed_rows = rows.exclude(
            computed_class=Subquery(Target.objects.filter(pk=OuterRef("target_id")).values("risk_class")[:1])
        )
        by_class = {
            row["computed_class"]: row["number"]
            for row in changed_rows.order_by().values("computed_class").annotate(number=Count("pk"))
        }
        changed = _insert_history(now, actor, target_ids)
        report(4, stage="更新检查对象的分类")
        differing = TargetCredit.objects.filter(target_id=OuterRef("pk")).exclude(
            computed_class=OuterRef("risk_class")
        )
        targets = Target.objects.filter(Exists(differing))
        if target_ids is not None:
            targets = targets.filter(pk__in=target_ids)
        targets.update(
            risk_class=Subquery(
                TargetCredit.objects.filter(target_id=OuterRef("pk")).values("computed_class")[:1]
            ),
            updated_at=now,
        )
        result = CreditReport(evaluated=evaluated, changed=changed, by_class=dict(sorted(by_class.items())))
        if audit:
            audit_record(
                action="credit.recompute",
                actor=actor,
                username="" if actor else "system",
                role=Role.OFFICE if actor else "",
                object_type="信用风险分类",
                object_key=today.isoformat() if target_ids is None else ",".join(map(str, target_ids)),
                after={"evaluated": evaluated, "changed": changed, "by_class": result.by_class},
            )
    report(5, stage="完成")
    return result


def credit_recompute_start(*, actor: User) -> Job:
    """The office recomputes every class now (a job with a progress bar)."""
    if not user_has_role(actor, Role.OFFICE):
        raise PermissionDenied("只有联席会议办公室可以重新计算信用风险分类。")
    return job_create(
        kind="inspections.credit_recompute", title="重新计算信用风险分类", actor=actor, params={}
    )


@job_handler("inspections.credit_recompute")
def _credit_recompute_job(job: Job, progress: Progress) -> None:
    report = credit_recompute(actor=job.created_by, progress=progress)
    job.result = {
        "evaluated": report.evaluated,
        "changed": report.changed,
        "by_class": report.by_class,
        "next_url": "/work/credit/",
        "next_label": "返回信用风险分类",
    }
    job.save(update_fields=["result"])


# ---- the office's override ---------------------------------------------------------------------------


def _require_office(actor: User) -> None:
    if not user_has_role(actor, Role.OFFICE):
        raise PermissionDenied("信用风险分类的人工调整由联席会议办公室办理。")


def credit_override(*, actor: User, target: Target, risk_class: str, reason: str) -> CreditOverride:
    """Set a target's class by hand, with a reason; it holds against the rules until lifted.
    A live override of the same target is lifted by the new one."""
    _require_office(actor)
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if risk_class not in RiskClass.values:
        errors["risk_class"] = ["请选择信用风险分类。"]
    if not reason:
        errors["reason"] = ["人工调整须写明理由。"]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        locked = Target.objects.select_for_update().get(pk=target.pk)
        previous = (
            CreditOverride.objects.select_for_update().filter(target=locked, lifted_at__isnull=True).first()
        )
        if previous is not None:
            previous.lifted_at, previous.lifted_by = now, actor
            previous.lift_reason = "由新的人工调整替代"
            previous.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        override = CreditOverride.objects.create(
            target=locked, risk_class=risk_class, reason=reason, created_by=actor
        )
        before = locked.risk_class
        credit_recompute(actor=actor, target_ids=[locked.pk], audit=False)
        audit_record(
            action="credit.override",
            actor=actor,
            role=Role.OFFICE,
            object_type="信用风险分类",
            object_key=locked.code,
            before={"risk_class": before},
            after={"risk_class": risk_class, "reason": reason},
        )
    return override


def credit_override_lift(*, actor: User, override: CreditOverride, reason: str) -> Target:
    """Lift an override: the rules decide the class again at once."""
    _require_office(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "撤销人工调整须写明理由。"})
    with transaction.atomic():
        locked = CreditOverride.objects.select_for_update().select_related("target").get(pk=override.pk)
        if locked.lifted_at is not None:
            raise ValidationError("该人工调整已经撤销。")
        locked.lifted_at, locked.lifted_by, locked.lift_reason = timezone.now(), actor, reason
        locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        before = locked.target.risk_class
        credit_recompute(actor=actor, target_ids=[locked.target_id], audit=False)
        target = Target.objects.get(pk=locked.target_id)
        audit_record(
            action="credit.override_lift",
            actor=actor,
            role=Role.OFFICE,
            object_type="信用风险分类",
            object_key=target.code,
            before={"risk_class": before, "override": locked.risk_class},
            after={"risk_class": target.risk_class, "reason": reason},
        )
    return target


# ---- the serious-dishonesty list (联合惩戒) --------------------------------------------------------


def listing_snapshot(listing: DishonestyListing) -> dict:
    return {
        "target": listing.target.code,
        "source": listing.source,
        "document_number": listing.document_number,
        "reason": listing.reason,
        "listed_on": listing.listed_on,
        "expires_on": listing.expires_on,
        "removed_on": listing.removed_on,
        "removal_reason": listing.removal_reason,
    }


@dataclass
class ListingData:
    source: str
    reason: str
    listed_on: datetime.date
    document_number: str = ""
    expires_on: datetime.date | None = None


def dishonesty_add(
    *, actor: User, target: Target, data: ListingData, today: datetime.date | None = None
) -> DishonestyListing:
    """Put a target on the list (the office keeps it, from the listing authority's decision)."""
    _require_office(actor)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not data.source.strip():
        errors["source"] = ["请填写列入机关（来源）。"]
    if not data.reason.strip():
        errors["reason"] = ["请填写列入事由。"]
    if data.listed_on > today:
        errors["listed_on"] = ["列入日期不能晚于今天。"]
    if data.expires_on is not None and data.expires_on <= data.listed_on:
        errors["expires_on"] = ["届满日期应晚于列入日期。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        listing = DishonestyListing.objects.create(
            target=target,
            source=data.source.strip()[:100],
            document_number=data.document_number.strip()[:60],
            reason=data.reason.strip(),
            listed_on=data.listed_on,
            expires_on=data.expires_on,
            created_by=actor,
        )
        credit_recompute(actor=actor, target_ids=[target.pk], audit=False)
        audit_record(
            action="dishonesty.add",
            actor=actor,
            role=Role.OFFICE,
            object_type="严重违法失信名单",
            object_key=target.code,
            after=listing_snapshot(listing),
        )
    return listing


def dishonesty_remove(
    *, actor: User, listing: DishonestyListing, removed_on: datetime.date, reason: str
) -> DishonestyListing:
    """Take a target off the list (信用修复 or a revoked decision), with the date and reason."""
    _require_office(actor)
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["请填写移出理由。"]
    if removed_on < listing.listed_on:
        errors["removed_on"] = ["移出日期不能早于列入日期。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = DishonestyListing.objects.select_for_update().select_related("target").get(pk=listing.pk)
        if locked.removed_on is not None:
            raise ValidationError("该对象已经移出名单。")
        before = listing_snapshot(locked)
        locked.removed_on, locked.removal_reason, locked.removed_by = removed_on, reason, actor
        locked.save(update_fields=["removed_on", "removal_reason", "removed_by"])
        credit_recompute(actor=actor, target_ids=[locked.target_id], audit=False)
        audit_record(
            action="dishonesty.remove",
            actor=actor,
            role=Role.OFFICE,
            object_type="严重违法失信名单",
            object_key=locked.target.code,
            before=before,
            after=listing_snapshot(locked),
        )
    return locked
