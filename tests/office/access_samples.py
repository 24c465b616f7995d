"""URL samples for the access matrix (office app).

The office's dashboard belongs to no department. Assessment: a department's staff and
head open their own department's metric rows; another department's are not found (404).
The office reads every department's (`other_visible`).
"""

from __future__ import annotations

from luozhuang_dsj.lib.roles import Role
from tests.access.samples import UrlSample, url_sample


@url_sample("dashboard-rows")
def _dashboard_rows(ctx):  # type: ignore[no-untyped-def]
    return UrlSample(own={"figure": "joint"})


@url_sample("dashboard-export")
def _dashboard_export(ctx):  # type: ignore[no-untyped-def]
    return UrlSample(own={"figure": "burden"})


def _is_office(ctx):  # type: ignore[no-untyped-def]
    return ctx.user is not None and ctx.user.has_role(Role.OFFICE)


@url_sample("assessment-metric")
def _assessment_metric(ctx):  # type: ignore[no-untyped-def]
    return UrlSample(
        own={"code": ctx.own.code, "metric": "tasks"},
        other={"code": ctx.other.code, "metric": "tasks"},
        other_visible=_is_office(ctx),
    )


url_sample("assessment-metric-export")(_assessment_metric)
