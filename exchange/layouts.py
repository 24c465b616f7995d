"""The Excel layouts the provincial platform imports (docs/EXCHANGE.md, "Excel layouts"):
one sheet per kind, Chinese headers, one row per plan item / draw / matter result, made
from the latest queued version of each object, so the workbook and the JSON messages say
the same thing. Registered as exports (a job with a progress bar and a download)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db.models import Max

from exchange.models import ExchangeItem
from luozhuang_dsj.exports import Exporter, register_export
from luozhuang_dsj.lib.access import user_has_role
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User

Getter = Callable[[dict[str, Any]], Any]


def _join(values: Sequence[Any] | None) -> str:
    return "、".join(str(value) for value in values or ())


def _publication(field: str) -> Getter:
    return lambda row: (row["publication"] or {}).get(field) or ""


def _correction(field: str) -> Getter:
    return lambda row: (row["correction"] or {}).get(field) or ""


# Plan rows are one per item: the getter sees {"plan": payload, "item": item}.
PLAN_COLUMNS: list[tuple[str, Getter]] = [
    ("计划年度", lambda row: row["plan"]["year"]),
    ("制定单位代码", lambda row: row["plan"]["department"]["code"]),
    ("制定单位", lambda row: row["plan"]["department"]["name"]),
    ("计划类型", lambda row: row["plan"]["scope_label"]),
    ("计划名称", lambda row: row["plan"]["title"]),
    ("修订号", lambda row: row["plan"]["revision"]),
    ("调整理由", lambda row: row["plan"]["revision_reason"]),
    ("备案（审议）时间", lambda row: row["plan"]["filed_at"]),
    ("公开时间", lambda row: row["plan"]["published_at"] or ""),
    ("序号", lambda row: row["item"]["position"]),
    ("任务名称", lambda row: row["item"]["title"]),
    ("发起部门", lambda row: row["item"]["initiator"]),
    ("配合部门", lambda row: _join(row["item"]["participants"])),
    ("抽查事项", lambda row: "；".join(row["item"]["matters"])),
    ("对象范围", lambda row: row["item"]["scope"]),
    ("比例及频次", lambda row: row["item"]["ratio_frequency"]),
    ("信用风险分类要求", lambda row: row["item"]["risk_requirement"]),
    ("抽查形式", lambda row: row["item"]["form"]),
    ("检查方式", lambda row: _join(row["item"]["methods"])),
    ("起止时间", lambda row: row["item"]["window"]),
    ("每批户数", lambda row: row["item"]["batch_size"]),
    ("备注", lambda row: row["item"]["note"]),
]

DRAW_COLUMNS: list[tuple[str, Getter]] = [
    ("任务编号", lambda row: row["task"]["code"]),
    ("任务名称", lambda row: row["task"]["title"]),
    ("年度", lambda row: row["task"]["year"]),
    ("发起部门代码", lambda row: row["task"]["initiator"]["code"]),
    ("发起部门", lambda row: row["task"]["initiator"]["name"]),
    ("抽取状态", lambda row: row["status_label"]),
    ("承诺值", lambda row: row["draw_key"]),
    ("承诺时间", lambda row: row["committed_at"]),
    ("计划抽取时间", lambda row: row["scheduled_for"]),
    ("抽取范围摘要", lambda row: row["record"]["frame_digest"]),
    ("人员库摘要", lambda row: row["record"]["pool_digest"]),
    (
        "分层及样本量",
        lambda row: "；".join(
            f"{s['name']}：{s['size']}户抽{s['sample_size']}户" for s in row["record"]["strata"]
        ),
    ),
    ("抽取时间", lambda row: row["executed_at"] or ""),
    ("见证输入", lambda row: row["record"].get("witness_input") or ""),
    ("服务器密钥", lambda row: row["record"].get("server_secret") or ""),
    ("种子", lambda row: row["record"].get("seed") or ""),
    ("抽中对象", lambda row: _join(entry["target"] for entry in row["record"].get("selected") or ())),
    ("人员调整次数", lambda row: len(row["record"].get("adjustments") or ())),
    ("取消时间", lambda row: row["cancelled_at"] or ""),
    ("取消理由", lambda row: row["cancel_reason"]),
]

RESULT_COLUMNS: list[tuple[str, Getter]] = [
    ("任务编号", lambda row: row["task"]["code"]),
    ("任务名称", lambda row: row["task"]["title"]),
    ("检查部门代码", lambda row: row["department"]["code"]),
    ("检查部门", lambda row: row["department"]["name"]),
    ("统一社会信用代码", lambda row: row["target"]["code"]),
    ("检查对象名称", lambda row: row["target"]["name"]),
    ("对象类型", lambda row: row["target"]["kind"]),
    ("所属镇街", lambda row: row["target"]["town"]),
    ("行业代码", lambda row: row["target"]["industry_code"]),
    ("事项编号", lambda row: row["matter"]["code"]),
    ("抽查事项", lambda row: row["matter"]["name"]),
    ("省级事项标识", lambda row: row["matter"]["catalog_key"]),
    ("检查日期", lambda row: row["inspected_on"] or ""),
    ("结果代码", lambda row: _join(code["code"] for code in row["codes"])),
    ("检查结果", lambda row: _join(code["name"] for code in row["codes"])),
    (
        "国家规范代码",
        lambda row: _join(code["official_code"] for code in row["codes"] if code["official_code"]),
    ),
    ("发现问题程度", lambda row: row["finding_level_label"]),
    ("改正期限", lambda row: row["correction_deadline"] or ""),
    ("结果版本", lambda row: row["revision"]),
    ("审核时间", lambda row: row["approved_at"] or ""),
    (
        "公开状态",
        lambda row: {"published": "已公开", "pending": "待公开"}.get(_publication("status")(row), ""),
    ),
    ("公开期限", _publication("due_on")),
    ("公开时间", _publication("published_at")),
    ("更正后结果", _correction("label")),
    ("更正说明", _correction("note")),
    ("更正时间", _correction("corrected_at")),
]


def latest_payloads(kind: str, *, year: int | None = None) -> Iterator[dict[str, Any]]:
    """The newest queued version of each object of a kind, in key order."""
    newest = (
        ExchangeItem.objects.filter(kind=kind)
        .values("key")
        .annotate(newest=Max("pk"))
        .values_list("newest", flat=True)
    )
    items = ExchangeItem.objects.filter(pk__in=newest).order_by("key")
    for payload in items.values_list("payload", flat=True).iterator(chunk_size=500):
        if year is None or _year_of(kind, payload) == year:
            yield payload


def _year_of(kind: str, payload: dict[str, Any]) -> int | None:
    if kind == ExchangeItem.Kind.PLAN:
        return payload["year"]
    if kind == ExchangeItem.Kind.DRAW:
        return payload["task"]["year"]
    return int(payload["inspected_on"][:4]) if payload.get("inspected_on") else None


def _year(params: dict[str, Any]) -> int | None:
    value = str(params.get("year") or "").strip()
    return int(value) if value.isdigit() else None


def plan_rows(params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    for plan in latest_payloads(ExchangeItem.Kind.PLAN, year=_year(params)):
        for item in plan["items"]:
            yield tuple(getter({"plan": plan, "item": item}) for _, getter in PLAN_COLUMNS)


def simple_rows(
    kind: str, columns: list[tuple[str, Getter]], params: dict[str, Any]
) -> Iterator[tuple[Any, ...]]:
    for payload in latest_payloads(kind, year=_year(params)):
        yield tuple(getter(payload) for _, getter in columns)


def _office(user: User, params: dict[str, Any]) -> bool:
    return user_has_role(user, Role.OFFICE)


LAYOUTS = {
    ExchangeItem.Kind.PLAN: ("exchange.plans", "省工作平台_年度抽查计划", PLAN_COLUMNS),
    ExchangeItem.Kind.DRAW: ("exchange.draws", "省工作平台_随机抽取", DRAW_COLUMNS),
    ExchangeItem.Kind.RESULT: ("exchange.results", "省工作平台_检查结果", RESULT_COLUMNS),
}


def _rows_for(kind: str) -> Callable[[User | None, dict[str, Any]], tuple[None, Iterator[tuple[Any, ...]]]]:
    if kind == ExchangeItem.Kind.PLAN:
        return lambda user, params: (None, plan_rows(params))
    columns = LAYOUTS[kind][2]
    return lambda user, params: (None, simple_rows(kind, columns, params))


for _kind, (_key, _title, _columns) in LAYOUTS.items():
    register_export(
        Exporter(
            key=_key,
            title=_title,
            headers=[header for header, _ in _columns],
            rows=_rows_for(_kind),
            may_use=_office,
        )
    )
