"""Reads of the disclosure app. The public side reads results only from PublishedResult."""

from __future__ import annotations

import bisect
import datetime
import itertools
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet

from disclosure.models import Objection, PublishedResult, ResultPublication, search_fold
from inspections.models import ResultCode
from luozhuang_dsj.lib import prepared
from luozhuang_dsj.lib.access import user_has_role
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from notices.workdays import WorkingCalendar
from registry import credit_code

_CODE_LIKE = re.compile(r"^[0-9A-Z]{4,40}$")
# The result categories a visitor can filter by.
OUTCOME_CHOICES = ResultCode.Outcome.choices


# ---- the department's and the office's lists -----------------------------------------------------


def late_q(today: datetime.date) -> Q:
    """Published after the deadline, or still pending past it."""
    return Q(status=ResultPublication.Status.PENDING, due_on__lt=today) | Q(
        status=ResultPublication.Status.PUBLISHED, published_at__date__gt=F("due_on")
    )


def publications_for(user: User) -> QuerySet[ResultPublication]:
    """The office sees every department's publications; a department its own."""
    rows = ResultPublication.objects.select_related(
        "department", "inspection__task", "inspection__target", "published_by"
    )
    if user_has_role(user, Role.OFFICE):
        return rows
    return rows.filter(department_id=user.department_id)


def publications_filtered(
    rows: QuerySet[ResultPublication], *, state: str, today: datetime.date
) -> QuerySet[ResultPublication]:
    if state == "pending":
        return rows.filter(status=ResultPublication.Status.PENDING).order_by("due_on", "pk")
    if state == "published":
        return rows.filter(status=ResultPublication.Status.PUBLISHED).order_by("-published_at", "pk")
    if state == "late":
        return rows.filter(late_q(today)).order_by("due_on", "pk")
    return rows.order_by("-due_on", "pk")


def publication_counts(rows: QuerySet[ResultPublication], *, today: datetime.date) -> dict[str, int]:
    return rows.aggregate(
        pending=Count("pk", filter=Q(status=ResultPublication.Status.PENDING)),
        published=Count("pk", filter=Q(status=ResultPublication.Status.PUBLISHED)),
        late=Count("pk", filter=late_q(today)),
        overdue=Count("pk", filter=Q(status=ResultPublication.Status.PENDING, due_on__lt=today)),
    )


def late_by_department(*, today: datetime.date) -> list[dict[str, Any]]:
    """For the office: per department, publications overdue now and published late."""
    return list(
        ResultPublication.objects.filter(late_q(today))
        .values("department__short_name", "department_id")
        .annotate(
            overdue=Count("pk", filter=Q(status=ResultPublication.Status.PENDING)),
            published_late=Count("pk", filter=Q(status=ResultPublication.Status.PUBLISHED)),
        )
        .order_by("department__short_name")
    )


@dataclass(frozen=True)
class CalendarCoverage:
    years: tuple[int, ...]

    @property
    def warning(self) -> str:
        if not self.years:
            return ""
        listed = "、".join(str(year) for year in self.years)
        return (
            f"{listed}年的法定节假日安排尚未录入，涉及这些年份的公开期限按周末计算，仅供参考。"
            "请联席会议办公室在节假日安排中录入。"
        )


def calendar_coverage(publications: list[ResultPublication], *, today: datetime.date) -> CalendarCoverage:
    """The years the working-day calendar does not know, among this year, next year when
    deadlines reach into it, and the years the listed deadlines cross."""
    calendar = WorkingCalendar.load()
    years = {today.year}
    for publication in publications:
        years.update(range(publication.closed_on.year, publication.due_on.year + 1))
    return CalendarCoverage(tuple(sorted(year for year in years if not calendar.is_covered(year))))


def objections_for(user: User) -> QuerySet[Objection]:
    rows = Objection.objects.select_related("published_result", "department", "decided_by")
    if user_has_role(user, Role.OFFICE):
        return rows
    return rows.filter(department_id=user.department_id)


# ---- the public side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    department: int | None = None
    year: int | None = None
    outcome: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.department or self.year or self.outcome)


def public_results() -> QuerySet[PublishedResult]:
    return PublishedResult.objects.select_related("department").defer("search_key")


# The business page and the search are the portal's busiest reads (issue 7's benchmark):
# their statements are written out. Building them with the ORM cost more than running
# them, and the search needs plans the planner would not choose by itself (search_rows).
# The columns are the public fields the pages show, with the department's short name.
_COLUMNS = """r.id, r.year, r.credit_code, r.target_name, r.target_kind, r.operator_masked, r.town_name,
       r.task_code, r.task_title, r.matter_code, r.matter_name, r.result_label, r.outcome,
       r.inspected_on, r.published_at, r.corrected_label, r.correction_note, r.corrected_at,
       r.department_id, d.short_name AS department_short_name"""
_FROM = "disclosure_publishedresult r JOIN registry_department d ON d.id = r.department_id"


def _like(text: str) -> str:
    """A LIKE pattern (ESCAPE '\\') matching `text` anywhere."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class _Where:
    sql: str
    params: tuple[Any, ...]
    by_code: bool  # a whole credit code: the business index finds it at once
    needle: str = ""  # the part of the search key the LIKE looks for ("" without text)


def _search_where(query: SearchQuery, *, indexed: bool) -> _Where:
    """The search's conditions on the columns of disclosure_publishedresult (unqualified).
    A name of three characters or more is a LIKE the trigram index serves; a name of two
    has no trigram: `indexed` looks it up in the bigram index of migration 0005 instead
    (PostgreSQL; the name part only), while a scan tests the LIKE, far cheaper per row."""
    conditions: list[str] = []
    params: list[Any] = []
    by_code, needle = False, ""
    text = query.text.strip()
    if text:
        code = credit_code.normalise(text)
        folded = search_fold(text)
        if len(code) == 18 and _CODE_LIKE.match(code):
            conditions.append("credit_code = %s")
            params.append(code)
            by_code = True
        elif _CODE_LIKE.match(code) and any(char.isdigit() for char in code):
            needle = f"|{search_fold(code)}"
            conditions.append("search_key LIKE %s ESCAPE '\\'")
            params.append(_like(needle))
        elif indexed and len(folded) == 2 and connection.vendor == "postgresql":
            conditions.append("disclosure_name_bigrams(search_key::text) @> ARRAY[%s]::text[]")
            params.append(folded)
        else:
            needle = folded
            conditions.append("search_key LIKE %s ESCAPE '\\'")
            params.append(_like(folded))
    for column, value in (
        ("department_id", query.department),
        ("year", query.year),
        ("outcome", query.outcome),
    ):
        if value:
            conditions.append(f"{column} = %s")
            params.append(value)
    return _Where(" AND ".join(conditions) or "1 = 1", tuple(params), by_code, needle)


# A dense search is answered from this many of the newest published results, which each
# process keeps in memory (recent_results): a first page (21 rows) needs a share of about
# 0.2 % of them to match. Deeper pages look among more of the newest, in the database.
RECENT_WINDOW = 10000
# A name part with a bigram in less than this share of the published results matches too
# few of the newest for a page (a name part matches at most as many as its rarest bigram):
# it is looked up through the indexes at once. Somewhat under the 0.2 % a page needs, for
# the statistics' sampling error (on the portal benchmark, 0.1 % and 0.2 % were slower).
SPARSE_SHARE = 0.0015
# Up to this many matches, a sparse search sorts their keys for its page (more: the ordered scan).
SPARSE_KEYS = 2000

_WINDOW_SQL = """
SELECT {columns} FROM (
  SELECT id, published_at FROM (
    SELECT id, published_at, credit_code, search_key, department_id, year, outcome
    FROM disclosure_publishedresult ORDER BY published_at DESC, id DESC LIMIT %s
  ) AS recent
  WHERE {where} ORDER BY published_at DESC, id DESC LIMIT %s OFFSET %s
) AS hit
JOIN disclosure_publishedresult r ON r.id = hit.id JOIN registry_department d ON d.id = r.department_id
ORDER BY r.published_at DESC, r.id DESC
"""
_GENERATION_SQL = "SELECT value FROM disclosure_searchgeneration WHERE id = 1"
_RECENT_SQL = """
SELECT {columns}, r.search_key, (SELECT value FROM disclosure_searchgeneration WHERE id = 1) AS generation
FROM {tables} ORDER BY r.published_at DESC, r.id DESC LIMIT %s
"""
# The matches' keys, at most SPARSE_KEYS + 1, read once through the name indexes; the page
# is the newest of them, read by primary key; `matches` says how many keys there were (a
# row of nulls carries it when the page is empty).
_SPARSE_SQL = """
WITH k AS MATERIALIZED (SELECT id, published_at FROM disclosure_publishedresult WHERE {where} LIMIT %s)
SELECT {columns}, n.matches FROM (SELECT count(*) AS matches FROM k) AS n
LEFT JOIN (SELECT id FROM k ORDER BY published_at DESC, id DESC LIMIT %s OFFSET %s) AS p ON true
LEFT JOIN disclosure_publishedresult r ON r.id = p.id LEFT JOIN registry_department d ON d.id = r.department_id
ORDER BY r.published_at DESC, r.id DESC
"""
_ORDERED_SQL = """
SELECT {columns} FROM {tables} WHERE r.id IN (
  SELECT id FROM disclosure_publishedresult WHERE {where} ORDER BY published_at DESC, id DESC LIMIT %s OFFSET %s
) ORDER BY r.published_at DESC, r.id DESC
"""
_BUSINESS_SQL = """
SELECT {columns}, EXISTS (SELECT 1 FROM disclosure_objection o WHERE o.published_result_id = r.id) AS has_objections
FROM {tables} WHERE r.credit_code = %s ORDER BY r.published_at DESC, r.matter_code, r.id
"""


def _sql(template: str, *, where: str = "") -> str:
    """A statement from fixed fragments: `where` is built by _search_where from fixed
    conditions, every value is a parameter."""
    return template.format(columns=_COLUMNS, tables=_FROM, where=where)


class PublicRow(SimpleNamespace):
    """A published result as the business page and the search read it: the columns of
    `_COLUMNS` (and any the statement adds) as attributes, `pk` the id. Plain rows: making
    a model instance of each row cost about a tenth of the business page's time."""

    @property
    def pk(self) -> int:
        return self.id


# What the public pages' row helpers take: a plain row, or a model instance elsewhere.
PublicResult = PublishedResult | PublicRow


def _raw(label: str, sql: str, params: tuple[Any, ...]) -> list[PublicRow]:
    names, rows = _fetch(label, sql, params)
    return [PublicRow(**dict(zip(names, row, strict=True))) for row in rows]


def _fetch(label: str, sql: str, params: tuple[Any, ...]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The statement's columns and rows (prepared on PostgreSQL: luozhuang_dsj.lib.prepared)."""
    names, rows = prepared.fetch(label, sql, params)
    if connection.vendor != "postgresql":  # SQLite gives stored times as naive UTC
        rows = [tuple(_aware(value) for value in row) for row in rows]
    return names, rows


def _aware(value: Any) -> Any:
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)
    return value


class RecentResults:
    """The newest published results (their public columns and search keys), newest first,
    as of one search generation (SearchGeneration). A dense search finds its page here:
    the keys are joined into one string, which str.find searches far faster than the
    database tests a LIKE on each of the window's rows (a tenth of the time, and no plan).
    Rows are only ever added to the table (a correction updates one), and every write
    changes the generation, so a search that has read the current generation and finds
    a whole page here has the page the database would give (see recent_results)."""

    def __init__(self, generation: int, size: int, names: list[str], rows: list[tuple[Any, ...]]) -> None:
        self.generation, self.size, self.names = generation, size, names[:-2]
        self.rows = [row[:-2] for row in rows]
        self.complete = len(rows) < size  # the whole table: a miss here is a miss
        # A row's markup as pages showed it, by page and row (public_results keeps it): the
        # rows do not change while this generation lasts.
        self.markup: dict[tuple[Any, ...], str] = {}
        key, department, year, outcome = (
            names.index(name) for name in ("search_key", "department_id", "year", "outcome")
        )
        self.filters = [(row[department], row[year], row[outcome]) for row in rows]
        # Search keys hold no whitespace (search_fold), nor does a needle: "\n" ends each.
        self.text = "".join(f"{row[key]}\n" for row in rows)
        self.starts = [0, *itertools.accumulate(len(row[key]) + 1 for row in rows)]

    def page(self, needle: str, query: SearchQuery, offset: int, count: int) -> list[PublicRow] | None:
        """Rows offset to offset + count of the matches, or None when this window holds
        fewer matches than that and older results may hold the rest."""
        wanted = offset + count
        conditions = [
            (position, value)
            for position, value in enumerate((query.department, query.year, query.outcome or None))
            if value is not None
        ]
        filters = self.filters

        def passes(index: int) -> bool:
            return all(filters[index][position] == value for position, value in conditions)

        hits: list[int] = []
        if needle:
            starts, find = self.starts, self.text.find
            at = find(needle)
            while at >= 0:
                index = bisect.bisect_right(starts, at) - 1
                if not conditions or passes(index):
                    hits.append(index)
                    if len(hits) == wanted:
                        break
                at = find(needle, starts[index + 1])
        else:
            hits = list(itertools.islice(filter(passes, range(len(self.rows))), wanted))
        if len(hits) < wanted and not self.complete:
            return None
        names, markup = self.names, self.markup
        return [
            PublicRow(**dict(zip(names, self.rows[index], strict=True)), markup=markup)
            for index in hits[offset:]
        ]


_recent: RecentResults | None = None


def recent_results() -> RecentResults | None:
    """The newest RECENT_WINDOW published results as of the current search generation:
    one small query when this process already holds them, else one query that reads them
    with their generation (a single statement: the rows and the number agree). None when
    no generation is recorded yet (nothing written since the table was emptied)."""
    global _recent  # one per process, replaced whole (a reader keeps the one it took)
    _, found = prepared.fetch("search_generation", _GENERATION_SQL, ())
    if not found:
        return None
    held = _recent
    if held is not None and held.generation == found[0][0] and held.size == RECENT_WINDOW:
        return held
    names, rows = _fetch("search_recent", _sql(_RECENT_SQL), (RECENT_WINDOW,))
    if not rows:
        return None
    _recent = held = RecentResults(rows[0][-1], RECENT_WINDOW, names, rows)
    return held


class _BigramShares:
    """How common each bigram of the published names is, as PostgreSQL's statistics of the
    bigram index (migration 0005) record it: its most common elements with the share of
    rows holding each, and a share no other element reaches. Read at most every ten
    minutes per process (the statistics change when the table is analysed); stale or
    missing figures only make a search take the longer way, never change its result."""

    REFRESH_SECONDS = 600

    def __init__(self) -> None:
        self.shares: dict[str, float] = {}
        self.floor: float | None = None  # None: no statistics (SQLite, or never analysed)
        self.read_at = float("-inf")

    def share_bound(self, bigram: str) -> float | None:
        """At least the share of published results whose name holds `bigram`, or None."""
        if time.monotonic() - self.read_at > self.REFRESH_SECONDS:
            self.read()
        if self.floor is None:
            return None
        return self.shares.get(bigram, self.floor)

    def read(self) -> None:
        self.read_at = time.monotonic()
        self.shares, self.floor = {}, None
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
                " WHERE tablename = 'disclosure_public_result_search_bigram'"
            )
            row = cursor.fetchone()
        if row and row[0] and row[1]:
            elements, shares = row
            # After one share per element come the smallest and largest and the share of
            # rows with no array (PostgreSQL's layout of most_common_elem_freqs).
            self.shares = dict(zip(elements, shares[: len(elements)], strict=True))
            self.floor = shares[len(elements)]

    def forget(self) -> None:
        self.read_at = float("-inf")


_bigram_shares = _BigramShares()


def _known_sparse(text: str) -> bool:
    """Whether the statistics show that a name search for `text` matches too few results
    for the window of the newest: some bigram of it is in under SPARSE_SHARE of them."""
    code = credit_code.normalise(text.strip())
    if not text.strip() or _CODE_LIKE.match(code):
        return False  # a code, or no text: not a name search
    folded = search_fold(text.strip())
    for bigram in {folded[i : i + 2] for i in range(len(folded) - 1)}:
        bound = _bigram_shares.share_bound(bigram)
        if bound is None:
            return False
        if bound < SPARSE_SHARE:
            return True
    return False


def search_rows(query: SearchQuery, offset: int, count: int) -> list[PublicRow]:
    """Rows offset to offset + count of the published results matching `query`, newest
    first, each with `department_short_name`. PostgreSQL is not left to guess how many
    rows a substring matches (its guesses are poor, and a wrong one cost a hundred
    milliseconds either way):

    1. dense matches (most searches: "商贸", "有限") are found among the newest published
       results: for a first page, those this process holds (recent_results, after one
       small query for the search generation); for deeper pages, a larger window read
       from the index on the publication time (which holds the searched columns);
    2. otherwise the matches are few: one statement reads their keys through the name
       indexes and the page, the newest of them, by primary key. A name part with a
       bigram the statistics show to be rare (`_known_sparse`) goes here at once;
    3. a search with more than SPARSE_KEYS matches but too few of them among the newest
       (rare) takes the ordered scan.
    """
    where = _search_where(query, indexed=False)
    if not where.by_code and not _known_sparse(query.text):
        held = recent_results()
        page = held.page(where.needle, query, offset, count) if held else None
        if page is not None:
            return page
        window = 100 * (offset + count)
        if window > RECENT_WINDOW:
            recent = _raw(
                "search_window", _sql(_WINDOW_SQL, where=where.sql), (window, *where.params, count, offset)
            )
            if len(recent) == count:
                return recent
    indexed = _search_where(query, indexed=True)
    names, rows = _fetch(
        "search_sparse",
        _sql(_SPARSE_SQL, where=indexed.sql),
        (*indexed.params, SPARSE_KEYS + 1, count, offset),
    )
    if rows[0][-1] > SPARSE_KEYS:
        return _raw("search_ordered", _sql(_ORDERED_SQL, where=where.sql), (*where.params, count, offset))
    names = names[:-1]
    return [PublicRow(**dict(zip(names, row[:-1], strict=True))) for row in rows if row[0] is not None]


def public_objections(rows: Sequence[PublicResult]) -> dict[int, list[Objection]]:
    """Per published result, its objections as the public sees them (no contact details)."""
    found: dict[int, list[Objection]] = {}
    objections = (
        Objection.objects.filter(published_result__in=[row.pk for row in rows])
        .only("pk", "reference", "published_result_id", "status", "decision_reason", "decided_at", "filed_at")
        .order_by("filed_at", "pk")
    )
    for objection in objections:
        found.setdefault(objection.published_result_id, []).append(objection)
    return found


def business_results(code: str) -> list[PublicRow]:
    """A business's results, newest first, each with `department_short_name` and marked
    whether it has objections (most have none: their objections are then not looked up)."""
    return _raw("public_business", _sql(_BUSINESS_SQL), (code,))


def task_results(task_id: int) -> QuerySet[PublishedResult]:
    return public_results().filter(task_id=task_id).order_by("target_name", "credit_code", "matter_code")


def latest_publications(limit: int = 10) -> list[PublishedResult]:
    return list(public_results().order_by("-published_at")[:limit])


def objections_prefetch() -> Prefetch:
    return Prefetch(
        "objections",
        queryset=Objection.objects.only(
            "pk", "reference", "published_result_id", "status", "decision_reason", "decided_at", "filed_at"
        ),
    )
