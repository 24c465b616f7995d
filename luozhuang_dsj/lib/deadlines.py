"""Deadlines (期限): the one place where "N days after a date" is counted.

Periods are counted in working days on the official calendar (法定节假日 and 调休 make-up
days: notices.workdays, chinese-calendar plus the office's table), as the rules they come
from count them (投诉举报处理 15 个工作日, publication within 20 个工作日, …). Every deadline
in the platform is computed here, never with a bare `timedelta`.
"""

from __future__ import annotations

import datetime


def deadline_after(start: datetime.date, days: int) -> datetime.date:
    """The last day of a period of `days` working days that begins the day after `start`."""
    from notices.workdays import add_working_days

    if days < 0:
        raise ValueError("days must not be negative")
    return add_working_days(start, days)


def is_overdue(deadline: datetime.date | None, *, today: datetime.date) -> bool:
    """Past its last day: a deadline is met on the day itself."""
    return deadline is not None and today > deadline
