"""Deadlines (期限): the one place where "N days after a date" is counted.

For now a plain count of calendar days. The official working-day calendar (法定节假日 and
调休 make-up days, through the chinese-calendar package) replaces the body of
`deadline_after` and `is_overdue` keeps working: every deadline in the platform is
computed here, never with a bare `timedelta`.
"""

from __future__ import annotations

import datetime


def deadline_after(start: datetime.date, days: int) -> datetime.date:
    """The last day of a period of `days` days that begins the day after `start`."""
    if days < 0:
        raise ValueError("days must not be negative")
    return start + datetime.timedelta(days=days)


def is_overdue(deadline: datetime.date | None, *, today: datetime.date) -> bool:
    """Past its last day: a deadline is met on the day itself."""
    return deadline is not None and today > deadline
