"""年度工作总结报表: the year in figures for the joint meeting.

Plans, tasks, inspections, results by outcome and the problem rate, follow-ups,
publications on time and the assessment scores. The page and the .xlsx/.csv read the same
sections (`annual_summary`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone

from disclosure.models import ResultPublication
from inspections.models import FindingLevel, FollowUp, Inspection, MatterResult, Task
from office.assessment import DepartmentAssessment, assess, local_date
from plans.selectors import plan_filing_overview


@dataclass(frozen=True)
class Figure:
    label: str
    value: object


@dataclass(frozen=True)
class Section:
    title: str
    figures: list[Figure]


def percent(part: int, whole: int) -> str:
    """“12.50%”, or “—” when there is nothing to divide by."""
    if not whole:
        return "—"
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


def _plans(year: int, as_of: datetime.date) -> Section:
    rows = plan_filing_overview(year, today=as_of)
    filed = [row for row in rows if row.state == "filed"]
    late = sum(row.is_late for row in filed)
    return Section(
        "年度抽查计划",
        [
            Figure("成员单位数", len(rows)),
            Figure("已备案", len(filed)),
            Figure("其中按时报送", len(filed) - late),
            Figure("其中逾期报送", late),
            Figure("已报送待备案", sum(row.state == "submitted" for row in rows)),
            Figure("未报送或退回修改", sum(row.state in {"missing", "draft", "returned"} for row in rows)),
        ],
    )


def _tasks(year: int) -> Section:
    tasks = Task.objects.filter(year=year)
    by_kind = dict(tasks.values_list("kind").annotate(n=Count("pk")).order_by())
    by_status = dict(tasks.values_list("status").annotate(n=Count("pk")).order_by())
    figures = [Figure("抽查任务总数", sum(by_kind.values()))]
    figures += [Figure(f"{label}", by_kind.get(value, 0)) for value, label in Task.Kind.choices]
    figures += [Figure(f"状态：{label}", by_status.get(value, 0)) for value, label in Task.Status.choices]
    return Section("抽查任务", figures)


def _inspections(year: int) -> Section:
    inspections = Inspection.objects.filter(task__year=year)
    by_status = dict(inspections.values_list("status").annotate(n=Count("pk")).order_by())
    total = sum(by_status.values())
    visits = inspections.values("visit_id").distinct().count()
    figures = [Figure("检查总数（户次）", total), Figure("上门次数（进一次门）", visits)]
    figures += [
        Figure(f"状态：{label}", by_status.get(value, 0)) for value, label in Inspection.Status.choices
    ]
    return Section("检查", figures)


def _results(year: int) -> Section:
    entered = MatterResult.objects.filter(inspection__task__year=year, status__in=MatterResult.ENTERED)
    by_level = dict(entered.values_list("finding_level").annotate(n=Count("pk")).order_by())
    total = sum(by_level.values())
    problems = sum(n for level, n in by_level.items() if level >= FindingLevel.CORRECTED)
    figures = [Figure("已提交的事项检查结果", total)]
    figures += [Figure(label, by_level.get(value, 0)) for value, label in FindingLevel.choices]
    figures.append(Figure("问题发现率", percent(problems, total)))
    return Section("检查结果（按结果性质）", figures)


def _follow_ups(year: int, as_of: datetime.date) -> Section:
    follow_ups = FollowUp.objects.filter(result__inspection__task__year=year)
    by_kind = dict(follow_ups.values_list("kind").annotate(n=Count("pk")).order_by())
    by_status = dict(follow_ups.values_list("status").annotate(n=Count("pk")).order_by())
    due = [
        (deadline, local_date(closed_at))
        for deadline, closed_at in follow_ups.filter(
            deadline__isnull=False, status=FollowUp.Status.DONE
        ).values_list("deadline", "closed_at")
    ]
    on_time = sum(closed is not None and closed <= deadline for deadline, closed in due)
    overdue = sum(follow_up.is_overdue(as_of) for follow_up in follow_ups.filter(status__in=FollowUp.LIVE))
    figures = [Figure("后续处置总数", sum(by_kind.values()))]
    figures += [Figure(label, by_kind.get(value, 0)) for value, label in FollowUp.Kind.choices]
    figures += [Figure(f"状态：{label}", by_status.get(value, 0)) for value, label in FollowUp.Status.choices]
    figures += [
        Figure("有期限且已办结", len(due)),
        Figure("其中按期办结", on_time),
        Figure("当前逾期未办结", overdue),
    ]
    return Section("后续处置", figures)


def _publications(year: int, as_of: datetime.date) -> Section:
    publications = ResultPublication.objects.filter(inspection__task__year=year)
    rows = list(publications.values_list("due_on", "published_at"))
    published = [(due, local_date(at)) for due, at in rows if at is not None]
    on_time = sum(day <= due for due, day in published)
    overdue = sum(at is None and as_of > due for due, at in rows)
    return Section(
        "检查结果公开",
        [
            Figure("应公开批次", len(rows)),
            Figure("已公开", len(published)),
            Figure("其中按时公开", on_time),
            Figure("其中逾期公开", len(published) - on_time),
            Figure("按时公开率（已公开中）", percent(on_time, len(published))),
            Figure("逾期未公开", overdue),
        ],
    )


@dataclass
class AnnualSummary:
    year: int
    as_of: datetime.date
    sections: list[Section]
    scores: list[DepartmentAssessment]


def annual_summary(year: int, *, as_of: datetime.date | None = None) -> AnnualSummary:
    as_of = as_of or timezone.localdate()
    sections = [
        _plans(year, as_of),
        _tasks(year),
        _inspections(year),
        _results(year),
        _follow_ups(year, as_of),
        _publications(year, as_of),
    ]
    return AnnualSummary(year, as_of, sections, assess(year, as_of=as_of))
