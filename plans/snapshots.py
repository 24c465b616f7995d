"""Public snapshots of matter lists and plans: exactly the fields the public may see.

A published matter list version and a filed plan revision store these dicts; the public
pages, the exports and the "what changed" views read them and nothing else. No user,
inspector or personal data goes in.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from plans.models import AnnualPlan, Matter, PlanItem

SNAPSHOT_FORMAT = 1


def chinese_date(day: datetime.date) -> str:
    """2026-04-01 → "2026年4月1日", as official documents write dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def percent(value: Decimal | None) -> str:
    """5.00 → "5%", 2.50 → "2.5%"."""
    if value is None:
        return ""
    return f"{format(value.normalize(), 'f')}%"


# ---- matter lists ------------------------------------------------------------------------------

MATTER_LABELS = [
    ("check_type", "抽查类别"),
    ("name", "抽查事项"),
    ("target_scope", "检查对象"),
    ("category", "事项类别"),
    ("methods", "检查方式"),
    ("inspecting_body", "检查主体"),
    ("legal_basis", "检查依据"),
    ("ratio_cap", "抽查比例上限"),
    ("default_ratio", "默认抽查比例"),
    ("frequency", "抽查频次"),
    ("expertise", "所需业务专长"),
    ("source", "事项来源"),
    ("note", "备注"),
]


def matter_record(matter: Matter) -> dict[str, Any]:
    return {
        "code": matter.code,
        "check_type": matter.check_type,
        "name": matter.name,
        "target_scope": matter.target_scope,
        "category": matter.category,
        "methods": list(matter.methods),
        "inspecting_body": matter.inspecting_body,
        "legal_basis": matter.legal_basis,
        "ratio_cap": percent(matter.ratio_cap) if matter.ratio_cap is not None else "不设上限",
        "default_ratio": percent(matter.default_ratio),
        "frequency": matter.frequency,
        "expertise": sorted(tag.name for tag in matter.expertise.all()),
        "source": matter.source,
        "catalog_key": matter.catalog_item.key if matter.catalog_item_id else "",
        "note": matter.note,
    }


def matter_ratio_frequency(record: dict[str, Any]) -> str:
    """The provincial list's combined column, e.g. "不高于5%（默认3%），每年1次"."""
    cap = record["ratio_cap"]
    ratio = cap if cap == "不设上限" else f"不高于{cap}"
    text = f"{ratio}（默认{record['default_ratio']}）"
    return f"{text}，{record['frequency']}" if record.get("frequency") else text


def matter_list_records(matters: Any) -> list[dict[str, Any]]:
    return [matter_record(matter) for matter in matters]


# ---- plans ---------------------------------------------------------------------------------------

PLAN_ITEM_LABELS = [
    ("title", "任务名称"),
    ("initiator", "发起部门"),
    ("participants", "配合部门"),
    ("matters", "抽查事项"),
    ("scope", "对象范围"),
    ("ratio_frequency", "比例及频次"),
    ("risk_requirement", "信用风险分类要求"),
    ("form", "抽查形式"),
    ("methods", "检查方式"),
    ("window", "起止时间"),
    ("batch_size", "每批户数"),
    ("note", "备注"),
]
PLAN_HEADER_LABELS = [
    ("title", "计划名称"),
    ("description", "工作要求"),
    ("meeting", "审议会议"),
    ("meeting_date", "审议日期"),
]


def sampling_text(item: PlanItem) -> str:
    if item.sampling == PlanItem.Sampling.COUNT:
        return f"抽取{item.target_count}户"
    if item.sampling == PlanItem.Sampling.RISK_RATIO:
        return "按信用风险分类确定比例"
    return f"抽查比例{percent(item.ratio)}"


def risk_requirement_text(item: PlanItem) -> str:
    if item.sampling != PlanItem.Sampling.RISK_RATIO:
        return "不区分信用风险分类"
    return "、".join(f"{risk}类{percent(ratio)}" for risk, ratio in item.risk_ratios.items())


def scope_text(item: PlanItem) -> str:
    registries = "、".join(
        f"{sub.department.short_name}·{sub.name}"
        for sub in item.sub_registries.select_related("department").order_by("department__code", "name")
    )
    towns = "、".join(town.name for town in item.towns.order_by("code")) or "全区"
    parts = [f"名录库：{registries}", f"镇街：{towns}"]
    if item.target_kinds:
        parts.append(f"对象类型：{item.target_kinds_display}")
    if item.industry_prefixes:
        parts.append(f"行业代码：{'、'.join(item.industry_prefixes)}开头")
    parts.append("登记状态：存续")
    return "；".join(parts)


def plan_item_record(item: PlanItem) -> dict[str, Any]:
    roles = list(item.departments.select_related("department").prefetch_related("matters").order_by("order"))
    matters = []
    for role in roles:
        names = "、".join(matter.name for matter in sorted(role.matters.all(), key=lambda m: m.code))
        matters.append(f"{role.department.short_name}：{names}")
    frequency = f"，{item.frequency}" if item.frequency else ""
    return {
        "id": item.pk,
        "position": item.position,
        "title": item.title,
        "initiator": item.initiator.short_name,
        "participants": [role.department.short_name for role in roles if not role.is_initiator],
        "matters": matters,
        "scope": scope_text(item),
        "ratio_frequency": f"{sampling_text(item)}{frequency}",
        "risk_requirement": risk_requirement_text(item),
        "form": item.form,
        "methods": list(item.methods),
        "window": f"{chinese_date(item.start_date)}至{chinese_date(item.end_date)}",
        "batch_size": f"每批{item.batch_size}户" if item.batch_size else "不分批",
        "note": item.note,
    }


def plan_snapshot(plan: AnnualPlan) -> dict[str, Any]:
    items = plan.items.select_related("initiator").order_by("position")
    return {
        "format": SNAPSHOT_FORMAT,
        "scope": plan.scope,
        "scope_label": plan.get_scope_display(),
        "year": plan.year,
        "department": plan.department.name,
        "title": plan.title,
        "description": plan.description,
        "meeting": plan.meeting if plan.is_joint else "",
        "meeting_date": chinese_date(plan.meeting_date) if plan.is_joint and plan.meeting_date else "",
        "items": [plan_item_record(item) for item in items],
    }
