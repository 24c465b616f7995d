"""Record timestamps: ISO 8601, to the second, in China Standard Time (+08:00)."""

from __future__ import annotations

import datetime

from .verifier import ProtocolError

CHINA_STANDARD_TIME = datetime.timezone(datetime.timedelta(hours=8))


def record_time(moment: datetime.datetime) -> str:
    """E.g. "2027-03-02T10:00:00+08:00"; fractions of a second are dropped (floored)."""
    if not isinstance(moment, datetime.datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ProtocolError("时间必须带时区。")
    return moment.astimezone(CHINA_STANDARD_TIME).isoformat(timespec="seconds")
