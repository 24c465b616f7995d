"""The open datasets (开放数据): what each one holds, field by field, and its rows.

Each dataset reads only what is public: published results (`PublishedResult`, a table of
public fields copied at publication), the published revisions of annual plans and the
published versions of matter lists (the snapshots `plans.snapshots` writes, which hold no
user or personal data). A field is declared once here, with its Chinese name, type and
meaning: the downloads, their headers and the data dictionary all come from this list.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from disclosure.models import PublishedResult
from inspections.models import ResultCode
from plans.models import MatterListVersion, PlanRevision

CHUNK = 2000

# The types the data dictionary names, and how a value of each is written.
TEXT = "文本"
INTEGER = "整数"
DATE = "日期"
DATETIME = "日期时间"
BOOLEAN = "是否"
TEXT_LIST = "文本列表"

TYPE_NOTES = {
    TEXT: "字符串；无值时为空字符串。",
    INTEGER: "整数。",
    DATE: "YYYY-MM-DD；无值时 CSV/XLSX 为空，JSON 为 null。",
    DATETIME: "北京时间，CSV/XLSX 为 YYYY-MM-DD HH:MM:SS，JSON 为带时区的 ISO 8601；无值时为空或 null。",
    BOOLEAN: "CSV/XLSX 为“是”或“否”，JSON 为 true 或 false。",
    TEXT_LIST: "JSON 为字符串数组；CSV/XLSX 中各项以分隔符连接成一格。",
}


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str
    meaning: str
    joiner: str = "、"  # TEXT_LIST only: how the items are joined in a CSV/XLSX cell


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    description: str
    row_note: str
    fields: tuple[Field, ...]
    rows: Callable[[], Iterator[dict[str, Any]]] = field(repr=False)

    @property
    def headers(self) -> list[str]:
        return [f.label for f in self.fields]

    def table_rows(self) -> Iterator[list[Any]]:
        """Rows as spreadsheet cells (CSV, XLSX): text, integers and formatted dates."""
        for row in self.rows():
            yield [cell_value(f, row[f.key]) for f in self.fields]

    def json_rows(self) -> Iterator[dict[str, Any]]:
        for row in self.rows():
            yield {f.key: json_value(f, row[f.key]) for f in self.fields}


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value).replace(microsecond=0)


def cell_value(spec: Field, value: Any) -> Any:
    if value is None:
        return ""
    if spec.type == DATETIME:
        return _local(value).strftime("%Y-%m-%d %H:%M:%S")
    if spec.type == DATE:
        return value.isoformat()
    if spec.type == BOOLEAN:
        return "是" if value else "否"
    if spec.type == TEXT_LIST:
        return spec.joiner.join(str(item) for item in value)
    return value


def json_value(spec: Field, value: Any) -> Any:
    if value is None:
        return None
    if spec.type == DATETIME:
        return _local(value).isoformat()
    if spec.type == DATE:
        return value.isoformat()
    if spec.type == TEXT_LIST:
        return [str(item) for item in value]
    return value


# ---- published results --------------------------------------------------------------------------

OUTCOME_LABELS = dict(ResultCode.Outcome.choices)

RESULT_FIELDS = (
    Field("id", "记录编号", INTEGER, "公开结果的稳定编号，同一结果在各期快照和接口中编号不变。"),
    Field(
        "credit_code",
        "统一社会信用代码/对象标识",
        TEXT,
        "市场主体的统一社会信用代码；产品、项目、场所为名录库标识。",
    ),
    Field("target_name", "检查对象名称", TEXT, "检查对象的登记名称。"),
    Field("target_kind", "对象类型", TEXT, "企业、个体工商户、农民专业合作社、其他组织、产品、项目或场所。"),
    Field(
        "operator_masked",
        "经营者（已脱敏）",
        TEXT,
        "仅个体工商户填写，姓名只保留姓氏（如“张*”）；其他对象为空。",
    ),
    Field("town_name", "所属镇街", TEXT, "检查对象所在的镇（街道）。"),
    Field("department_code", "检查部门代码", TEXT, "实施检查并公开结果的部门的代码。"),
    Field("department_name", "检查部门", TEXT, "实施检查并公开结果的部门（谁检查、谁公开）。"),
    Field("year", "年度", INTEGER, "抽查任务所属年度。"),
    Field("task_code", "任务编号", TEXT, "抽查任务编号。"),
    Field("task_title", "任务名称", TEXT, "抽查任务名称。"),
    Field("matter_code", "事项编号", TEXT, "部门随机抽查事项清单中的事项编号。"),
    Field("matter_name", "抽查事项", TEXT, "本条结果所对应的抽查事项。"),
    Field("result_codes", "结果代码", TEXT, "检查结果代码，多个以“、”分隔。"),
    Field("result_label", "检查结果", TEXT, "公开的检查结果。"),
    Field("outcome", "结果性质代码", TEXT, "clean、problem、corrected、followup、not_applicable 或 status。"),
    Field(
        "outcome_label", "结果性质", TEXT, "未发现问题、发现问题、已改正、待后续处理、不涉及或登记状态变化。"
    ),
    Field("inspected_on", "检查日期", DATE, "实施检查的日期。"),
    Field("published_at", "公开时间", DATETIME, "结果公开的时间。"),
    Field("corrected_label", "更正后结果", TEXT, "经异议处理更正后的结果；未更正为空。"),
    Field("correction_note", "更正说明", TEXT, "更正的理由；未更正为空。"),
    Field("corrected_at", "更正时间", DATETIME, "更正的时间；未更正为空。"),
)

RESULT_COLUMNS = (
    "id",
    "credit_code",
    "target_name",
    "target_kind",
    "operator_masked",
    "town_name",
    "department__code",
    "department__name",
    "year",
    "task_code",
    "task_title",
    "matter_code",
    "matter_name",
    "result_codes",
    "result_label",
    "outcome",
    "inspected_on",
    "published_at",
    "corrected_label",
    "correction_note",
    "corrected_at",
)


def published_results():
    """Every row of the public results table is published (rows are written at publication);
    the publication's status is checked as well, so a row never shows before it is."""
    return PublishedResult.objects.filter(publication__status="published")


def result_rows() -> Iterator[dict[str, Any]]:
    rows = published_results().order_by("pk").values(*RESULT_COLUMNS)
    for row in rows.iterator(chunk_size=CHUNK):
        row["department_code"] = row.pop("department__code")
        row["department_name"] = row.pop("department__name")
        row["outcome_label"] = OUTCOME_LABELS.get(row["outcome"], row["outcome"])
        yield row


# ---- annual plans ----------------------------------------------------------------------------

PLAN_FIELDS = (
    Field("plan_id", "计划编号", INTEGER, "年度计划的稳定编号（公示网站 /plans/编号/）。"),
    Field("year", "计划年度", INTEGER, "计划所属年度。"),
    Field("scope", "计划类型", TEXT, "区部门联合随机抽查年度计划，或部门年度抽查工作计划。"),
    Field("department", "制定单位", TEXT, "制定计划的部门；联合计划为联席会议办公室所在单位。"),
    Field("plan_title", "计划名称", TEXT, "年度计划的名称。"),
    Field("revision", "修订号", INTEGER, "计划的第几版；调整后的计划为新的一版。"),
    Field("is_current", "是否现行版本", BOOLEAN, "该版是否为计划目前公开的最新一版。"),
    Field("revision_reason", "调整理由", TEXT, "第二版起的调整理由；第一版为空。"),
    Field("adopted_at", "备案（审议）时间", DATETIME, "该版备案或经联席会议审议通过的时间。"),
    Field("published_at", "公开时间", DATETIME, "该版公开的时间。"),
    Field("meeting", "审议会议", TEXT, "联合计划审议通过的会议；部门计划为空。"),
    Field("meeting_date", "审议日期", TEXT, "联合计划的审议日期（如“2026年1月20日”）；部门计划为空。"),
    Field("position", "任务序号", INTEGER, "任务在计划中的序号。"),
    Field("title", "任务名称", TEXT, "计划中的抽查任务。"),
    Field("initiator", "发起部门", TEXT, "发起任务的部门。"),
    Field("participants", "配合部门", TEXT_LIST, "参与联合抽查的其他部门。"),
    Field("matters", "抽查事项", TEXT_LIST, "各部门的抽查事项，每项为“部门：事项、事项”。", joiner="；"),
    Field("target_scope", "对象范围", TEXT, "抽取对象的名录库、镇街、对象类型等范围。"),
    Field("ratio_frequency", "比例及频次", TEXT, "抽查比例（或户数）及频次。"),
    Field("risk_requirement", "信用风险分类要求", TEXT, "按信用风险分类确定比例时各类的比例。"),
    Field("form", "抽查形式", TEXT, "抽查的组织形式。"),
    Field("methods", "检查方式", TEXT_LIST, "实地核查、书面检查、网络监测。"),
    Field("window", "起止时间", TEXT, "任务的开始和结束日期。"),
    Field("batch_size", "每批户数", TEXT, "分批实施时每批户数，或“不分批”。"),
    Field("note", "备注", TEXT, "任务备注。"),
)


def published_revisions():
    return (
        PlanRevision.objects.filter(published_at__isnull=False)
        .select_related("plan")
        .order_by("-plan__year", "plan__scope", "plan_id", "number")
    )


def plan_rows() -> Iterator[dict[str, Any]]:
    revisions = published_revisions().annotate(
        superseded=Exists(
            PlanRevision.objects.filter(
                plan=OuterRef("plan"), number__gt=OuterRef("number"), published_at__isnull=False
            )
        )
    )
    for revision in revisions.iterator(chunk_size=200):
        snapshot = revision.snapshot
        head = {
            "plan_id": revision.plan_id,
            "year": snapshot.get("year", revision.plan.year),
            "scope": snapshot.get("scope_label", ""),
            "department": snapshot.get("department", ""),
            "plan_title": snapshot.get("title", ""),
            "revision": revision.number,
            "is_current": not revision.superseded,
            "revision_reason": revision.reason,
            "adopted_at": revision.frozen_at,
            "published_at": revision.published_at,
            "meeting": snapshot.get("meeting", ""),
            "meeting_date": snapshot.get("meeting_date", ""),
        }
        for item in snapshot.get("items", []):
            yield {
                **head,
                "position": item.get("position"),
                "title": item.get("title", ""),
                "initiator": item.get("initiator", ""),
                "participants": item.get("participants", []),
                "matters": item.get("matters", []),
                "target_scope": item.get("scope", ""),
                "ratio_frequency": item.get("ratio_frequency", ""),
                "risk_requirement": item.get("risk_requirement", ""),
                "form": item.get("form", ""),
                "methods": item.get("methods", []),
                "window": item.get("window", ""),
                "batch_size": item.get("batch_size", ""),
                "note": item.get("note", ""),
            }


# ---- matter lists --------------------------------------------------------------------------------

MATTER_FIELDS = (
    Field("department_code", "部门代码", TEXT, "公开清单的部门的代码。"),
    Field("department_name", "部门", TEXT, "公开清单的部门。"),
    Field("version", "清单版本号", INTEGER, "部门随机抽查事项清单的第几版。"),
    Field("is_current", "是否现行版本", BOOLEAN, "该版是否为部门目前公开的最新一版。"),
    Field("version_published_at", "清单公开时间", DATETIME, "该版清单公开的时间。"),
    Field("version_note", "更新说明", TEXT, "该版清单的更新说明。"),
    Field("code", "事项编号", TEXT, "部门代码-序号，如 SCJG-003。"),
    Field("check_type", "抽查类别", TEXT, "事项所属的抽查类别。"),
    Field("name", "抽查事项", TEXT, "事项名称。"),
    Field("target_scope", "检查对象", TEXT, "该事项的检查对象。"),
    Field("category", "事项类别", TEXT, "重点或一般检查事项。"),
    Field("methods", "检查方式", TEXT_LIST, "实地核查、书面检查、网络监测。"),
    Field("inspecting_body", "检查主体", TEXT, "实施检查的主体。"),
    Field("legal_basis", "检查依据", TEXT, "法律、法规、规章依据。"),
    Field("ratio_cap", "抽查比例上限", TEXT, "一般检查事项的比例上限，如“5%”；重点事项为“不设上限”。"),
    Field("default_ratio", "默认抽查比例", TEXT, "未另行确定时的抽查比例，如“3%”。"),
    Field("frequency", "抽查频次", TEXT, "如“每年1次”。"),
    Field("expertise", "所需业务专长", TEXT_LIST, "检查人员需具备的业务专长。"),
    Field("source", "事项来源", TEXT, "认领（省级清单事项）或本地（本地增设事项）。"),
    Field("catalog_key", "省级清单事项标识", TEXT, "认领事项在省级统一清单中的标识；本地事项为空。"),
    Field("note", "备注", TEXT, "事项备注。"),
)


MATTER_RECORD = MATTER_FIELDS[6:]  # the fields of the version's snapshot records


def matter_rows() -> Iterator[dict[str, Any]]:
    versions = (
        MatterListVersion.objects.select_related("department")
        .annotate(
            superseded=Exists(
                MatterListVersion.objects.filter(
                    department=OuterRef("department"), number__gt=OuterRef("number")
                )
            )
        )
        .order_by("department__code", "number")
    )
    for version in versions.iterator(chunk_size=200):
        head = {
            "department_code": version.department.code,
            "department_name": version.department.name,
            "version": version.number,
            "is_current": not version.superseded,
            "version_published_at": version.published_at,
            "version_note": version.note,
        }
        for record in version.matters:
            yield {
                **head,
                **{
                    spec.key: record.get(spec.key, [] if spec.type == TEXT_LIST else "")
                    for spec in MATTER_RECORD
                },
            }


DATASETS: dict[str, Dataset] = {
    dataset.key: dataset
    for dataset in (
        Dataset(
            key="results",
            title="抽查检查结果",
            description="各部门已公开的随机抽查检查结果，含经异议处理后的更正。",
            row_note="每行为一个检查对象的一个抽查事项的检查结果。",
            fields=RESULT_FIELDS,
            rows=result_rows,
        ),
        Dataset(
            key="plans",
            title="年度抽查计划",
            description="已公开的区部门联合随机抽查年度计划和部门年度抽查工作计划，含历次调整版本。",
            row_note="每行为某一版计划中的一项抽查任务。",
            fields=PLAN_FIELDS,
            rows=plan_rows,
        ),
        Dataset(
            key="matters",
            title="随机抽查事项清单",
            description="各部门已公开的随机抽查事项清单，含历次版本。",
            row_note="每行为某一版清单中的一个抽查事项。",
            fields=MATTER_FIELDS,
            rows=matter_rows,
        ),
    )
}
FORMATS = {
    "csv": ("CSV", "text/csv; charset=utf-8"),
    "xlsx": ("Excel（XLSX）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ("JSON", "application/json; charset=utf-8"),
}
