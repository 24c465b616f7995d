"""Exports of the dashboard's drill-downs: the same rows as the drill-down page, to .xlsx/.csv.

One exporter per figure (`office.dashboard.<figure>`), run as a background job by the shared
export framework (which neutralises formula text); the filters travel as the job's
parameters, so the file holds exactly the rows the page listed. Starting an export is
recorded in the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.exports import Exporter, export_start, register_export
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import Job, User
from office.dashboard import DRILLS, HEADERS, TITLES, Drill
from office.forms_dashboard import DashboardFilterForm

KEY_PREFIX = "office.dashboard."


def drill_for(figure: str, params: dict[str, Any]) -> Drill:
    """The drill-down of `figure` for GET-style parameters (filters already validated)."""
    form = DashboardFilterForm(params)
    if not form.is_valid():
        raise ValueError("invalid dashboard filters")
    return DRILLS[figure](form.filters(), str(params.get("key") or ""))


def _rows(figure: str) -> Any:
    def rows(user: User | None, params: dict[str, Any]) -> tuple[int | None, Iterator[tuple[Any, ...]]]:
        drill = drill_for(figure, params)
        return len(drill.rows), iter(drill.rows)

    return rows


def _may_export(user: User, params: dict[str, Any]) -> bool:
    return user.has_role(Role.OFFICE) and DashboardFilterForm(params).is_valid()


for _figure in DRILLS:
    register_export(
        Exporter(KEY_PREFIX + _figure, TITLES[_figure], HEADERS[_figure], _rows(_figure), _may_export)
    )


def dashboard_export_start(*, actor: User, figure: str, fmt: str, params: dict[str, Any]) -> Job:
    """Queue the export of one figure's rows and record it in the audit trail."""
    with transaction.atomic():
        job = export_start(actor=actor, key=KEY_PREFIX + figure, fmt=fmt, params=params)
        audit_record(
            action="office.export",
            actor=actor,
            role=Role.OFFICE,
            object_type="工作进度明细",
            object_key=TITLES[figure],
            after={"format": fmt, "filters": params, "job": job.pk},
        )
    return job
