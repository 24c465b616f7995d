"""Pagination that stays fast on tables of millions of rows: the count stops at a cap."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most `COUNT_CAP` + 1 rows (a bounded subquery), never the whole table.

    Pages beyond the cap are not offered: the page says "超过 10000 条，请缩小范围".
    """

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        head = self.object_list[: self.cap + 1]
        return len(head) if isinstance(head, list | tuple) else head.count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def shown_count(self) -> str:
        return f"超过 {self.cap}" if self.is_capped else str(self.count)
