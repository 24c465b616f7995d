"""Pagination that stays fast on tables of millions of rows.

`CappedPaginator` never counts a whole table. It first fetches the keys of at most
`cap` + 1 matching rows *without* ordering, which lets PostgreSQL take whatever index or
scan finds matches fastest and stop early:

- if there are at most `cap` matches, it now knows them all: it sorts the keys itself and
  fetches exactly the rows of the requested page by primary key (a selective filter never
  walks an ordered index looking for rare matches);
- if there are more, the matches are dense, and an ordered scan with LIMIT finds a page
  quickly; the page then shows the planner's estimate ("约 15000") instead of an exact
  count, and offers the pages up to the cap (narrow the search to see the rest).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet

COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    def _ordering(self) -> list[str] | None:
        """The queryset's ordering, when it can be reproduced in Python (all ascending or one
        descending field); None otherwise."""
        if not isinstance(self.object_list, QuerySet):
            return None
        fields = list(self.object_list.query.order_by or self.object_list.model._meta.ordering or [])
        if not fields or any(not isinstance(field, str) for field in fields):
            return None
        descending = [field.startswith("-") for field in fields]
        if any(descending) and len(fields) > 1:
            return None
        return fields

    @cached_property
    def _keys(self) -> list[Any] | None:
        """Primary keys of every match in order, or None when there are more than `cap`."""
        ordering = self._ordering()
        if ordering is None:
            return None
        names = [field.lstrip("-") for field in ordering]
        rows = list(self.object_list.order_by().values_list("pk", *names)[: self.cap + 1])
        if len(rows) > self.cap:
            self._over_cap = True  # the count is known to be above the cap: no second scan
            return None
        rows.sort(key=itemgetter(*range(1, len(names) + 1)), reverse=ordering[0].startswith("-"))
        return [row[0] for row in rows]

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        keys = self._keys
        if keys is not None:
            return len(keys)
        if getattr(self, "_over_cap", False):
            return self.cap + 1
        if isinstance(self.object_list, QuerySet):
            return self.object_list.order_by().values("pk")[: self.cap + 1].count()
        head = self.object_list[: self.cap + 1]
        return len(head)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = self._keys
        if keys is None:
            return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)
        wanted = keys[bottom : bottom + self.per_page]
        found = {obj.pk: obj for obj in self.object_list.filter(pk__in=wanted)}
        return self._get_page([found[pk] for pk in wanted if pk in found], number, self)

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def estimate(self) -> int | None:
        """PostgreSQL's own estimate of the matches (an EXPLAIN, no scan), when capped."""
        if (
            not self.is_capped
            or connection.vendor != "postgresql"
            or not isinstance(self.object_list, QuerySet)
        ):
            return None
        plan = json.loads(self.object_list.order_by().explain(format="json"))
        return int(plan[0]["Plan"]["Plan Rows"])

    @property
    def shown_count(self) -> str:
        if not self.is_capped:
            return str(self.count)
        estimate = self.estimate
        return f"约 {estimate}" if estimate and estimate > self.cap else f"超过 {self.cap}"


PEEK_PER_PAGE = 20


@dataclass(frozen=True)
class PeekPage:
    """One page of a list that is never counted: its rows, and whether a next page exists
    (one row more than the page shows was read). On a search over a large table the ordered
    LIMIT query is then all the work; counting the matches would be most of it."""

    rows: list[Any]
    number: int
    more: bool  # rows beyond this page exist
    max_pages: int = 1

    @property
    def has_next(self) -> bool:
        return self.more and self.number < self.max_pages

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def total(self) -> int | None:
        """The number of matches, when this page shows it has reached the last of them."""
        if self.more or (self.number > 1 and not self.rows):
            return None
        return (self.number - 1) * PEEK_PER_PAGE + len(self.rows)


def peek_page(fetch: Callable[[int, int], list[Any]], number: Any, *, max_pages: int) -> PeekPage:
    """Page `number` (1 when missing or not a number; at most `max_pages`), PEEK_PER_PAGE
    rows to a page; `fetch(offset, count)` reads `count` rows from `offset` of the list."""
    try:
        page = min(max(int(number), 1), max_pages)
    except (TypeError, ValueError):
        page = 1
    found = fetch((page - 1) * PEEK_PER_PAGE, PEEK_PER_PAGE + 1)
    return PeekPage(found[:PEEK_PER_PAGE], page, len(found) > PEEK_PER_PAGE, max_pages)
