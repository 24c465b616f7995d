"""The exchange format's messages (docs/EXCHANGE.md): one payload per object version.

Each builder reads one object and returns a JSON-native dict; `digest` hashes its
canonical form. Payloads carry only what the provincial platform needs to record plans,
draws and results (互联共享): no phone or ID number, no personal name, no free text that
may name a person (findings, correction orders, adjustment reasons); draws go as their
public record (inspector identities are not sent, see docs/EXCHANGE.md).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from disclosure.models import PublishedResult, ResultPublication
from inspections.draw.timestamps import record_time
from inspections.models import Draw, MatterResult
from inspections.selectors import draw_public_record
from plans.models import AnnualPlan, PlanRevision

FORMAT = "lz-dsj-exchange/1"
PLAN_SCHEMA = "plan/1"
DRAW_SCHEMA = "draw/1"
RESULT_SCHEMA = "result/1"

PLAN_ITEM_FIELDS = (
    "position",
    "title",
    "initiator",
    "participants",
    "matters",
    "scope",
    "ratio_frequency",
    "risk_requirement",
    "form",
    "methods",
    "window",
    "batch_size",
    "note",
)


def canonical(payload: dict[str, Any]) -> bytes:
    """Keys sorted, no spaces, UTF-8: the bytes the digest is taken of (the receiver may
    recompute it from the payload it got, whatever order its parser keeps)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


def _time(moment: datetime.datetime | None) -> str | None:
    return record_time(moment) if moment is not None else None


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day is not None else None


# ---- plans --------------------------------------------------------------------------------------


def plan_key(plan: AnnualPlan) -> str:
    return f"{plan.year}-{plan.department.code}-{plan.scope}"


def plan_payload(revision: PlanRevision) -> dict[str, Any]:
    """A filed (department) or approved (joint) plan revision, as frozen: the public snapshot."""
    plan = revision.plan
    snapshot = revision.snapshot
    return {
        "schema": PLAN_SCHEMA,
        "plan_key": plan_key(plan),
        "year": plan.year,
        "scope": plan.scope,
        "scope_label": plan.get_scope_display(),
        "department": {"code": plan.department.code, "name": plan.department.name},
        "revision": revision.number,
        "revision_reason": revision.reason,
        "filed_at": _time(revision.frozen_at),
        "published_at": _time(revision.published_at),
        "title": snapshot["title"],
        "description": snapshot["description"],
        "meeting": snapshot["meeting"],
        "meeting_date": snapshot["meeting_date"],
        "items": [{name: item[name] for name in PLAN_ITEM_FIELDS} for item in snapshot["items"]],
    }


def plan_version(payload: dict[str, Any]) -> str:
    return f"第{payload['revision']}版" + ("（已公开）" if payload["published_at"] else "（已备案）")


# ---- draws ----------------------------------------------------------------------------------------


def draw_payload(draw: Draw) -> dict[str, Any]:
    """A draw's state: committed (公示承诺), executed or cancelled, with its public record."""
    task = draw.task
    return {
        "schema": DRAW_SCHEMA,
        "draw_key": draw.commitment,
        "status": draw.status,
        "status_label": draw.get_status_display(),
        "task": {
            "code": task.code,
            "title": task.title,
            "year": task.year,
            "kind": task.kind,
            "initiator": {"code": task.initiator.code, "name": task.initiator.name},
        },
        "committed_at": _time(draw.committed_at),
        "scheduled_for": _time(draw.scheduled_for),
        "executed_at": _time(draw.executed_at),
        "cancelled_at": _time(draw.cancelled_at),
        "cancel_reason": draw.cancel_reason,
        "record": draw_public_record(draw),
    }


def draw_version(payload: dict[str, Any]) -> str:
    adjustments = len(payload["record"].get("adjustments") or ())
    return payload["status_label"] + (f"（调整{adjustments}次）" if adjustments else "")


# ---- results --------------------------------------------------------------------------------------


def result_key(result: MatterResult) -> str:
    return f"{result.inspection.task.code}/{result.target.code}/{result.matter.code}"


def result_payload(
    result: MatterResult,
    *,
    publication: ResultPublication | None,
    public_row: PublishedResult | None,
) -> dict[str, Any]:
    """An approved matter result (负责人已审核), with its publication state."""
    task = result.inspection.task
    target = result.target
    codes = sorted(result.codes.all(), key=lambda code: code.code)
    published = publication is not None and publication.status == ResultPublication.Status.PUBLISHED
    return {
        "schema": RESULT_SCHEMA,
        "result_key": result_key(result),
        "task": {"code": task.code, "title": task.title, "kind": task.kind},
        "department": {"code": result.department.code, "name": result.department.name},
        "target": {
            "code": target.code,
            "name": target.name,
            "kind": target.kind,
            "town": target.town.name if target.town_id else "",
            "industry_code": target.industry_code,
        },
        "matter": {
            "code": result.matter.code,
            "name": result.matter.name,
            "catalog_key": result.matter.catalog_item.key if result.matter.catalog_item_id else "",
        },
        "inspected_on": _day(result.inspected_on),
        "codes": [
            {
                "code": code.code,
                "name": code.name,
                "official_code": code.official_code,
                "outcome": code.outcome,
            }
            for code in codes
        ],
        "finding_level": result.finding_level,
        "finding_level_label": result.get_finding_level_display(),
        "correction_deadline": _day(result.correction_deadline),
        "revision": result.revision,
        "approved_at": _time(result.approved_at),
        "publication": None
        if publication is None
        else {
            "status": "published" if published else "pending",
            "due_on": _day(publication.due_on),
            "published_at": _time(publication.published_at) if published else None,
        },
        "correction": None
        if public_row is None or public_row.corrected_at is None
        else {
            "label": public_row.corrected_label,
            "note": public_row.correction_note,
            "corrected_at": _time(public_row.corrected_at),
        },
    }


def result_version(payload: dict[str, Any]) -> str:
    publication = payload["publication"]
    state = "已公开" if publication and publication["status"] == "published" else "已审核"
    return f"第{payload['revision']}版（{state}" + ("，已更正）" if payload["correction"] else "）")
