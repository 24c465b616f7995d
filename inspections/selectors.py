"""Reads for tasks and draws: the frame, the pool, overlaps, records."""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from inspections import draw as protocol
from inspections.models import (
    CaseLead,
    CreditOverride,
    DishonestyListing,
    Draw,
    FindingLevel,
    FollowUp,
    Inspection,
    InspectionAssignment,
    MatterResult,
    TargetCredit,
    Task,
    TaskDepartment,
)
from luozhuang_dsj.lib.bulk import copy_lines, stream_values
from luozhuang_dsj.lib.deadlines import is_overdue
from luozhuang_dsj.models import User
from plans.models import Matter, MatterCategory
from plans.selectors import scope_targets
from registry.models import ConflictOfInterest, Department, Inspector, RiskClass, Target

ALL_STRATUM = "ALL"
EXCLUDED_INACTIVE = "登记状态非存续"
EXCLUDED_RECENT = "排除期内已就本任务事项接受检查"


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the last day of a shorter month)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(candidate, day.day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def task_matters(task: Task) -> QuerySet[Matter]:
    return Matter.objects.filter(task_departments__task=task).distinct()


def task_department_rows(task: Task) -> list:
    return list(
        task.departments.select_related("department")
        .prefetch_related("matters", "expertise")
        .order_by("order")
    )


def exclusion_since(task: Task, *, today: datetime.date) -> datetime.datetime:
    day = months_before(today, task.exclusion_months)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def recently_inspected(task: Task, *, today: datetime.date) -> QuerySet[Inspection]:
    """Inspections within the task's exclusion window that checked any of its matters.

    Results are shared across departments (互认): an inspection by any department counts.
    """
    matter_ids = list(task_matters(task).values_list("pk", flat=True))
    return Inspection.objects.filter(
        task__departments__matters__in=matter_ids, created_at__gte=exclusion_since(task, today=today)
    ).exclude(task=task)


def stratum_expression(task: Task) -> str:
    return "risk_class" if task.is_stratified else ""


def _frame_queryset(task: Task, *, today: datetime.date) -> QuerySet[Target]:
    recent = recently_inspected(task, today=today).values("target_id")
    return scope_targets(task).exclude(pk__in=recent)


def frame_lines(task: Task, *, today: datetime.date) -> list[str]:
    """Every candidate as a `STRATUM<TAB>KEY` line (the stratum is the risk class, or ALL),
    in no particular order: what `protocol.build_frame_from_lines` makes the frame of.

    On PostgreSQL the lines come through COPY (a million rows in about a second); the
    frame sorts them in Python, which compares strings by code point, the frame's order,
    and sorts a million short lines faster than the server does with COLLATE "C".
    """
    queryset = _frame_queryset(task, today=today)
    stratum = F("risk_class") if task.is_stratified else Value(ALL_STRATUM, output_field=CharField())
    queryset = queryset.annotate(stratum=stratum).order_by()
    if connection.vendor != "postgresql":
        return [f"{name}\t{code}" for name, code in stream_values(queryset, "stratum", "code")]
    return copy_lines(queryset, "stratum", "code")


def stratum_rules(task: Task) -> dict[str, dict]:
    """How each stratum is sampled: {"A": {"ratio": Decimal}, ...} or {"ALL": {"count": n}}."""
    if task.is_stratified:
        return {risk: {"ratio": ratio} for risk, ratio in task.risk_ratios.items() if ratio is not None}
    if task.target_count is not None and task.sampling == "count":
        return {ALL_STRATUM: {"count": task.target_count}}
    return {ALL_STRATUM: {"ratio": task.ratio}}


def stratum_sizes(task: Task, counts: dict[str, int]) -> list[protocol.StratumSize]:
    """Sample sizes for the strata present in the frame (a class sampled at 0 % stays out)."""
    rules = stratum_rules(task)
    sizes = []
    for name, size in sorted(counts.items()):
        rule = rules.get(name)
        if rule is None:
            continue
        if "count" in rule:
            sizes.append(protocol.stratum_size(name, size, count=rule["count"]))
        else:
            sizes.append(protocol.stratum_size(name, size, ratio_percent=rule["ratio"]))
    return sizes


def cap_problems(task: Task, sizes: list[protocol.StratumSize]) -> list[str]:
    """The general matters' caps (一般检查事项比例上限); key matters have none."""
    strictest = (
        task_matters(task)
        .filter(category=MatterCategory.GENERAL, ratio_cap__isnull=False)
        .order_by("ratio_cap", "code")
        .first()
    )
    if strictest is None:
        return []
    problems = []
    for stratum in sizes:
        try:
            protocol.check_within_cap(stratum, cap_percent=strictest.ratio_cap, matter=strictest.name)
        except protocol.ProtocolError as error:
            problems.append(error.message)
    return problems


@dataclass
class FramePreview:
    """What staff see before committing: counts per stratum, sample sizes, exclusions."""

    strata: list[protocol.StratumSize]
    excluded: dict[str, int]
    in_scope: int
    frame_size: int
    problems: list[str] = field(default_factory=list)
    unsampled: dict[str, int] = field(default_factory=dict)
    # 联合惩戒: frame targets on the serious-dishonesty list today (how many, the first ones).
    flagged_count: int = 0
    flagged: list[dict] = field(default_factory=list)

    @property
    def sample_total(self) -> int:
        return sum(stratum.sample_size for stratum in self.strata)


def frame_exclusions(task: Task, *, today: datetime.date) -> dict[str, int]:
    """How many targets of the scope were left out of the frame, per reason."""
    inactive = scope_targets(task, active_only=False).exclude(status=Target.Status.ACTIVE).count()
    recent = (
        scope_targets(task).filter(pk__in=recently_inspected(task, today=today).values("target_id")).count()
    )
    return {EXCLUDED_INACTIVE: inactive, EXCLUDED_RECENT: recent}


def frame_preview(task: Task, *, today: datetime.date) -> FramePreview:
    excluded = frame_exclusions(task, today=today)
    counts: dict[str, int] = defaultdict(int)
    frame = _frame_queryset(task, today=today).order_by()
    if task.is_stratified:
        for risk, number in (
            frame.values("risk_class").annotate(number=Count("pk")).values_list("risk_class", "number")
        ):
            counts[risk] = number
    else:
        counts[ALL_STRATUM] = frame.count()
    problems: list[str] = []
    try:
        sizes = stratum_sizes(task, dict(counts))
    except protocol.ProtocolError as error:
        sizes, problems = [], [error.message]
    problems += cap_problems(task, sizes)
    sampled = {stratum.name for stratum in sizes}
    flagged_count, flagged = frame_flagged(task, today=today)
    return FramePreview(
        strata=sizes,
        excluded=excluded,
        in_scope=sum(counts.values()) + sum(excluded.values()),
        frame_size=sum(counts.values()),
        problems=problems,
        unsampled={name: number for name, number in counts.items() if name not in sampled},
        flagged_count=flagged_count,
        flagged=flagged,
    )


# ---- the inspector pool -----------------------------------------------------------------------


def pool_day(task: Task, *, scheduled_for: datetime.datetime) -> datetime.date:
    """The day the pool's `active` is judged on: the draw day, or the window's start if later."""
    return max(timezone.localdate(scheduled_for), task.start_date)


def pool_entries(task: Task, *, scheduled_for: datetime.datetime) -> list[protocol.PoolEntry]:
    """The pool snapshot: every inspector of the task's departments, plus the experts when
    the task has an expert slot.

    - `certified`: an enforcement certificate valid through the task's last day, so that
      whoever is drawn may inspect on any day of the window; experts never are;
    - `active`: in post and not unavailable on the pool day (an absence later in the window
      is handled by an adjustment);
    - `conflicts`: declared conflicts of interest (回避);
    - `recent_targets`: targets on whose most recent inspection the inspector served.
    """
    department_ids = list(task.departments.values_list("department_id", flat=True))
    query = Q(department_id__in=department_ids) & ~Q(category__in=Inspector.EXPERT_CATEGORIES)
    if task.expert_count:
        query |= Q(category__in=Inspector.EXPERT_CATEGORIES)
    inspectors = list(
        Inspector.objects.filter(query)
        .select_related("department")
        .prefetch_related("expertise")
        .order_by("code")
    )
    ids = [inspector.pk for inspector in inspectors]
    day = pool_day(task, scheduled_for=scheduled_for)
    unavailable = set(
        Inspector.objects.filter(
            pk__in=ids, unavailable_periods__start__lte=day, unavailable_periods__end__gte=day
        ).values_list("pk", flat=True)
    )
    conflicts: dict[int, list[str]] = defaultdict(list)
    for inspector_id, code in ConflictOfInterest.objects.filter(inspector_id__in=ids).values_list(
        "inspector_id", "target__code"
    ):
        conflicts[inspector_id].append(code)
    latest = Inspection.objects.filter(target=OuterRef("inspection__target")).order_by("-created_at", "-pk")
    recent: dict[int, list[str]] = defaultdict(list)
    for inspector_id, code in (
        InspectionAssignment.objects.filter(inspector_id__in=ids, is_active=True)
        .annotate(latest=Subquery(latest.values("pk")[:1]))
        .filter(inspection_id=F("latest"))
        .values_list("inspector_id", "inspection__target__code")
    ):
        recent[inspector_id].append(code)
    return [
        protocol.PoolEntry(
            code=inspector.code,
            department=inspector.department.code,
            active=inspector.is_active and inspector.pk not in unavailable,
            certified=inspector.is_certified_on(task.end_date),
            expert=inspector.is_expert,
            expertise=tuple(tag.name for tag in inspector.expertise.all()),
            conflicts=tuple(conflicts[inspector.pk]),
            recent_targets=tuple(recent[inspector.pk]),
        )
        for inspector in inspectors
    ]


def task_slots(task: Task) -> tuple[protocol.Slot, ...]:
    """The department slots in order (initiator first), then the expert slot if any."""
    slots = [
        protocol.Slot(
            department=row.department.code,
            k=row.inspector_count,
            certified=True,
            expertise=tuple(tag.name for tag in row.expertise.all()),
        )
        for row in task_department_rows(task)
    ]
    if task.expert_count:
        slots.append(
            protocol.Slot(
                department=None,
                k=task.expert_count,
                certified=False,
                expertise=tuple(task.expert_expertise.values_list("name", flat=True)),
            )
        )
    return tuple(slots)


def department_names() -> dict[str, str]:
    return dict(Department.objects.values_list("code", "short_name"))


def task_info(task: Task) -> protocol.TaskInfo:
    rows = task_department_rows(task)
    return protocol.TaskInfo(
        code=task.code,
        title=task.title,
        initiator=task.initiator.code,
        participants=tuple(row.department.code for row in rows if not row.is_initiator),
        slots=task_slots(task),
    )


# ---- overlaps: 进一次门、查多项事 --------------------------------------------------------------


@dataclass(frozen=True)
class Overlap:
    task: Task
    shared_targets: int
    already_joint: bool


def task_overlaps(task: Task, *, today: datetime.date) -> list[Overlap]:
    """Other live tasks whose window overlaps this one's and that could visit some of the
    same targets: drawn tasks by their inspections, the others by their frames."""
    if task.is_case:
        return []
    others = (
        Task.objects.exclude(pk=task.pk)
        .filter(kind__in=Task.RANDOM_KINDS, start_date__lte=task.end_date, end_date__gte=task.start_date)
        .exclude(status=Task.Status.CLOSED)
        .select_related("initiator")
        .order_by("code")
    )
    ours = _frame_queryset(task, today=today).values("pk")
    joint = set(task.joint_visit_tasks.values_list("pk", flat=True))
    overlaps = []
    for other in others:
        if other.status == Task.Status.DRAWN:
            theirs = Inspection.objects.filter(task=other).values("target_id")
            shared = scope_targets(task).filter(pk__in=theirs).filter(pk__in=ours).count()
        else:
            shared = _frame_queryset(other, today=today).filter(pk__in=ours).count()
        if shared:
            overlaps.append(Overlap(other, shared, other.pk in joint))
    return overlaps


# ---- records --------------------------------------------------------------------------------------


def draw_adjustments(draw: Draw) -> list[protocol.Adjustment]:
    return [
        protocol.Adjustment(
            target=row.target_key,
            department=row.department_code or None,
            out=row.inspector_out,
            incoming=row.inspector_in,
            reason=row.reason,
            at=row.at,
            by=row.by.username,
        )
        for row in draw.adjustments.select_related("by").order_by("position")
    ]


def draw_strata(draw: Draw) -> list[protocol.StratumSize]:
    return [
        protocol.StratumSize(
            name=row["name"],
            size=row["size"],
            sample_size=row["sample_size"],
            ratio_percent=None if row["ratio_percent"] is None else Decimal(row["ratio_percent"]),
            count=row.get("count"),
        )
        for row in draw.strata
    ]


def draw_execution(draw: Draw) -> protocol.Execution | None:
    if draw.status != Draw.Status.EXECUTED:
        return None
    return protocol.Execution(
        executed_at=draw.executed_at,
        witness_input=draw.witness_input,
        server_secret=draw.server_secret,
        seed=draw.seed,
        selected=tuple(protocol.Selected(**row) for row in draw.selected),
        teams=tuple(
            protocol.Team(
                target=team["target"],
                slots=tuple(
                    protocol.TeamSlot(
                        department=slot["department"],
                        inspectors=tuple(slot["inspectors"]),
                        rotation_relaxed=slot["rotation_relaxed"],
                    )
                    for slot in team["slots"]
                ),
            )
            for team in draw.teams
        ),
    )


def draw_record(draw: Draw) -> dict:
    """The full record (§4); before execution, the keys from `executed_at` on are absent."""
    snapshot = draw.task_snapshot
    task = protocol.TaskInfo(
        code=snapshot["code"],
        title=snapshot["title"],
        initiator=snapshot["initiator"],
        participants=tuple(snapshot["participants"]),
        slots=tuple(protocol.Slot.from_json(slot) for slot in snapshot["slots"]),
    )
    execution = draw_execution(draw)
    return protocol.build_record(
        task=task,
        committed_at=draw.committed_at,
        scheduled_for=draw.scheduled_for,
        commitment=draw.commitment,
        frame_digest=draw.frame_digest,
        pool_digest=draw.pool_digest,
        strata=draw_strata(draw),
        batch_size=draw.batch_size,
        execution=execution,
        adjustments=draw_adjustments(draw) if execution else (),
    )


def draw_public_record(draw: Draw) -> dict:
    return protocol.public_record(draw_record(draw), department_names=department_names())


def record_json(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def public_draws() -> QuerySet[Draw]:
    """Every draw is public from the moment it is committed (cancelled ones stay public)."""
    return Draw.objects.select_related("task", "task__initiator").defer("selected", "teams", "server_secret")


def risk_label(stratum: str) -> str:
    return RiskClass(stratum).label if stratum in RiskClass.values else "全部对象"


# ---- joint punishment in the frame (联合惩戒) ----------------------------------------------------

FLAGGED_SHOWN = 50


def frame_flagged(task: Task, *, today: datetime.date) -> tuple[int, list[dict]]:
    """Targets of the frame on the serious-dishonesty list today: how many, and the first ones."""
    listings = DishonestyListing.objects.filter(DishonestyListing.in_force_q(today), target_id=OuterRef("pk"))
    flagged = _frame_queryset(task, today=today).filter(Exists(listings)).order_by()
    count = flagged.count()
    if not count:
        return 0, []
    source = Subquery(listings.order_by("-listed_on").values("source")[:1])
    listed_on = Subquery(listings.order_by("-listed_on").values("listed_on")[:1])
    rows = list(
        flagged.annotate(source=source, listed_on=listed_on)
        .order_by("code")
        .values("pk", "code", "name", "risk_class", "source", "listed_on")[:FLAGGED_SHOWN]
    )
    return count, rows


# ---- work lists --------------------------------------------------------------------------------


def my_inspections(user: User, *, closed: bool) -> QuerySet[Inspection]:
    """The inspections an inspector serves on, by date, batch and order (inspector's list)."""
    inspections = Inspection.objects.filter(
        Exists(
            InspectionAssignment.objects.filter(
                inspection=OuterRef("pk"), inspector__user=user, is_active=True
            )
        )
    ).select_related("task", "target", "target__town", "visit")
    if closed:
        return inspections.filter(status__in=Inspection.CLOSED_STATUSES).order_by("-closed_at", "-pk")
    return inspections.exclude(status__in=Inspection.CLOSED_STATUSES).order_by(
        F("visit__scheduled_date").asc(nulls_last=True), "task__end_date", "task__code", "batch", "position"
    )


def my_matter_progress(user: User, inspections: list[Inspection]) -> dict[int, tuple[int, int]]:
    """For each inspection, (my department's matters entered, my department's matters)."""
    ids = [inspection.pk for inspection in inspections]
    departments = dict(
        InspectionAssignment.objects.filter(inspection_id__in=ids, inspector__user=user, is_active=True)
        .exclude(department__isnull=True)
        .values_list("inspection_id", "department_id")
    )
    task_ids = {inspection.task_id for inspection in inspections}
    matters: dict[tuple[int, int], int] = {
        (task_id, department_id): number
        for task_id, department_id, number in TaskDepartment.objects.filter(task_id__in=task_ids)
        .annotate(number=Count("matters"))
        .values_list("task_id", "department_id", "number")
    }
    entered: dict[tuple[int, int], int] = {
        (inspection_id, department_id): number
        for inspection_id, department_id, number in MatterResult.objects.filter(
            inspection_id__in=ids, status__in=MatterResult.ENTERED
        )
        .values("inspection_id", "department_id")
        .annotate(number=Count("pk"))
        .values_list("inspection_id", "department_id", "number")
    }
    progress = {}
    for inspection in inspections:
        department_id = departments.get(inspection.pk)
        if department_id is None:
            progress[inspection.pk] = (0, 0)
            continue
        progress[inspection.pk] = (
            entered.get((inspection.pk, department_id), 0),
            matters.get((inspection.task_id, department_id), 0),
        )
    return progress


def department_inspections(department_id: int) -> QuerySet[Inspection]:
    """Inspections of every task the department takes part in (its own and joint ones)."""
    return Inspection.objects.filter(
        Exists(TaskDepartment.objects.filter(task=OuterRef("task_id"), department_id=department_id))
    ).select_related("task", "task__initiator", "target", "visit")


def entry_progress(inspections: list[Inspection]) -> dict[int, list[dict]]:
    """For each inspection, per department in slot order: matters, drafts and entered results."""
    ids = [inspection.pk for inspection in inspections]
    task_ids = {inspection.task_id for inspection in inspections}
    rows: dict[int, list[TaskDepartment]] = defaultdict(list)
    for row in (
        TaskDepartment.objects.filter(task_id__in=task_ids)
        .select_related("department")
        .annotate(number=Count("matters"))
        .order_by("task_id", "order")
    ):
        rows[row.task_id].append(row)
    counts: dict[tuple[int, int, str], int] = {
        (inspection_id, department_id, status): number
        for inspection_id, department_id, status, number in MatterResult.objects.filter(inspection_id__in=ids)
        .values("inspection_id", "department_id", "status")
        .annotate(number=Count("pk"))
        .values_list("inspection_id", "department_id", "status", "number")
    }
    progress = {}
    for inspection in inspections:
        entries = []
        for row in rows[inspection.task_id]:
            key = (inspection.pk, row.department_id)
            entered = counts.get((*key, MatterResult.Status.SUBMITTED), 0) + counts.get(
                (*key, MatterResult.Status.APPROVED), 0
            )
            entries.append(
                {
                    "department": row.department,
                    "matters": row.number,
                    "drafts": counts.get((*key, MatterResult.Status.DRAFT), 0),
                    "entered": entered,
                    "complete": entered >= row.number,
                }
            )
        progress[inspection.pk] = entries
    return progress


def inspection_is_late(inspection: Inspection, *, today: datetime.date) -> bool:
    return not inspection.is_closed and is_overdue(inspection.task.end_date, today=today)


def visit_inspections(inspection: Inspection) -> list[Inspection]:
    """Every inspection of the same visit (进一次门): the notice covers them all."""
    return list(
        Inspection.objects.filter(visit_id=inspection.visit_id)
        .select_related("task", "task__initiator")
        .order_by("task__code")
    )


def serving_team(inspection: Inspection) -> list[InspectionAssignment]:
    return list(
        inspection.assignments.filter(is_active=True)
        .select_related("inspector", "department")
        .order_by("slot", "inspector__code")
    )


# ---- results --------------------------------------------------------------------------------------


def results_for_target(target_id: int) -> QuerySet[MatterResult]:
    """Every department's submitted results on a target (互认共享), newest first."""
    return (
        MatterResult.objects.filter(target_id=target_id, status__in=MatterResult.ENTERED)
        .select_related("matter", "department", "inspection", "inspection__task")
        .prefetch_related("codes")
        .order_by("-inspected_on", "-pk")
    )


def shared_results(query: str = "") -> QuerySet[MatterResult]:
    """Submitted results of every department (互认共享), searchable by target name or code."""
    results = (
        MatterResult.objects.filter(status__in=MatterResult.ENTERED)
        .select_related("matter", "department", "target", "inspection__task")
        .prefetch_related("codes")
        .order_by("-submitted_at", "-pk")
    )
    query = query.strip()
    if query:
        results = results.filter(Q(target__code=query.upper()) | Q(target__name__contains=query))
    return results


# ---- follow-up queues ------------------------------------------------------------------------------


def results_awaiting_follow_up(department_id: int) -> QuerySet[MatterResult]:
    """Findings of the department with no measure under way or done (a returned hand-off
    does not count: the department must decide again)."""
    measures = FollowUp.objects.filter(result_id=OuterRef("pk")).exclude(status=FollowUp.Status.RETURNED)
    return (
        MatterResult.objects.filter(
            department_id=department_id,
            status__in=MatterResult.ENTERED,
            finding_level__gte=FindingLevel.PROBLEM,
        )
        .exclude(Exists(measures))
        .select_related("target", "matter", "inspection__task")
        .order_by("submitted_at", "pk")
    )


def overdue_q(today: datetime.date) -> Q:
    return Q(status=FollowUp.Status.AWAITING, accept_deadline__lt=today) | Q(
        status=FollowUp.Status.OPEN, deadline__lt=today
    ) & ~Q(kind=FollowUp.Kind.CORRECTION, recheck_on__isnull=False)


def follow_up_queue(department_id: int, *, today: datetime.date) -> dict[str, QuerySet[FollowUp]]:
    base = FollowUp.objects.select_related("target", "department", "origin_department", "result__matter")
    return {
        "open": base.filter(department_id=department_id, status=FollowUp.Status.OPEN).order_by(
            F("deadline").asc(nulls_last=True), "pk"
        ),
        "handed_out": base.filter(
            origin_department_id=department_id, status=FollowUp.Status.AWAITING
        ).order_by("accept_deadline", "pk"),
        "returned": base.filter(origin_department_id=department_id, status=FollowUp.Status.RETURNED).order_by(
            "-returned_at"
        ),
        "done": base.filter(
            Q(department_id=department_id) | Q(origin_department_id=department_id),
            status=FollowUp.Status.DONE,
        ).order_by("-closed_at"),
    }


def handover_queue(department_id: int) -> QuerySet[FollowUp]:
    """Hand-offs waiting for the department to accept or return them (移交接收)."""
    return (
        FollowUp.objects.filter(
            department_id=department_id, kind=FollowUp.Kind.HANDOVER, status=FollowUp.Status.AWAITING
        )
        .select_related("target", "origin_department", "result__matter", "created_by")
        .order_by("accept_deadline", "pk")
    )


# ---- credit and the target page -----------------------------------------------------------------------


def listings_in_force(target_id: int, *, today: datetime.date) -> QuerySet[DishonestyListing]:
    return DishonestyListing.objects.filter(
        DishonestyListing.in_force_q(today), target_id=target_id
    ).order_by("-listed_on")


@dataclass
class TargetPanel:
    """What the target page shows every department: 联合惩戒 flags, the credit class's
    reason, and the submitted results of every department (互认共享)."""

    listings: list[DishonestyListing]
    override: CreditOverride | None
    credit: TargetCredit | None
    results: list[MatterResult]
    results_total: int
    open_follow_ups: int
    leads: int


def target_panel(target: Target, *, today: datetime.date, results_shown: int = 20) -> TargetPanel:
    results = results_for_target(target.pk)
    return TargetPanel(
        listings=list(listings_in_force(target.pk, today=today)),
        override=CreditOverride.objects.filter(target=target, lifted_at__isnull=True)
        .select_related("created_by")
        .first(),
        credit=TargetCredit.objects.filter(target=target).first(),
        results=list(results[:results_shown]),
        results_total=results.count(),
        open_follow_ups=FollowUp.objects.filter(target=target, status__in=FollowUp.LIVE).count(),
        leads=CaseLead.objects.filter(target=target).count(),
    )


def credit_rule_label(rule: str) -> str:
    return TargetCredit.RULES.get(rule, "")


def department_work_counts(department_id: int) -> dict[str, int]:
    """What waits for a department, for its home page."""
    return {
        "submitted": MatterResult.objects.filter(
            department_id=department_id, status=MatterResult.Status.SUBMITTED
        ).count(),
        "awaiting_measure": results_awaiting_follow_up(department_id).count(),
        "handovers": handover_queue(department_id).count(),
        "leads": CaseLead.objects.filter(department_id=department_id, status__in=CaseLead.LIVE).count(),
    }
