"""考核评估: each department's metrics for a year, from the rows behind them.

Every metric is computed from one list of rows (a plan, a task slot, an expected result,
a publication, an inspection, a follow-up), each row saying whether it counts yet (its
deadline has passed or the work is done: 未到期的不计入) and whether it was met. The score
table, the drill-down pages and the exports all read those same rows, so a figure and the
rows behind it cannot disagree. Definitions, weights and edge cases: docs/ASSESSMENT.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from disclosure.models import ResultPublication
from inspections.models import FollowUp, Inspection, MatterResult, Task, TaskDepartment
from office.models import DEFAULT_WEIGHTS, METRIC_LABELS, METRICS, AssessmentWeights
from plans.models import AnnualPlan, plan_due_date
from plans.selectors import plan_filing_overview
from registry.models import Department

YES, NO = "是", "否"
STATUS_FILTERS = {"": "全部", "met": "已达标", "missed": "未达标", "pending": "未到期（不计入）"}


def local_date(moment: datetime.datetime | None) -> datetime.date | None:
    """The local (TIME_ZONE) day of a moment. Converts with the default zone directly:
    `timezone.localtime` looks the zone up per call, which tells on 100,000 rows."""
    return moment.astimezone(timezone.get_default_timezone()).date() if moment else None


def _date_text(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _moment_text(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(timezone.get_default_timezone()).isoformat(sep=" ", timespec="minutes")[:16]


@dataclass(frozen=True)
class MetricRow:
    """One row behind a metric: its cells (as exported), whether it counts and is met."""

    department_id: int
    cells: tuple[object, ...]
    counted: bool
    met: bool

    @property
    def state(self) -> str:
        if not self.counted:
            return "pending"
        return "met" if self.met else "missed"

    @property
    def state_label(self) -> str:
        return STATUS_FILTERS[self.state]


@dataclass(frozen=True)
class MetricValue:
    key: str
    numerator: int
    denominator: int

    @property
    def label(self) -> str:
        return METRIC_LABELS[self.key]

    @property
    def rate(self) -> Decimal | None:
        """The metric's score: the share met, in percent (two decimals); None when nothing counts."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )


@dataclass
class DepartmentAssessment:
    department: Department
    metrics: dict[str, MetricValue] = field(default_factory=dict)
    total: Decimal | None = None

    def ordered(self) -> list[MetricValue]:
        return [self.metrics[key] for key, _, _ in METRICS]


# ---- the rows of each metric ------------------------------------------------------------------


def _plan_rows(year: int, as_of: datetime.date, department_ids: set[int] | None) -> Iterator[MetricRow]:
    due = plan_due_date(year)
    for filing in plan_filing_overview(year, today=as_of):
        department = filing.department
        if department_ids is not None and department.pk not in department_ids:
            continue
        plan = filing.plan
        if filing.state == "filed":
            submitted = local_date(plan.filed_submission_at)
        elif filing.state == "submitted":
            submitted = local_date(plan.submitted_at)
        else:
            submitted = None
        met = submitted is not None and submitted <= due
        counted = submitted is not None or as_of > due
        yield (
            MetricRow(
                department.pk,
                (department.name, filing.state_label, _date_text(submitted), _date_text(due)),
                counted,
                met,
            )
        )


def _department_names() -> dict[int, str]:
    return dict(Department.objects.values_list("pk", "name"))


def _limited(queryset: QuerySet, field: str, department_ids: set[int] | None) -> QuerySet:
    return queryset if department_ids is None else queryset.filter(**{f"{field}__in": department_ids})


def _slots(year: int, department_ids: set[int] | None, kinds: Iterable[str] | None) -> list[tuple]:
    """(slot id, task id, department id, order, task code, title, end date, status) in task order."""
    slots = _limited(TaskDepartment.objects.filter(task__year=year), "department_id", department_ids)
    if kinds is not None:
        slots = slots.filter(task__kind__in=list(kinds))
    return list(
        slots.order_by("task__code", "order").values_list(
            "pk",
            "task_id",
            "department_id",
            "order",
            "task__code",
            "task__title",
            "task__end_date",
            "task__status",
        )
    )


def _task_rows(year: int, as_of: datetime.date, department_ids: set[int] | None) -> Iterator[MetricRow]:
    names, statuses = _department_names(), dict(Task.Status.choices)
    for _, _, department_id, order, code, title, end_date, status in _slots(
        year, department_ids, Task.RANDOM_KINDS
    ):
        done = status == Task.Status.CLOSED
        yield (
            MetricRow(
                department_id,
                (
                    names[department_id],
                    code,
                    title,
                    "发起部门" if order == 0 else "参与部门",
                    _date_text(end_date),
                    statuses[status],
                ),
                done or as_of > end_date,
                done,
            )
        )


def _inspections_by_task(task_ids: set[int]) -> dict[int, list[tuple[int, int, str]]]:
    """Per task, its inspections as (id, visit id, target name), in draw order."""
    by_task: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for pk, task_id, visit_id, target_name in (
        Inspection.objects.filter(task_id__in=task_ids)
        .order_by("task_id", "position")
        .values_list("pk", "task_id", "visit_id", "target__name")
    ):
        by_task[task_id].append((pk, visit_id, target_name))
    return by_task


def _entry_rows(year: int, as_of: datetime.date, department_ids: set[int] | None) -> Iterator[MetricRow]:
    slots = _slots(year, department_ids, None)
    task_ids = {slot[1] for slot in slots}
    names, statuses = _department_names(), dict(MatterResult.Status.choices)
    matters: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for slot_id, matter_id, matter_name in (
        TaskDepartment.matters.through.objects.filter(taskdepartment_id__in=[slot[0] for slot in slots])
        .order_by("matter__code")
        .values_list("taskdepartment_id", "matter_id", "matter__name")
    ):
        matters[slot_id].append((matter_id, matter_name))
    inspections = _inspections_by_task(task_ids)
    results = {
        (inspection_id, matter_id): (status, submitted_at)
        for inspection_id, matter_id, status, submitted_at in MatterResult.objects.filter(
            inspection__task_id__in=task_ids
        ).values_list("inspection_id", "matter_id", "status", "submitted_at")
    }
    for slot_id, task_id, department_id, _, code, _, end_date, _ in slots:
        for inspection_id, _, target_name in inspections[task_id]:
            for matter_id, matter_name in matters[slot_id]:
                status, submitted_at = results.get((inspection_id, matter_id), (None, None))
                entered = status in MatterResult.ENTERED
                submitted = local_date(submitted_at) if entered else None
                yield (
                    MetricRow(
                        department_id,
                        (
                            names[department_id],
                            code,
                            target_name,
                            matter_name,
                            _date_text(end_date),
                            _moment_text(submitted_at) if entered else "",
                            statuses[status] if status else "未录入",
                        ),
                        entered or as_of > end_date,
                        submitted is not None and submitted <= end_date,
                    )
                )


def _publication_rows(
    year: int, as_of: datetime.date, department_ids: set[int] | None
) -> Iterator[MetricRow]:
    names, statuses = _department_names(), dict(ResultPublication.Status.choices)
    publications = _limited(
        ResultPublication.objects.filter(inspection__task__year=year), "department_id", department_ids
    )
    for department_id, code, target_name, closed_on, due_on, published_at, status in publications.order_by(
        "due_on", "pk"
    ).values_list(
        "department_id",
        "inspection__task__code",
        "inspection__target__name",
        "closed_on",
        "due_on",
        "published_at",
        "status",
    ):
        published = local_date(published_at)
        yield (
            MetricRow(
                department_id,
                (
                    names[department_id],
                    code,
                    target_name,
                    _date_text(closed_on),
                    _date_text(due_on),
                    _moment_text(published_at),
                    statuses[status],
                ),
                published is not None or as_of > due_on,
                published is not None and published <= due_on,
            )
        )


def _joint_rows(year: int, as_of: datetime.date, department_ids: set[int] | None) -> Iterator[MetricRow]:
    slots = _slots(year, department_ids, Task.RANDOM_KINDS)
    inspections = _inspections_by_task({slot[1] for slot in slots})
    visit_ids = {visit_id for rows in inspections.values() for _, visit_id, _ in rows}
    # The departments at the door in a visit: every slot of every task with an inspection in it.
    visit_tasks: dict[int, set[int]] = defaultdict(set)
    for visit_id, task_id in Inspection.objects.filter(visit_id__in=visit_ids).values_list(
        "visit_id", "task_id"
    ):
        visit_tasks[visit_id].add(task_id)
    task_departments: dict[int, set[int]] = defaultdict(set)
    all_tasks = set().union(*visit_tasks.values()) if visit_tasks else set()
    for task_id, department_id in TaskDepartment.objects.filter(task_id__in=all_tasks).values_list(
        "task_id", "department_id"
    ):
        task_departments[task_id].add(department_id)
    names = _department_names()
    short_names = dict(Department.objects.values_list("pk", "short_name"))
    labels: dict[frozenset[int], str] = {}
    for _, task_id, department_id, _, code, _, _, _ in slots:
        for _, visit_id, target_name in inspections[task_id]:
            departments = frozenset().union(*(task_departments[t] for t in visit_tasks[visit_id]))
            if departments not in labels:
                labels[departments] = "、".join(sorted(short_names[d] for d in departments))
            yield (
                MetricRow(
                    department_id,
                    (names[department_id], code, target_name, labels[departments]),
                    True,
                    len(departments) >= 2,
                )
            )


def _follow_up_rows(year: int, as_of: datetime.date, department_ids: set[int] | None) -> Iterator[MetricRow]:
    names = _department_names()
    kinds, statuses = dict(FollowUp.Kind.choices), dict(FollowUp.Status.choices)
    follow_ups = _limited(
        FollowUp.objects.filter(result__inspection__task__year=year, deadline__isnull=False).exclude(
            status=FollowUp.Status.RETURNED
        ),
        "department_id",
        department_ids,
    )
    for department_id, target_name, kind, deadline, closed_at, status in follow_ups.order_by(
        "deadline", "pk"
    ).values_list("department_id", "target__name", "kind", "deadline", "closed_at", "status"):
        done = status == FollowUp.Status.DONE
        closed = local_date(closed_at) if done else None
        yield (
            MetricRow(
                department_id,
                (
                    names[department_id],
                    target_name,
                    kinds[kind],
                    _date_text(deadline),
                    _moment_text(closed_at) if done else "",
                    statuses[status],
                ),
                done or as_of > deadline,
                closed is not None and closed <= deadline,
            )
        )


@dataclass(frozen=True)
class Metric:
    key: str
    headers: Sequence[str]
    rows: Callable[[int, datetime.date, set[int] | None], Iterator[MetricRow]]
    definition: str = ""

    @property
    def label(self) -> str:
        return METRIC_LABELS[self.key]

    @property
    def export_headers(self) -> list[str]:
        return [*self.headers, "是否计入", "是否达标"]


# What each metric measures, as the pages explain it (docs/ASSESSMENT.md in full).
DEFINITIONS = {
    "plan": "本部门年度抽查计划在1月31日（含当日）前报送（已备案的按备案所依据的报送时间）。每个部门1项；1月31日后未报送的计为未达标。",
    "tasks": "本部门发起或参与的双随机、专项抽查任务（个案检查不计）中已完成的比例；检查结束日期未到且未完成的不计入。",
    "entry": "本部门应录入的事项检查结果（每户检查×本部门事项）在任务检查结束日期（含当日）前提交的比例；未录入或仍为草稿且已过期限的计为未达标。",
    "publication": "本部门应公开的检查结果在公开期限（检查办结后20个工作日）内公开的比例；未到期限且未公开的不计入。",
    "joint": "本部门参与的双随机、专项抽查中，同一次上门有两个及以上部门的检查所占比例。",
    "follow_up": "本部门承办、有办理期限的后续处置在期限内办结的比例；已退回的移交和无期限的处置不计入。",
}


METRIC_DEFINITIONS: dict[str, Metric] = {
    metric.key: metric
    for metric in [
        Metric("plan", ["部门", "计划状态", "报送日期", "报送期限"], _plan_rows, DEFINITIONS["plan"]),
        Metric(
            "tasks",
            ["部门", "任务编号", "任务名称", "部门角色", "检查结束日期", "任务状态"],
            _task_rows,
            DEFINITIONS["tasks"],
        ),
        Metric(
            "entry",
            ["部门", "任务编号", "检查对象", "抽查事项", "录入期限", "提交时间", "结果状态"],
            _entry_rows,
            DEFINITIONS["entry"],
        ),
        Metric(
            "publication",
            ["公开部门", "任务编号", "检查对象", "检查办结日期", "公开期限", "公开时间", "公开状态"],
            _publication_rows,
            DEFINITIONS["publication"],
        ),
        Metric(
            "joint", ["部门", "任务编号", "检查对象", "同次上门的部门"], _joint_rows, DEFINITIONS["joint"]
        ),
        Metric(
            "follow_up",
            ["承办部门", "检查对象", "处置方式", "办理期限", "办结时间", "处置状态"],
            _follow_up_rows,
            DEFINITIONS["follow_up"],
        ),
    ]
}


def export_cells(row: MetricRow) -> list[object]:
    return [*row.cells, YES if row.counted else NO, (YES if row.met else NO) if row.counted else "不计入"]


def filter_rows(rows: Iterable[MetricRow], state: str) -> list[MetricRow]:
    return [row for row in rows if not state or row.state == state]


# ---- weights and scores ---------------------------------------------------------------------------


def weights_for(year: int) -> dict[str, int]:
    saved = AssessmentWeights.objects.filter(year=year).first()
    return saved.as_dict() if saved else dict(DEFAULT_WEIGHTS)


def total_score(metrics: dict[str, MetricValue], weights: dict[str, int]) -> Decimal | None:
    """Σ weight × score / Σ weight over the metrics that apply (a metric with nothing to
    count is left out and its weight spread over the others); None when none applies."""
    applied = [(weights[key], value.rate) for key, value in metrics.items() if value.rate is not None]
    weight_sum = sum(weight for weight, _ in applied)
    if not weight_sum:
        return None
    return (sum(Decimal(weight) * rate for weight, rate in applied) / weight_sum).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


def assessment_departments(department: Department | None = None) -> list[Department]:
    if department is not None:
        return [department]
    return list(Department.objects.filter(is_active=True).order_by("-is_office", "code"))


def assess(
    year: int, *, as_of: datetime.date | None = None, department: Department | None = None
) -> list[DepartmentAssessment]:
    """The assessment of every active department (or one), as of a day (today by default)."""
    as_of = as_of or timezone.localdate()
    departments = assessment_departments(department)
    ids = {d.pk for d in departments}
    weights = weights_for(year)
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for key, metric in METRIC_DEFINITIONS.items():
        for row in metric.rows(year, as_of, ids):
            if row.counted:
                tally = counts[(row.department_id, key)]
                tally[1] += 1
                tally[0] += int(row.met)
    results = []
    for dept in departments:
        metrics = {key: MetricValue(key, *counts[(dept.pk, key)]) for key, _, _ in METRICS}
        results.append(DepartmentAssessment(dept, metrics, total_score(metrics, weights)))
    return results


def metric_rows(
    year: int,
    key: str,
    *,
    as_of: datetime.date | None = None,
    department: Department | None = None,
    state: str = "",
) -> list[MetricRow]:
    as_of = as_of or timezone.localdate()
    ids = {department.pk} if department is not None else None
    return filter_rows(METRIC_DEFINITIONS[key].rows(year, as_of, ids), state)


def assessment_years(today: datetime.date | None = None) -> list[int]:
    """The years one may choose, newest first: from the first plan or task to this year (or
    the latest planned year, when plans for next year are already made)."""
    today = today or timezone.localdate()
    years = {today.year}
    for model in (AnnualPlan, Task):
        bounds = model.objects.aggregate(first=Min("year"), last=Max("year"))
        years.update(year for year in bounds.values() if year)
    return list(range(max(years), min(years) - 1, -1))
