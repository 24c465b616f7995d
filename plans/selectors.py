"""Reads: comparisons, what changed, filing status, and what a draw needs from a plan item."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from plans.diffs import FieldChange, RecordDiff, diff_records, field_changes
from plans.models import (
    AnnualPlan,
    CatalogEdition,
    CatalogItem,
    Matter,
    MatterCategory,
    MatterListVersion,
    PlanItem,
    PlanRevision,
    plan_due_date,
)
from plans.services import CATALOG_LABELS, catalog_edition_diff, catalog_record, current_catalog_edition
from plans.snapshots import MATTER_LABELS, PLAN_HEADER_LABELS, PLAN_ITEM_LABELS
from registry.models import Department, SubRegistryMembership, Target

# ---- the provincial list -----------------------------------------------------------------------


def catalog_edition_changes(edition: CatalogEdition) -> RecordDiff | None:
    """What changed from the previous edition; None for the first."""
    previous = CatalogEdition.objects.filter(number__lt=edition.number).order_by("-number").first()
    if previous is None:
        return None
    current = list(edition.items.all())
    return catalog_edition_diff(list(previous.items.all()), current, [item.key for item in current])


def item_concerns_department(item: CatalogItem, department: Department) -> bool:
    body = item.inspecting_body
    return department.name in body or department.short_name in body


@dataclass
class ComparisonRow:
    """One line of a department's comparison (比对) with the current provincial list."""

    item: CatalogItem | None
    matter: Matter | None
    concerns_department: bool
    status: str  # unclaimed / claimed / outdated / removed / withdrawn
    changes: list[FieldChange]

    STATUS_LABELS = {
        "unclaimed": "未认领",
        "claimed": "已认领",
        "outdated": "省级清单已更新",
        "removed": "省级清单已删除",
        "withdrawn": "已移出本部门清单",
    }

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS[self.status]


def department_catalog_comparison(department: Department) -> list[ComparisonRow]:
    """The current edition item by item against the department's claimed matters, then the
    claimed matters whose item is no longer in the provincial list."""
    edition = current_catalog_edition()
    matters = list(
        Matter.objects.filter(department=department, source=Matter.Source.CLAIMED).select_related(
            "catalog_item__edition"
        )
    )
    by_key: dict[str, Matter] = {}
    for matter in sorted(matters, key=lambda m: not m.is_active):
        by_key.setdefault(matter.catalog_item.key, matter)
    rows: list[ComparisonRow] = []
    current_keys: set[str] = set()
    for item in edition.items.all() if edition else []:
        current_keys.add(item.key)
        matter = by_key.get(item.key)
        changes: list[FieldChange] = []
        if matter is None:
            status = "unclaimed"
        elif not matter.is_active:
            status = "withdrawn"
        elif matter.catalog_item_id != item.pk:
            changes = field_changes(
                catalog_record(matter.catalog_item, item.key), catalog_record(item, item.key), CATALOG_LABELS
            )
            status = "outdated" if changes else "claimed"
        else:
            status = "claimed"
        rows.append(ComparisonRow(item, matter, item_concerns_department(item, department), status, changes))
    for key, matter in by_key.items():
        if key not in current_keys and matter.is_active:
            rows.append(ComparisonRow(None, matter, True, "removed", []))
    return rows


# ---- matter lists ----------------------------------------------------------------------------------


def matter_list(department: Department, *, include_withdrawn: bool = False) -> QuerySet[Matter]:
    matters = Matter.objects.filter(department=department)
    if not include_withdrawn:
        matters = matters.filter(is_active=True)
    return matters.select_related("catalog_item__edition").prefetch_related("expertise").order_by("code")


def matter_list_version_changes(version: MatterListVersion) -> RecordDiff | None:
    previous = (
        MatterListVersion.objects.filter(department=version.department, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    if previous is None:
        return None
    return diff_records(previous.matters, version.matters, key="code", labels=MATTER_LABELS, title="name")


def plan_items_over_cap(matter: Matter) -> list[PlanItem]:
    """Plan items using this matter with a ratio above its current cap: after a department
    lowers a cap, the plans that must be adjusted (the draw refuses them until then)."""
    if matter.ratio_cap is None:
        return []
    items = PlanItem.objects.filter(departments__matters=matter).select_related("plan").distinct()
    return [
        item
        for item in items.order_by("-plan__year", "plan_id", "position")
        if any(
            ratio is not None and ratio > matter.ratio_cap
            for ratio in (item.ratio, *item.risk_ratios.values())
        )
    ]


def latest_matter_list_versions() -> list[MatterListVersion]:
    """Each department's current published list, for the public index."""
    latest: dict[int, MatterListVersion] = {}
    for version in MatterListVersion.objects.select_related("department").order_by(
        "department__code", "-number"
    ):
        latest.setdefault(version.department_id, version)
    return list(latest.values())


# ---- plans --------------------------------------------------------------------------------------------


@dataclass
class PlanRevisionChanges:
    previous: PlanRevision
    header: list[FieldChange]
    items: RecordDiff

    @property
    def has_changes(self) -> bool:
        return bool(self.header) or self.items.has_changes


def plan_revision_changes(revision: PlanRevision, *, published_only: bool) -> PlanRevisionChanges | None:
    """What changed from the previous revision (for the public: the previous published one)."""
    earlier = PlanRevision.objects.filter(plan=revision.plan_id, number__lt=revision.number)
    if published_only:
        earlier = earlier.filter(published_at__isnull=False)
    previous = earlier.order_by("-number").first()
    if previous is None:
        return None
    return PlanRevisionChanges(
        previous,
        field_changes(previous.snapshot, revision.snapshot, PLAN_HEADER_LABELS),
        diff_records(
            previous.snapshot["items"],
            revision.snapshot["items"],
            key="id",
            labels=PLAN_ITEM_LABELS,
            title="title",
        ),
    )


def published_revisions(plan: AnnualPlan) -> QuerySet[PlanRevision]:
    return plan.revisions.filter(published_at__isnull=False).order_by("-number")


def published_plans() -> QuerySet[AnnualPlan]:
    return (
        AnnualPlan.objects.filter(
            Exists(PlanRevision.objects.filter(plan=OuterRef("pk"), published_at__isnull=False))
        )
        .select_related("department")
        .order_by("-year", "scope", "department__code")
    )


IN_FORCE = (AnnualPlan.Status.FILED, AnnualPlan.Status.APPROVED, AnnualPlan.Status.PUBLISHED)


def plan_items_in_force(*, year: int | None = None) -> QuerySet[PlanItem]:
    """Items of plans that are filed, approved or published and not being revised: the
    ones a task may be made from."""
    items = PlanItem.objects.filter(plan__status__in=IN_FORCE)
    if year is not None:
        items = items.filter(plan__year=year)
    return items.select_related("plan", "initiator").order_by("plan__year", "plan_id", "position")


@dataclass(frozen=True)
class FilingRow:
    department: Department
    plan: AnnualPlan | None
    state: str  # missing / draft / submitted / returned / filed
    is_late: bool  # filed, but the submission that was filed came after the deadline
    is_overdue: bool  # not filed and the deadline has passed

    STATE_LABELS = {
        "missing": "未制定",
        "draft": "编制中，未报送",
        "submitted": "已报送，待备案",
        "returned": "已退回修改",
        "filed": "已备案",
    }

    @property
    def state_label(self) -> str:
        return self.STATE_LABELS[self.state]


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


def plan_filing_overview(year: int, *, today: datetime.date | None = None) -> list[FilingRow]:
    """Every active department's plan for the year against the 31 January deadline.

    A plan counts as on time when the submission the office filed was made by the
    deadline; a department whose plan was returned and resubmitted after it is late.
    """
    today = today or timezone.localdate()
    due = plan_due_date(year)
    plans = {
        plan.department_id: plan
        for plan in AnnualPlan.objects.filter(scope=AnnualPlan.Scope.DEPARTMENT, year=year).select_related(
            "department"
        )
    }
    rows = []
    for department in Department.objects.filter(is_active=True).order_by("-is_office", "code"):
        plan = plans.get(department.pk)
        if plan is None:
            state = "missing"
        elif plan.first_filed_at is not None:
            state = "filed"
        elif plan.status == AnnualPlan.Status.SUBMITTED:
            state = "submitted"
        elif plan.status == AnnualPlan.Status.RETURNED:
            state = "returned"
        else:
            state = "draft"
        submitted_on = _local_date(plan.filed_submission_at) if plan else None
        is_late = state == "filed" and submitted_on is not None and submitted_on > due
        rows.append(FilingRow(department, plan, state, is_late, state != "filed" and today > due))
    return rows


# ---- what a draw needs from a plan item (issue 5) ---------------------------------------------------


@dataclass(frozen=True)
class RatioCap:
    cap: Decimal
    matter: Matter  # the general matter with the lowest cap


def plan_item_ratio_cap(item: PlanItem) -> RatioCap | None:
    """The effective cap: the lowest cap among the item's general matters; None when all its
    matters are key matters (no cap)."""
    general = (
        Matter.objects.filter(plan_item_departments__plan_item=item, category=MatterCategory.GENERAL)
        .select_related("department")
        .order_by("ratio_cap", "code")
        .first()
    )
    return RatioCap(general.ratio_cap, general) if general and general.ratio_cap is not None else None


@dataclass(frozen=True)
class DepartmentRequirement:
    department: Department
    is_initiator: bool
    matters: list[Matter]
    expertise: list[str]  # tag names every inspector of this department's slot should have


def plan_item_department_requirements(item: PlanItem) -> list[DepartmentRequirement]:
    """Departments in slot order (initiator first) with their matters and the union of the
    expertise tags those matters require."""
    result = []
    for role in (
        item.departments.select_related("department").prefetch_related("matters__expertise").order_by("order")
    ):
        matters = sorted(role.matters.all(), key=lambda matter: matter.code)
        tags = sorted({tag.name for matter in matters for tag in matter.expertise.all()})
        result.append(DepartmentRequirement(role.department, role.is_initiator, matters, tags))
    return result


@dataclass(frozen=True)
class SamplingRule:
    """How many to draw: per stratum a ratio in percent, or one fixed count (stratum ALL)."""

    mode: str
    ratios: dict[str, Decimal]  # {"A": ..., "B": ..., "C": ..., "D": ...} or {"ALL": ...}
    count: int | None

    @property
    def is_stratified(self) -> bool:
        return self.mode == PlanItem.Sampling.RISK_RATIO


def plan_item_sampling(item: PlanItem) -> SamplingRule:
    if item.sampling == PlanItem.Sampling.RISK_RATIO:
        return SamplingRule(
            item.sampling,
            {risk: ratio for risk, ratio in item.risk_ratios.items() if ratio is not None},
            None,
        )
    if item.sampling == PlanItem.Sampling.COUNT:
        return SamplingRule(item.sampling, {}, item.target_count)
    return SamplingRule(item.sampling, {"ALL": item.ratio} if item.ratio is not None else {}, None)


class TargetScope(Protocol):
    """What a plan item and a task share: the scope of their frame."""

    sub_registries: Any
    towns: Any
    target_kinds: list[str]
    industry_prefixes: list[str]


def scope_targets(scope: TargetScope, *, active_only: bool = True) -> QuerySet[Target]:
    """The candidates before exclusions: members of the scope's sub-registries that pass its
    filters and (unless `active_only` is off) are 存续. The draw adds its own exclusions."""
    members = SubRegistryMembership.objects.filter(
        target=OuterRef("pk"), sub_registry__in=scope.sub_registries.all()
    )
    targets = Target.objects.filter(Exists(members))
    if active_only:
        targets = targets.filter(status=Target.Status.ACTIVE)
    town_ids = list(scope.towns.values_list("pk", flat=True))
    if town_ids:
        targets = targets.filter(town__in=town_ids)
    if scope.target_kinds:
        targets = targets.filter(kind__in=scope.target_kinds)
    if scope.industry_prefixes:
        prefix_filter = Q()
        for prefix in scope.industry_prefixes:
            prefix_filter |= Q(industry_code__startswith=prefix)
        targets = targets.filter(prefix_filter)
    return targets


def plan_item_frame(item: PlanItem) -> QuerySet[Target]:
    return scope_targets(item)


def plan_item_frame_counts(item: PlanItem) -> dict[str, int]:
    """How many candidates the scope holds today, per risk class: shown while planning."""
    counts = dict.fromkeys(("A", "B", "C", "D"), 0)
    for row in plan_item_frame(item).order_by().values("risk_class").annotate(number=Count("pk")):
        counts[row["risk_class"]] = row["number"]
    return counts


def snapshot_items(snapshot: dict[str, Any]) -> Sequence[dict[str, Any]]:
    return snapshot.get("items", [])
