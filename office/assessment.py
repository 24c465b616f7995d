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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
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
    return timezone.localtime(moment).date() if moment else None


def _date_text(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _moment_text(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


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


def _plan_rows(year: int, as_of: datetime.date, department_ids: set[int] | None) -> list[MetricRow]:
    due = plan_due_date(year)
    rows = []
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
        rows.append(
            MetricRow(
                department.pk,
                (department.name, filing.state_label, _date_text(submitted), _date_text(due)),
                counted,
                met,
            )
        )
    return rows


def _task_slots(year: int, department_ids: set[int] | None, kinds: Iterable[str] | None) -> QuerySet:
    slots = TaskDepartment.objects.filter(task__year=year).select_related("task", "department")
    if kinds is not None:
        slots = slots.filter(task__kind__in=list(kinds))
    if department_ids is not None:
        slots = slots.filter(department_id__in=department_ids)
    return slots.order_by("task__code", "order")


def _task_rows(year: int, as_of: datetime.date, department_ids: set[int] | None) -> list[MetricRow]:
    rows = []
    for slot in _task_slots(year, department_ids, Task.RANDOM_KINDS):
        task = slot.task
        done = task.status == Task.Status.CLOSED
        rows.append(
            MetricRow(
                slot.department_id,
                (
                    slot.department.name,
                    task.code,
                    task.title,
                    "发起部门" if slot.is_initiator else "参与部门",
                    _date_text(task.end_date),
                    task.get_status_display(),
                ),
                done or as_of > task.end_date,
                done,
            )
        )
    return rows


def _entry_rows(year: int, as_of: datetime.date, department_ids: set[int] | None) -> list[MetricRow]:
    slots = list(_task_slots(year, department_ids, None).prefetch_related("matters"))
    task_ids = {slot.task_id for slot in slots}
    inspections: dict[int, list[Inspection]] = defaultdict(list)
    for inspection in (
        Inspection.objects.filter(task_id__in=task_ids)
        .select_related("target")
        .order_by("task_id", "position")
    ):
        inspections[inspection.task_id].append(inspection)
    results = {
        (result.inspection_id, result.matter_id): result
        for result in MatterResult.objects.filter(inspection__task_id__in=task_ids).only(
            "inspection_id", "matter_id", "status", "submitted_at"
        )
    }
    rows = []
    for slot in slots:
        task = slot.task
        matters = sorted(slot.matters.all(), key=lambda matter: matter.code)
        for inspection in inspections[slot.task_id]:
            for matter in matters:
                result = results.get((inspection.pk, matter.pk))
                entered = result is not None and result.is_entered
                submitted = local_date(result.submitted_at) if entered else None
                rows.append(
                    MetricRow(
                        slot.department_id,
                        (
                            slot.department.name,
                            task.code,
                            inspection.target.name,
                            matter.name,
                            _date_text(task.end_date),
                            _moment_text(result.submitted_at) if entered else "",
                            result.get_status_display() if result is not None else "未录入",
                        ),
                        entered or as_of > task.end_date,
                        submitted is not None and submitted <= task.end_date,
                    )
                )
    return rows


def _publication_rows(year: int, as_of: datetime.date, department_ids: set[int] | None) -> list[MetricRow]:
    publications = ResultPublication.objects.filter(inspection__task__year=year).select_related(
        "department", "inspection__task", "inspection__target"
    )
    if department_ids is not None:
        publications = publications.filter(department_id__in=department_ids)
    rows = []
    for publication in publications.order_by("due_on", "pk"):
        published = local_date(publication.published_at)
        rows.append(
            MetricRow(
                publication.department_id,
                (
                    publication.department.name,
                    publication.inspection.task.code,
                    publication.inspection.target.name,
                    _date_text(publication.closed_on),
                    _date_text(publication.due_on),
                    _moment_text(publication.published_at),
                    publication.get_status_display(),
                ),
                published is not None or as_of > publication.due_on,
                published is not None and published <= publication.due_on,
            )
        )
    return rows


def _joint_rows(year: int, as_of: datetime.date, department_ids: set[int] | None) -> list[MetricRow]:
    slots = list(_task_slots(year, department_ids, Task.RANDOM_KINDS))
    task_ids = {slot.task_id for slot in slots}
    inspections = list(
        Inspection.objects.filter(task_id__in=task_ids)
        .select_related("task", "target")
        .order_by("task_id", "position")
    )
    # The departments of a visit: every slot of every task with an inspection in the visit.
    visit_tasks: dict[int, set[int]] = defaultdict(set)
    for visit_id, task_id in Inspection.objects.filter(
        visit_id__in={inspection.visit_id for inspection in inspections}
    ).values_list("visit_id", "task_id"):
        visit_tasks[visit_id].add(task_id)
    all_task_ids = set().union(*visit_tasks.values()) if visit_tasks else set()
    task_departments: dict[int, set[int]] = defaultdict(set)
    names = {}
    for task_id, department_id, short_name in TaskDepartment.objects.filter(
        task_id__in=all_task_ids
    ).values_list("task_id", "department_id", "department__short_name"):
        task_departments[task_id].add(department_id)
        names[department_id] = short_name
    by_task: dict[int, list[Inspection]] = defaultdict(list)
    for inspection in inspections:
        by_task[inspection.task_id].append(inspection)
    rows = []
    for slot in slots:
        for inspection in by_task[slot.task_id]:
            departments = set().union(*(task_departments[t] for t in visit_tasks[inspection.visit_id]))
            rows.append(
                MetricRow(
                    slot.department_id,
                    (
                        slot.department.name,
                        inspection.task.code,
                        inspection.target.name,
                        "、".join(sorted(names[d] for d in departments)),
                    ),
                    True,
                    len(departments) >= 2,
                )
            )
    return rows


def _follow_up_rows(year: int, as_of: datetime.date, department_ids: set[int] | None) -> list[MetricRow]:
    follow_ups = (
        FollowUp.objects.filter(result__inspection__task__year=year, deadline__isnull=False)
        .exclude(status=FollowUp.Status.RETURNED)
        .select_related("department", "target")
    )
    if department_ids is not None:
        follow_ups = follow_ups.filter(department_id__in=department_ids)
    rows = []
    for follow_up in follow_ups.order_by("deadline", "pk"):
        done = follow_up.status == FollowUp.Status.DONE
        closed = local_date(follow_up.closed_at) if done else None
        rows.append(
            MetricRow(
                follow_up.department_id,
                (
                    follow_up.department.name,
                    follow_up.target.name,
                    follow_up.get_kind_display(),
                    _date_text(follow_up.deadline),
                    _moment_text(follow_up.closed_at) if done else "",
                    follow_up.get_status_display(),
                ),
                done or as_of > follow_up.deadline,
                closed is not None and closed <= follow_up.deadline,
            )
        )
    return rows


@dataclass(frozen=True)
class Metric:
    key: str
    headers: Sequence[str]
    rows: Callable[[int, datetime.date, set[int] | None], list[MetricRow]]

    @property
    def label(self) -> str:
        return METRIC_LABELS[self.key]

    @property
    def export_headers(self) -> list[str]:
        return [*self.headers, "是否计入", "是否达标"]


METRIC_DEFINITIONS: dict[str, Metric] = {
    metric.key: metric
    for metric in [
        Metric("plan", ["部门", "计划状态", "报送日期", "报送期限"], _plan_rows),
        Metric("tasks", ["部门", "任务编号", "任务名称", "部门角色", "检查结束日期", "任务状态"], _task_rows),
        Metric(
            "entry",
            ["部门", "任务编号", "检查对象", "抽查事项", "录入期限", "提交时间", "结果状态"],
            _entry_rows,
        ),
        Metric(
            "publication",
            ["公开部门", "任务编号", "检查对象", "检查办结日期", "公开期限", "公开时间", "公开状态"],
            _publication_rows,
        ),
        Metric("joint", ["部门", "任务编号", "检查对象", "同次上门的部门"], _joint_rows),
        Metric(
            "follow_up",
            ["承办部门", "检查对象", "处置方式", "办理期限", "办结时间", "处置状态"],
            _follow_up_rows,
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
    """The years one may choose: from the first plan or task to this year."""
    today = today or timezone.localdate()
    first = min(
        [
            year
            for year in (
                AnnualPlan.objects.order_by("year").values_list("year", flat=True).first(),
                Task.objects.order_by("year").values_list("year", flat=True).first(),
            )
            if year
        ],
        default=today.year,
    )
    return list(range(max(today.year, first), min(first, today.year) - 1, -1))
