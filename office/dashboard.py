"""The office's progress dashboard (工作进度): every figure for one year, computed in SQL.

Each figure is an aggregate query (conditional aggregation) over the year's random tasks
(双随机抽查 and 专项抽查; case checks are counted apart, as the seed counts them), optionally
narrowed to one department: the tasks it initiates or takes part in, the results it entered,
the publications it owes. Each figure has a drill-down (`DRILLS`) that lists exactly the
rows the figure counts, from the same filters; the page, its drill-downs and the exports all
read these functions, so a number on the page is always the length of its list. Coverage,
burden and the problem rates by industry and town share one grouping of the year's
inspections and results by target (see `year_facts`), so the million-row registry is read
by key, not scanned per figure. On PostgreSQL the page's queries run with JIT off.

Definitions:
- plan filing: `plans.selectors.plan_filing_overview` against 31 January — 按时备案 (filed,
  the filed submission by the deadline), 逾期备案 (filed, submitted late), 逾期未备案 (not filed
  and the deadline has passed), 尚未备案 (not filed, the deadline still ahead);
- completion: a department's inspections (those of the tasks it takes part in) that are
  closed (已完成 or 无法检查) out of all drawn;
- overdue result entry: a department's share of an inspection still open after its task's
  end date (检查结束日期) while the department has entered (submitted or approved) fewer
  results than its matters on the task;
- overdue publication: a publication pending past its due date (20 working days after the
  inspection closed); late publication: published after its due date;
- joint inspection: an inspection whose visit (进一次门) involves two or more departments;
- coverage: active (存续) registry targets, by their current risk class, with at least one
  inspection of the year;
- burden: visits (上门次数, a joint visit counts once) per market entity with at least one
  inspection of the year; businesses visited more than N times are the 执法扰民 to look at;
- problem rate: entered results whose codes include a problem (发现问题, 已改正 or 待后续处理)
  out of all entered results, by industry section (门类), town and matter.
"""

from __future__ import annotations

import csv
import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from disclosure.models import ResultPublication
from inspections.models import Draw, Inspection, MatterResult, ResultCode, Task, TaskDepartment
from plans.models import Matter
from plans.selectors import FilingRow, plan_filing_overview
from registry.models import Department, RiskClass, Target, Town

RANDOM_KINDS = tuple(Task.RANDOM_KINDS)
CLOSED = tuple(Inspection.CLOSED_STATUSES)
ENTERED = tuple(MatterResult.ENTERED)
PROBLEM_OUTCOMES = (ResultCode.Outcome.PROBLEM, ResultCode.Outcome.CORRECTED, ResultCode.Outcome.FOLLOWUP)
NO_INDUSTRY = "-"
NO_TOWN = "0"


@dataclass(frozen=True)
class Filters:
    year: int
    department: Department | None = None
    n: int = 2
    today: datetime.date = field(default_factory=timezone.localdate)

    def query(self, **extra: Any) -> dict[str, Any]:
        """The GET parameters that reproduce these filters (plus `extra`)."""
        params: dict[str, Any] = {"year": self.year}
        if self.department is not None:
            params["department"] = self.department.code
        if self.n != 2:
            params["n"] = self.n
        params.update({key: value for key, value in extra.items() if value not in (None, "")})
        return params


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# ---- scopes ----------------------------------------------------------------------------------------


def year_tasks(filters: Filters) -> QuerySet[Task]:
    tasks = Task.objects.filter(year=filters.year, kind__in=RANDOM_KINDS)
    if filters.department is not None:
        tasks = tasks.filter(departments__department=filters.department)
    return tasks


def year_inspections(filters: Filters) -> QuerySet[Inspection]:
    inspections = Inspection.objects.filter(task__year=filters.year, task__kind__in=RANDOM_KINDS)
    if filters.department is not None:
        inspections = inspections.filter(task__departments__department=filters.department)
    return inspections


def _departments(filters: Filters) -> QuerySet[Department]:
    departments = Department.objects.filter(is_active=True)
    if filters.department is not None:
        departments = departments.filter(pk=filters.department.pk)
    return departments.order_by("-is_office", "code")


# ---- plan filing -----------------------------------------------------------------------------------

FILING_STATES = {
    "on_time": "按时备案",
    "late": "逾期备案",
    "missing": "逾期未备案",
    "pending": "尚未备案（未到期限）",
}


def filing_state(row: FilingRow) -> str:
    if row.state == "filed":
        return "late" if row.is_late else "on_time"
    return "missing" if row.is_overdue else "pending"


def filing_rows(filters: Filters) -> list[tuple[FilingRow, str]]:
    rows = plan_filing_overview(filters.year, today=filters.today)
    if filters.department is not None:
        rows = [row for row in rows if row.department.pk == filters.department.pk]
    return [(row, filing_state(row)) for row in rows]


def plan_filing(filters: Filters) -> list[dict[str, Any]]:
    counts = dict.fromkeys(FILING_STATES, 0)
    for _, state in filing_rows(filters):
        counts[state] += 1
    return [{"key": key, "label": label, "count": counts[key]} for key, label in FILING_STATES.items()]


# ---- tasks and draws -------------------------------------------------------------------------------


def tasks_by_status(filters: Filters) -> list[dict[str, Any]]:
    counts = dict(year_tasks(filters).order_by().values_list("status").annotate(number=Count("pk")))
    return [
        {"key": value, "label": label, "count": counts.get(value, 0)} for value, label in Task.Status.choices
    ]


def year_draws(filters: Filters) -> QuerySet[Draw]:
    return Draw.objects.filter(
        task__in=year_tasks(filters), status__in=(Draw.Status.PREPARED, Draw.Status.EXECUTED)
    )


def draw_day(
    status: str, scheduled_for: datetime.datetime, executed_at: datetime.datetime | None
) -> datetime.date:
    """An executed draw's day is when it ran; a prepared one's when it is scheduled."""
    moment = executed_at if status == Draw.Status.EXECUTED and executed_at else scheduled_for
    return timezone.localdate(moment)


def draw_calendar(filters: Filters) -> list[dict[str, Any]]:
    """Draws by month of their day: executed and still scheduled (已公示承诺待抽取)."""
    months = {month: {"executed": 0, "scheduled": 0} for month in range(1, 13)}
    outside = {"executed": 0, "scheduled": 0}
    for status, scheduled_for, executed_at in year_draws(filters).values_list(
        "status", "scheduled_for", "executed_at"
    ):
        day = draw_day(status, scheduled_for, executed_at)
        bucket = months[day.month] if day.year == filters.year else outside
        bucket["executed" if status == Draw.Status.EXECUTED else "scheduled"] += 1
    rows = [
        {"key": f"{filters.year}-{month:02d}", "label": f"{month}月", **months[month]} for month in months
    ]
    if outside["executed"] or outside["scheduled"]:
        rows.append({"key": "other", "label": "其他年份", **outside})
    return rows


# ---- completion, overdue entry, publications (per department) -------------------------------------


def completion(filters: Filters) -> list[dict[str, Any]]:
    rows = (
        TaskDepartment.objects.filter(task__year=filters.year, task__kind__in=RANDOM_KINDS)
        .filter(**({"department": filters.department} if filters.department else {}))
        .order_by()
        .values("department_id")
        .annotate(
            drawn=Count("task__inspections"),
            closed=Count("task__inspections", filter=Q(task__inspections__status__in=CLOSED)),
        )
    )
    counts = {row["department_id"]: row for row in rows}
    result = []
    for department in _departments(filters):
        row = counts.get(department.pk)
        if row is None or not row["drawn"]:
            continue
        result.append(
            {
                "key": department.code,
                "label": department.short_name,
                "drawn": row["drawn"],
                "closed": row["closed"],
                "open": row["drawn"] - row["closed"],
                "rate": percent(row["closed"], row["drawn"]),
            }
        )
    return result


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


OVERDUE_ENTRY_SQL = """
    SELECT {select}
    FROM {inspection} i
    JOIN {task} t ON t.id = i.task_id
    JOIN {slot} td ON td.task_id = t.id
    WHERE t.year = %s AND t.kind IN (%s, %s) AND t.end_date < %s AND i.status NOT IN (%s, %s)
      {department}
      AND (SELECT COUNT(*) FROM {slot_matters} m WHERE m.taskdepartment_id = td.id)
        > (SELECT COUNT(*) FROM {result} r
           WHERE r.inspection_id = i.id AND r.department_id = td.department_id AND r.status IN (%s, %s))
    {tail}
"""


def _overdue_entry_sql(filters: Filters, select: str, tail: str = "") -> tuple[str, list[Any]]:
    """(inspection, department) pairs late in entering results, as SQL portable to SQLite."""
    tables = {
        "inspection": _table(Inspection),
        "task": _table(Task),
        "slot": _table(TaskDepartment),
        "slot_matters": _table(TaskDepartment.matters.through),
        "result": _table(MatterResult),
    }
    department = "AND td.department_id = %s" if filters.department else ""
    # Only quoted table names and this module's fixed fragments are formatted in; values are parameters.
    sql = OVERDUE_ENTRY_SQL.format(select=select, department=department, tail=tail, **tables)
    params: list[Any] = [filters.year, *RANDOM_KINDS, filters.today, *CLOSED]
    if filters.department:
        params.append(filters.department.pk)
    return sql, [*params, *ENTERED]


def overdue_entry_pairs(filters: Filters, department: Department | None = None) -> list[tuple[int, int]]:
    scoped = Filters(filters.year, department or filters.department, filters.n, filters.today)
    sql, params = _overdue_entry_sql(
        scoped, "i.id, td.department_id", "ORDER BY t.end_date, t.code, i.position"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def overdue_entry_counts(filters: Filters) -> dict[int, int]:
    sql, params = _overdue_entry_sql(filters, "td.department_id, COUNT(*)", "GROUP BY td.department_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def year_publications(filters: Filters) -> QuerySet[ResultPublication]:
    publications = ResultPublication.objects.filter(
        inspection__task__year=filters.year, inspection__task__kind__in=RANDOM_KINDS
    )
    if filters.department is not None:
        publications = publications.filter(department=filters.department)
    return publications


def overdue_publication_q(today: datetime.date) -> Q:
    return Q(status=ResultPublication.Status.PENDING, due_on__lt=today)


def late_publication_q() -> Q:
    return Q(status=ResultPublication.Status.PUBLISHED, published_at__date__gt=F("due_on"))


def deadlines(filters: Filters) -> list[dict[str, Any]]:
    """Per department: overdue result entry, publications overdue and published late."""
    entry = overdue_entry_counts(filters)
    publications = {
        row["department_id"]: row
        for row in year_publications(filters)
        .order_by()
        .values("department_id")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=overdue_publication_q(filters.today)),
            late=Count("pk", filter=late_publication_q()),
        )
    }
    rows = []
    for department in _departments(filters):
        publication = publications.get(department.pk, {})
        row = {
            "key": department.code,
            "label": department.short_name,
            "entry_overdue": entry.get(department.pk, 0),
            "publications": publication.get("total", 0),
            "publication_overdue": publication.get("overdue", 0),
            "publication_late": publication.get("late", 0),
        }
        if row["entry_overdue"] or row["publications"]:
            rows.append(row)
    return rows


# ---- joint inspections -----------------------------------------------------------------------------


def joint_visit_ids(filters: Filters) -> QuerySet:
    """Visits of the year's inspections that involve two or more departments (counting every
    inspection on the visit, whichever its task)."""
    return (
        Inspection.objects.filter(visit_id__in=year_inspections(filters).values("visit_id"))
        .order_by()
        .values("visit_id")
        # Two departments or more: the lowest and highest differ (hashable, unlike COUNT DISTINCT).
        .annotate(low=Min("task__departments__department"), high=Max("task__departments__department"))
        .filter(high__gt=F("low"))
        .values("visit_id")
    )


def joint_inspections(filters: Filters) -> QuerySet[Inspection]:
    return year_inspections(filters).annotate(is_joint=Q(visit_id__in=joint_visit_ids(filters)))


def joint_share(filters: Filters) -> dict[str, Any]:
    numbers = joint_inspections(filters).aggregate(
        total=Count("pk"), joint=Count("pk", filter=Q(is_joint=True))
    )
    return {
        **numbers,
        "single": numbers["total"] - numbers["joint"],
        "rate": percent(numbers["joint"], numbers["total"]),
    }


# ---- the year's targets: coverage, burden and problem rates read them -----------------------------
#
# Joining the year's ~50,000 inspections to a registry of a million targets makes PostgreSQL scan
# the whole registry for every figure. Instead the year's inspections and results are grouped by
# target in SQL (no join), the attributes of those targets (a few tens of thousands) are read
# once by primary key, and the figures are summed from these groups.


# A target's (risk class, status, kind, town id, industry code): plain tuples, tens of thousands
# of them are built per request.
TargetFacts = tuple[str, str, str, int | None, str]
RISK, STATUS, KIND, TOWN, INDUSTRY = range(5)


@dataclass
class YearFacts:
    visits: dict[int, tuple[int, int]]  # target → (visits, inspections)
    results: dict[int, tuple[int, int]]  # target → (entered results, with a problem)
    targets: dict[int, TargetFacts]


def burden_per_business(filters: Filters) -> QuerySet[Inspection]:
    """Per market entity: visits (a joint visit counts once) and inspections of the year."""
    return (
        year_inspections(filters)
        .filter(target__kind__in=Target.ENTITY_KINDS)
        .order_by()
        .values("target_id")
        .annotate(visits=Count("visit_id", distinct=True), inspections=Count("pk"))
    )


def entered_results(filters: Filters) -> QuerySet[MatterResult]:
    results = MatterResult.objects.filter(
        inspection__task__year=filters.year, inspection__task__kind__in=RANDOM_KINDS, status__in=ENTERED
    )
    if filters.department is not None:
        results = results.filter(department=filters.department)
    return results.annotate(has_problem=Q(pk__in=problem_result_ids()))


def problem_result_ids() -> QuerySet:
    """Results with at least one problem code: one hashed set, not a probe per result."""
    return MatterResult.codes.through.objects.filter(
        resultcode_id__in=ResultCode.objects.filter(outcome__in=PROBLEM_OUTCOMES).values("pk")
    ).values("matterresult_id")


def _fetch(queryset: QuerySet) -> list[tuple[Any, ...]]:
    """A values_list query's rows straight from the cursor (tens of thousands of plain
    integers and codes need none of the ORM's per-row converters)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def year_facts(filters: Filters) -> YearFacts:
    visits = {
        target: (visit_count, inspections)
        for target, visit_count, inspections in _fetch(
            year_inspections(filters)
            .order_by()
            .values("target_id")
            .annotate(visits=Count("visit_id", distinct=True), inspections=Count("pk"))
            .values_list("target_id", "visits", "inspections")
        )
    }
    results = {
        target: (entered, problems)
        for target, entered, problems in _fetch(
            entered_results(filters)
            .order_by()
            .values("target_id")
            .annotate(entered=Count("pk"), problems=Count("pk", filter=Q(has_problem=True)))
            .values_list("target_id", "entered", "problems")
        )
    }
    return YearFacts(visits, results, target_facts(sorted(set(visits) | set(results))))


def target_facts(ids: list[int]) -> dict[int, TargetFacts]:
    """The attributes of the given targets, read by primary key."""
    columns = ("pk", "risk_class", "status", "kind", "town_id", "industry_code")
    if connection.vendor == "postgresql":
        # One array literal (a single constant to parse, not one per key): the planner probes
        # the primary key instead of scanning the registry.
        literal = "{" + ",".join(map(str, ids)) + "}"
        rows: Any = _fetch(
            Target.objects.extra(
                where=["registry_target.id = ANY(%s::bigint[])"], params=[literal]
            ).values_list(*columns)
        )
    else:
        rows = (
            row
            for start in range(0, len(ids), 900)
            for row in _fetch(Target.objects.filter(pk__in=ids[start : start + 900]).values_list(*columns))
        )
    return {row[0]: row[1:] for row in rows}


# ---- registry coverage -----------------------------------------------------------------------------

REGISTRY_TOTALS_KEY = "office.dashboard.registry_totals"
REGISTRY_TOTALS_SECONDS = 600


def registry_totals() -> dict[str, int]:
    """Active targets by risk class. Counting a million rows is the page's dearest query and
    the registry changes by imports, so the count is kept in the cache for ten minutes."""
    totals = django_cache.get(REGISTRY_TOTALS_KEY)
    if totals is None:
        totals = dict(
            Target.objects.filter(status=Target.Status.ACTIVE)
            .order_by()
            .values_list("risk_class")
            .annotate(number=Count("pk"))
        )
        django_cache.set(REGISTRY_TOTALS_KEY, totals, REGISTRY_TOTALS_SECONDS)
    return totals


def coverage(filters: Filters, facts: YearFacts | None = None) -> list[dict[str, Any]]:
    facts = facts or year_facts(filters)
    totals = registry_totals()
    inspected: dict[str, int] = defaultdict(int)
    for target in facts.visits:
        item = facts.targets[target]
        if item[STATUS] == Target.Status.ACTIVE:
            inspected[item[RISK]] += 1
    rows = []
    for value, label in RiskClass.choices:
        total, done = totals.get(value, 0), inspected.get(value, 0)
        rows.append(
            {"key": value, "label": label, "total": total, "inspected": done, "rate": percent(done, total)}
        )
    all_total, all_done = sum(totals.values()), sum(inspected.values())
    rows.append(
        {
            "key": "",
            "label": "合计",
            "total": all_total,
            "inspected": all_done,
            "rate": percent(all_done, all_total),
        }
    )
    return rows


# ---- inspection burden -----------------------------------------------------------------------------


def burden(filters: Filters, facts: YearFacts | None = None) -> dict[str, Any]:
    """Mean and maximum visits per business, those over N, and how many businesses had each
    number of visits."""
    facts = facts or year_facts(filters)
    histogram: dict[int, int] = defaultdict(int)
    inspections = 0
    for target, (visits, count) in facts.visits.items():
        if facts.targets[target][KIND] in Target.ENTITY_KINDS:
            histogram[visits] += 1
            inspections += count
    businesses = sum(histogram.values())
    visits = sum(number * times for times, number in histogram.items())
    return {
        "businesses": businesses,
        "visits": visits,
        "inspections": inspections,
        "mean": round(visits / businesses, 2) if businesses else None,
        "max": max(histogram, default=0),
        "over": sum(number for times, number in histogram.items() if times > filters.n),
        "n": filters.n,
        "histogram": [{"visits": times, "businesses": histogram[times]} for times in sorted(histogram)],
    }


# ---- problem rate ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    letter: str
    name: str
    divisions: tuple[str, ...]


SECTION_NAMES = {
    "A": "农、林、牧、渔业", "B": "采矿业", "C": "制造业", "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业", "F": "批发和零售业", "G": "交通运输、仓储和邮政业", "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业", "J": "金融业", "K": "房地产业", "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业", "N": "水利、环境和公共设施管理业", "O": "居民服务、修理和其他服务业",
    "P": "教育", "Q": "卫生和社会工作", "R": "文化、体育和娱乐业", "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}  # fmt: skip


@cache
def sections() -> dict[str, Section]:
    """门类 (A–T) from data/industries.csv, each with its two-digit divisions."""
    grouped: dict[str, list[str]] = defaultdict(list)
    with open(Path(settings.BASE_DIR) / "data" / "industries.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            grouped[row["section"]].append(row["code"])
    return {
        letter: Section(letter, SECTION_NAMES.get(letter, letter), tuple(sorted(codes)))
        for letter, codes in sorted(grouped.items())
    }


@cache
def section_of_division() -> dict[str, str]:
    return {code: item.letter for item in sections().values() for code in item.divisions}


def industry_q(key: str) -> Q:
    """Results of targets in one industry section (or with no known industry code)."""
    section = sections().get(key)
    if section is None:
        return ~Q(industry_division__in=list(section_of_division()))
    return Q(industry_division__in=section.divisions)


def _problem_rows(
    groups: dict[Any, list[int]], labels: dict[Any, str], order: Callable[[Any], Any]
) -> list[dict[str, Any]]:
    return [
        {
            "key": str(key),
            "label": labels[key],
            "entered": groups[key][0],
            "problems": groups[key][1],
            "rate": percent(groups[key][1], groups[key][0]),
        }
        for key in sorted(groups, key=order)
    ]


def _problem_groups(facts: YearFacts, key: Callable[[TargetFacts], Any]) -> dict[Any, list[int]]:
    groups: dict[Any, list[int]] = {}
    targets = facts.targets
    for target, (entered, problems) in facts.results.items():
        group = groups.setdefault(key(targets[target]), [0, 0])
        group[0] += entered
        group[1] += problems
    return groups


def problems_by_industry(filters: Filters, facts: YearFacts | None = None) -> list[dict[str, Any]]:
    facts = facts or year_facts(filters)
    section_of = section_of_division()
    groups = _problem_groups(facts, lambda target: section_of.get((target[INDUSTRY] or "")[:2], NO_INDUSTRY))
    named = sections()
    labels = {
        letter: f"{letter} {named[letter].name}" if letter in named else "行业代码未填或无法识别"
        for letter in groups
    }
    return _problem_rows(groups, labels, lambda letter: (letter == NO_INDUSTRY, letter))


def problems_by_town(filters: Filters, facts: YearFacts | None = None) -> list[dict[str, Any]]:
    facts = facts or year_facts(filters)
    groups = _problem_groups(facts, lambda target: target[TOWN] or int(NO_TOWN))
    towns = dict(Town.objects.filter(pk__in=list(groups)).values_list("pk", "name"))
    labels = {town: towns.get(town, "未填镇街") for town in groups}
    return _problem_rows(groups, labels, lambda town: (town == int(NO_TOWN), town))


def problems_by_matter(filters: Filters) -> list[dict[str, Any]]:
    by_id = {
        matter: [entered, problems]
        for matter, entered, problems in _fetch(
            entered_results(filters)
            .order_by()
            .values("matter_id")
            .annotate(entered=Count("pk"), problems=Count("pk", filter=Q(has_problem=True)))
            .values_list("matter_id", "entered", "problems")
        )
    }
    matters = {
        pk: (code, name)
        for pk, code, name in Matter.objects.filter(pk__in=list(by_id)).values_list("pk", "code", "name")
    }
    groups = {matters[pk][0]: counts for pk, counts in by_id.items()}
    labels = {code: f"{code} {name}" for code, name in matters.values()}
    return _problem_rows(groups, labels, lambda code: code)


PROBLEM_DIMENSIONS = {"industry": "行业", "town": "镇街", "matter": "抽查事项"}


def problem_results(filters: Filters, dimension: str, key: str) -> QuerySet[MatterResult]:
    results = entered_results(filters).filter(has_problem=True)
    if dimension == "industry":
        return results.annotate(industry_division=Substr("target__industry_code", 1, 2)).filter(
            industry_q(key)
        )
    if dimension == "town":
        return (
            results.filter(target__town__isnull=True)
            if key == NO_TOWN
            else results.filter(target__town_id=key)
        )
    return results.filter(matter__code=key)


# ---- everything on the page ------------------------------------------------------------------------


def dashboard(filters: Filters) -> dict[str, Any]:
    """Every figure, read in one transaction (one consistent snapshot on PostgreSQL)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # These aggregates are quick, but over a million targets the planner's costs pass
            # the JIT threshold and compiling them takes seconds longer than running them; and
            # the year's groupings (tens of thousands of rows) sort in memory, not on disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '32MB'")
        return _figures(filters)


def _figures(filters: Filters) -> dict[str, Any]:
    facts = year_facts(filters)
    return {
        "plan_filing": plan_filing(filters),
        "tasks": tasks_by_status(filters),
        "draws": draw_calendar(filters),
        "completion": completion(filters),
        "deadlines": deadlines(filters),
        "joint": joint_share(filters),
        "coverage": coverage(filters, facts),
        "burden": burden(filters, facts),
        "problems": {
            "industry": problems_by_industry(filters, facts),
            "town": problems_by_town(filters, facts),
            "matter": problems_by_matter(filters),
        },
    }


# ---- drill-downs: the rows behind each figure -------------------------------------------------------


@dataclass(frozen=True)
class Drill:
    """The rows behind one figure (their headers are `HEADERS[figure]`) and a link per row."""

    title: str
    rows: list[tuple[Any, ...]]
    links: list[str | None]
    count: int = -1  # every row's count when `rows` is one window of them

    def __post_init__(self) -> None:
        if self.count < 0:
            object.__setattr__(self, "count", len(self.rows))


Window = slice | None


def _take(items: Any, window: Window) -> tuple[list[Any], int]:
    """The window's items of a list or a queryset (sliced in SQL) and the count of all."""
    if window is None:
        chosen = list(items)
        return chosen, len(chosen)
    total = len(items) if isinstance(items, list) else items.count()
    return list(items[window]), total


def _date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _department_or_none(code: str) -> Department | None:
    return Department.objects.filter(code=code).first() if code else None


def drill_plans(filters: Filters, key: str, window: Window = None) -> Drill:
    chosen, total = _take(
        [(row, state) for row, state in filing_rows(filters) if not key or state == key], window
    )
    rows, links = [], []
    for row, state in chosen:
        submitted = row.plan.filed_submission_at if row.plan else None
        rows.append(
            (
                row.department.code,
                row.department.name,
                row.state_label,
                _date(submitted),
                FILING_STATES[state],
            )
        )
        links.append(reverse("plan-detail", args=[row.plan.pk]) if row.plan else None)
    title = f"年度计划备案：{FILING_STATES.get(key, '全部')}"
    return Drill(title, rows, links, total)


def drill_tasks(filters: Filters, key: str, window: Window = None) -> Drill:
    tasks = year_tasks(filters).select_related("initiator").order_by("code")
    if key:
        tasks = tasks.filter(status=key)
    tasks, total = _take(tasks, window)
    rows = [
        (
            task.code,
            task.title,
            task.get_kind_display(),
            task.initiator.short_name,
            task.get_status_display(),
            _date(task.start_date),
            _date(task.end_date),
        )
        for task in tasks
    ]
    links: list[str | None] = [reverse("task-detail", args=[task.pk]) for task in tasks]
    label = dict(Task.Status.choices).get(key, "全部")
    return Drill(f"抽查任务：{label}", rows, links, total)


def drill_draws(filters: Filters, key: str, window: Window = None) -> Drill:
    chosen = []
    for draw in year_draws(filters).select_related("task").order_by("scheduled_for", "pk"):
        day = draw_day(draw.status, draw.scheduled_for, draw.executed_at)
        month = f"{day.year}-{day.month:02d}" if day.year == filters.year else "other"
        if not key or month == key:
            chosen.append(draw)
    chosen.sort(key=lambda draw: (draw_day(draw.status, draw.scheduled_for, draw.executed_at), draw.pk))
    chosen, total = _take(chosen, window)
    rows = [
        (
            draw.task.code,
            draw.task.title,
            draw.get_status_display(),
            _date(draw.scheduled_for),
            _date(draw.executed_at),
            draw.sample_total,
        )
        for draw in chosen
    ]
    links: list[str | None] = [reverse("draw-detail", args=[draw.pk]) for draw in chosen]
    return Drill(f"随机抽取：{key or '全部'}", rows, links, total)


def _inspection_rows(
    inspections: QuerySet[Inspection], window: Window
) -> tuple[list[tuple[Any, ...]], list[str | None], int]:
    chosen, total = _take(
        inspections.select_related("task", "target", "visit").order_by("task__code", "position"), window
    )
    rows = [
        (
            item.task.code,
            item.task.title,
            item.target.code,
            item.target.name,
            item.get_status_display(),
            _date(item.visit.scheduled_date),
            _date(item.task.end_date),
        )
        for item in chosen
    ]
    return rows, [reverse("inspection-detail", args=[item.pk]) for item in chosen], total


def drill_incomplete(filters: Filters, key: str, window: Window = None) -> Drill:
    department = _department_or_none(key) or filters.department
    scoped = Filters(filters.year, department, filters.n, filters.today)
    rows, links, total = _inspection_rows(year_inspections(scoped).exclude(status__in=CLOSED), window)
    name = department.short_name if department else "全部部门"
    return Drill(f"未办结的检查：{name}", rows, links, total)


def drill_overdue_entry(filters: Filters, key: str, window: Window = None) -> Drill:
    pairs, total = _take(overdue_entry_pairs(filters, _department_or_none(key)), window)
    inspections = Inspection.objects.select_related("task", "target").in_bulk([pk for pk, _ in pairs])
    departments = Department.objects.in_bulk({department for _, department in pairs})
    entered = defaultdict(int)
    for inspection_id, department_id in MatterResult.objects.filter(
        inspection_id__in=[pk for pk, _ in pairs], status__in=ENTERED
    ).values_list("inspection_id", "department_id"):
        entered[(inspection_id, department_id)] += 1
    slots = {
        (slot.task_id, slot.department_id): slot.number
        for slot in TaskDepartment.objects.filter(
            task_id__in={item.task_id for item in inspections.values()}
        ).annotate(number=Count("matters"))
    }
    rows, links = [], []
    for inspection_id, department_id in pairs:
        item = inspections[inspection_id]
        rows.append(
            (
                departments[department_id].short_name,
                item.task.code,
                item.target.code,
                item.target.name,
                _date(item.task.end_date),
                entered[(inspection_id, department_id)],
                slots[(item.task_id, department_id)],
            )
        )
        links.append(reverse("inspection-detail", args=[inspection_id]))
    name = key or "全部部门"
    return Drill(f"逾期未录入结果：{name}", rows, links, total)


def _publication_drill(filters: Filters, key: str, window: Window, condition: Q, title: str) -> Drill:
    publications = year_publications(filters).filter(condition)
    department = _department_or_none(key)
    if department is not None:
        publications = publications.filter(department=department)
    chosen, total = _take(
        publications.select_related("department", "inspection__task", "inspection__target").order_by(
            "due_on", "pk"
        ),
        window,
    )
    rows = [
        (
            item.department.short_name,
            item.inspection.task.code,
            item.inspection.target.code,
            item.inspection.target.name,
            _date(item.closed_on),
            _date(item.due_on),
            item.get_status_display(),
            _date(item.published_at),
        )
        for item in chosen
    ]
    links: list[str | None] = [reverse("inspection-detail", args=[item.inspection_id]) for item in chosen]
    return Drill(f"{title}：{department.short_name if department else '全部部门'}", rows, links, total)


def drill_publication_overdue(filters: Filters, key: str, window: Window = None) -> Drill:
    return _publication_drill(filters, key, window, overdue_publication_q(filters.today), "逾期未公开")


def drill_publication_late(filters: Filters, key: str, window: Window = None) -> Drill:
    return _publication_drill(filters, key, window, late_publication_q(), "逾期公开")


def drill_joint(filters: Filters, key: str, window: Window = None) -> Drill:
    joint = joint_inspections(filters).filter(is_joint=key != "single")
    chosen, total = _take(
        joint.select_related("task", "target", "visit").order_by("task__code", "position"), window
    )
    ordered = list(Department.objects.order_by("-is_office", "code").values_list("pk", "short_name"))
    names, rank = dict(ordered), {pk: index for index, (pk, _) in enumerate(ordered)}
    visit_departments: dict[int, set[int]] = defaultdict(set)
    for visit_id, department_id in TaskDepartment.objects.filter(
        task__inspections__visit_id__in={item.visit_id for item in chosen}
    ).values_list("task__inspections__visit_id", "department_id"):
        visit_departments[visit_id].add(department_id)
    rows = [
        (
            item.task.code,
            item.target.code,
            item.target.name,
            _date(item.visit.scheduled_date),
            "、".join(names[pk] for pk in sorted(visit_departments[item.visit_id], key=rank.__getitem__)),
            item.get_status_display(),
        )
        for item in chosen
    ]
    links: list[str | None] = [reverse("inspection-detail", args=[item.pk]) for item in chosen]
    title = "单一部门检查" if key == "single" else "联合检查（一次上门涉及两个及以上部门）"
    return Drill(title, rows, links, total)


def drill_coverage(filters: Filters, key: str, window: Window = None) -> Drill:
    targets = Target.objects.filter(
        status=Target.Status.ACTIVE, pk__in=year_inspections(filters).order_by().values("target_id")
    )
    if key:
        targets = targets.filter(risk_class=key)
    chosen, total = _take(targets.select_related("town").order_by("code"), window)
    counts = dict(
        year_inspections(filters)
        .filter(target_id__in=[item.pk for item in chosen])
        .order_by()
        .values_list("target_id")
        .annotate(number=Count("pk"))
    )
    rows = [
        (item.code, item.name, item.town.name if item.town else "", item.risk_class, counts[item.pk])
        for item in chosen
    ]
    links: list[str | None] = [reverse("target-detail", args=[item.pk]) for item in chosen]
    label = dict(RiskClass.choices).get(key, "全部")
    return Drill(f"本年度已检查的名录库对象：{label}", rows, links, total)


def drill_burden(filters: Filters, key: str, window: Window = None) -> Drill:
    """Businesses visited more than N times, or exactly `key` times (a bar of the histogram)."""
    per_business = burden_per_business(filters)
    exact = int(key) if key.isdigit() else None
    chosen_counts = (
        per_business.filter(visits=exact) if exact is not None else per_business.filter(visits__gt=filters.n)
    )
    counts = {row["target_id"]: row for row in chosen_counts}
    order = sorted(
        Target.objects.filter(pk__in=list(counts)).values_list("pk", "code"),
        key=lambda pair: (-counts[pair[0]]["visits"], pair[1]),
    )
    keys, total = _take([pk for pk, _ in order], window)
    found = Target.objects.select_related("town").in_bulk(keys)
    chosen = [found[pk] for pk in keys]
    rows = [
        (
            item.code,
            item.name,
            item.kind,
            item.town.name if item.town else "",
            counts[item.pk]["visits"],
            counts[item.pk]["inspections"],
        )
        for item in chosen
    ]
    links: list[str | None] = [reverse("target-detail", args=[item.pk]) for item in chosen]
    return Drill(
        f"本年度上门检查 {exact} 次的市场主体"
        if exact is not None
        else f"本年度上门检查超过 {filters.n} 次的市场主体",
        rows,
        links,
        total,
    )


def problem_group_label(dimension: str, key: str) -> str:
    if dimension == "industry":
        section = sections().get(key)
        return f"{section.letter} {section.name}" if section else "行业代码未填或无法识别"
    if dimension == "town":
        return (
            "未填镇街"
            if key == NO_TOWN
            else Town.objects.filter(pk=key if key.isdigit() else 0).values_list("name", flat=True).first()
            or key
        )
    matter = Matter.objects.filter(code=key).first()
    return f"{matter.code} {matter.name}" if matter else key


def _problem_drill(dimension: str) -> Callable[[Filters, str, Window], Drill]:
    def drill(filters: Filters, key: str, window: Window = None) -> Drill:
        chosen, total = _take(
            problem_results(filters, dimension, key)
            .select_related("inspection__task", "target__town", "matter", "department")
            .prefetch_related("codes")
            .order_by("inspection__task__code", "target__code", "matter__code"),
            window,
        )
        rows = [
            (
                item.inspection.task.code,
                item.target.code,
                item.target.name,
                item.target.industry_code,
                item.target.town.name if item.target.town else "",
                f"{item.matter.code} {item.matter.name}",
                "、".join(f"{code.code} {code.name}" for code in item.codes.all()),
                _date(item.inspected_on),
                item.department.short_name,
            )
            for item in chosen
        ]
        links: list[str | None] = [reverse("result-detail", args=[item.pk]) for item in chosen]
        label = problem_group_label(dimension, key)
        return Drill(f"发现问题的检查结果（{PROBLEM_DIMENSIONS[dimension]}：{label}）", rows, links, total)

    return drill


PUBLICATION_HEADERS = (
    "公开部门",
    "任务编号",
    "统一社会信用代码/对象标识",
    "检查对象",
    "检查办结日期",
    "公开期限",
    "状态",
    "公开时间",
)
PROBLEM_HEADERS = ("任务编号", "统一社会信用代码/对象标识", "检查对象", "行业代码", "所属镇街", "抽查事项", "检查结果", "检查日期", "录入部门")  # fmt: skip

HEADERS: dict[str, tuple[str, ...]] = {
    "plans": ("单位代码", "单位名称", "计划状态", "备案的报送时间", "备案情况"),
    "tasks": ("任务编号", "任务名称", "任务类型", "发起部门", "状态", "检查开始日期", "检查结束日期"),
    "draws": ("任务编号", "任务名称", "状态", "计划抽取时间", "抽取时间", "抽取户数"),
    "incomplete": ("任务编号", "任务名称", "统一社会信用代码/对象标识", "检查对象", "状态", "计划检查日期", "检查结束日期"),
    "overdue-entry": ("部门", "任务编号", "统一社会信用代码/对象标识", "检查对象", "检查结束日期", "已录入事项", "应录入事项"),
    "publication-overdue": PUBLICATION_HEADERS,
    "publication-late": PUBLICATION_HEADERS,
    "joint": ("任务编号", "统一社会信用代码/对象标识", "检查对象", "计划检查日期", "上门涉及部门", "状态"),
    "coverage": ("统一社会信用代码/对象标识", "名称", "所属镇街", "信用风险分类", "本年度检查次数"),
    "burden": ("统一社会信用代码", "名称", "主体类型", "所属镇街", "上门次数", "检查次数"),
    "problems-industry": PROBLEM_HEADERS,
    "problems-town": PROBLEM_HEADERS,
    "problems-matter": PROBLEM_HEADERS,
}  # fmt: skip


TITLES = {
    "plans": "年度计划备案情况",
    "tasks": "抽查任务",
    "draws": "随机抽取日历",
    "incomplete": "未办结的检查",
    "overdue-entry": "逾期未录入结果",
    "publication-overdue": "逾期未公开的检查结果",
    "publication-late": "逾期公开的检查结果",
    "joint": "联合检查",
    "coverage": "本年度已检查的名录库对象",
    "burden": "上门检查次数偏多的市场主体",
    "problems-industry": "发现问题的检查结果（按行业）",
    "problems-town": "发现问题的检查结果（按镇街）",
    "problems-matter": "发现问题的检查结果（按事项）",
}

DRILLS: dict[str, Callable[[Filters, str, Window], Drill]] = {
    "plans": drill_plans,
    "tasks": drill_tasks,
    "draws": drill_draws,
    "incomplete": drill_incomplete,
    "overdue-entry": drill_overdue_entry,
    "publication-overdue": drill_publication_overdue,
    "publication-late": drill_publication_late,
    "joint": drill_joint,
    "coverage": drill_coverage,
    "burden": drill_burden,
    "problems-industry": _problem_drill("industry"),
    "problems-town": _problem_drill("town"),
    "problems-matter": _problem_drill("matter"),
}
