"""URL samples for the access matrix: the office's dashboard belongs to no department."""

from __future__ import annotations

from tests.access.samples import UrlSample, url_sample


@url_sample("dashboard-rows")
def _dashboard_rows(ctx):  # type: ignore[no-untyped-def]
    return UrlSample(own={"figure": "joint"})


@url_sample("dashboard-export")
def _dashboard_export(ctx):  # type: ignore[no-untyped-def]
    return UrlSample(own={"figure": "burden"})
