"""URL samples for the access matrix (office app).

Assessment: a department's staff and head open their own department's metric rows;
another department's are not found (404). The office reads every department's
(`other_visible`).
"""

from luozhuang_dsj.lib.roles import Role
from tests.access.samples import UrlSample, url_sample


def _is_office(ctx):
    return ctx.user is not None and ctx.user.has_role(Role.OFFICE)


@url_sample("assessment-metric")
def _assessment_metric(ctx):
    return UrlSample(
        own={"code": ctx.own.code, "metric": "tasks"},
        other={"code": ctx.other.code, "metric": "tasks"},
        other_visible=_is_office(ctx),
    )


url_sample("assessment-metric-export")(_assessment_metric)
