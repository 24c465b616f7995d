"""Cleaning rows of the provincial list and the no-penalty list: pure functions, nothing writes.

Each row is a dict keyed by the Chinese column headers (a header variant such as 事项类型
is understood too). `<list>_row_clean(row)` turns one row into cleaned values or a list of
`RowError(column, value, reason)`. Reading the files, the checks across rows (duplicates)
and the preview are the import framework's: see `plans.imports`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from luozhuang_dsj.lib.spreadsheets import to_half_width
from plans.models import METHOD_ORDER, MatterCategory, Method
from registry.models import Department


class RowError(NamedTuple):
    column: str
    value: str
    reason: str


# ---- text helpers ---------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def clean_text(value: Any) -> str:
    """A cell as text: trimmed (full-width spaces too), inner whitespace runs made one space,
    full-width letters, digits and ％ made half-width (“不高于５％” is stored as “不高于5%”, so
    that an edition typed the other way does not show as changed). Chinese punctuation stays.

    Spreadsheet readers give numbers as floats; a whole number is written without `.0`.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = to_half_width(str(value)).replace("\xa0", " ")
    return _SPACE.sub(" ", text).strip()


def normalise_header(header: Any) -> str:
    """Headers compare without any whitespace and with full-width brackets made ASCII."""
    text = unicodedata.normalize("NFKC", clean_text(header))
    return _SPACE.sub("", text)


def _folded(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


# ---- the columns -------------------------------------------------------------------------------

CATALOG_COLUMNS = [
    "序号",
    "抽查类别",
    "抽查事项",
    "检查对象",
    "事项类别",
    "检查方式",
    "检查主体",
    "检查依据",
    "抽查比例和频次",
    "备注",
]
CATALOG_REQUIRED_COLUMNS = [
    "抽查类别",
    "抽查事项",
    "检查对象",
    "事项类别",
    "检查方式",
    "检查主体",
    "检查依据",
]
CATALOG_HEADER_ALIASES = {
    "抽查领域": "抽查类别",
    "抽查类型": "抽查类别",
    "检查类别": "抽查类别",
    "抽查事项名称": "抽查事项",
    "检查事项": "抽查事项",
    "事项名称": "抽查事项",
    "抽查对象": "检查对象",
    "事项类型": "事项类别",
    "抽查事项类别": "事项类别",
    "事项类别（重点/一般）": "事项类别",
    "检查方法": "检查方式",
    "抽查方式": "检查方式",
    "实施主体": "检查主体",
    "抽查主体": "检查主体",
    "检查实施主体": "检查主体",
    "法律依据": "检查依据",
    "抽查依据": "检查依据",
    "依据": "检查依据",
    "抽查比例及频次": "抽查比例和频次",
    "比例和频次": "抽查比例和频次",
    "比例及频次": "抽查比例和频次",
    "说明": "备注",
    "编号": "序号",
}

EXEMPTION_COLUMNS = ["编号", "实施部门", "违法行为", "法律依据", "免罚条件"]
EXEMPTION_REQUIRED_COLUMNS = EXEMPTION_COLUMNS
EXEMPTION_HEADER_ALIASES = {
    "序号": "编号",
    "执法部门": "实施部门",
    "部门": "实施部门",
    "违法行为表现": "违法行为",
    "轻微违法行为": "违法行为",
    "违法事项": "违法行为",
    "违反条款": "法律依据",
    "依据": "法律依据",
    "适用条件": "免罚条件",
    "不予处罚条件": "免罚条件",
    "免予处罚条件": "免罚条件",
}

METHOD_SYNONYMS = {
    "实地核查": Method.ON_SITE,
    "实地检查": Method.ON_SITE,
    "现场检查": Method.ON_SITE,
    "现场核查": Method.ON_SITE,
    "书面检查": Method.DOCUMENTS,
    "书面审查": Method.DOCUMENTS,
    "书面核查": Method.DOCUMENTS,
    "网络监测": Method.ONLINE,
    "网络检查": Method.ONLINE,
    "网上检查": Method.ONLINE,
}
_METHOD_SPLIT = re.compile(r"[、，,;；/／|和及\s]+")


def canonical_header(header: Any, aliases: Mapping[str, str]) -> str:
    name = normalise_header(header)
    return aliases.get(name, name)


def _canonical_row(row: Mapping[str, Any], aliases: Mapping[str, str]) -> dict[str, Any]:
    return {canonical_header(key, aliases): value for key, value in row.items() if key is not None}


def is_blank_row(row: Mapping[str, Any]) -> bool:
    return not any(clean_text(value) for value in row.values())


def parse_methods(value: str) -> tuple[list[str], list[str]]:
    """(methods in canonical order, words that are not a method)."""
    found: set[str] = set()
    unknown: list[str] = []
    for word in _METHOD_SPLIT.split(_folded(value)):
        if not word:
            continue
        method = METHOD_SYNONYMS.get(word)
        if method is None:
            unknown.append(word)
        else:
            found.add(method)
    return [method for method in METHOD_ORDER if method in found], unknown


def parse_category(value: str) -> str | None:
    folded = _folded(value)
    if "重点" in folded:
        return MatterCategory.KEY
    if "一般" in folded:
        return MatterCategory.GENERAL
    return None


_CAP_PATTERN = re.compile(r"(?:不高于|不超过|不得超过|最高|上限为?|≤)\s*(\d+(?:\.\d+)?)\s*%")
_MIN_PATTERN = re.compile(r"(?:不低于|不少于|至少|≥)\s*(\d+(?:\.\d+)?)\s*%")
_FREQUENCY_PATTERN = re.compile(r"(每\S*?\d+\s*次|每年\S*?次)")


@dataclass(frozen=True)
class RatioHint:
    """What the provincial `抽查比例和频次` text says, as defaults for a claim."""

    cap: Decimal | None = None
    minimum: Decimal | None = None
    frequency: str = ""


def parse_ratio_text(value: str) -> RatioHint:
    text = _folded(value).replace("％", "%")
    cap = _CAP_PATTERN.search(text)
    minimum = _MIN_PATTERN.search(text)
    frequency = _FREQUENCY_PATTERN.search(text)
    return RatioHint(
        cap=Decimal(cap.group(1)) if cap else None,
        minimum=Decimal(minimum.group(1)) if minimum else None,
        frequency=frequency.group(1).replace(" ", "") if frequency else "",
    )


# ---- the provincial list ----------------------------------------------------------------------

_CATALOG_LIMITS = {
    "抽查类别": 100,
    "抽查事项": 200,
    "检查对象": 300,
    "检查主体": 200,
    "抽查比例和频次": 200,
    "备注": 500,
    "检查依据": 2000,
}


@dataclass(frozen=True)
class CatalogRow:
    """One cleaned row of the provincial list; the attribute names are CatalogItem's fields.

    The file's 序号 is informative only (real lists number sections, merge cells, restart
    numbering): an item's position is its order in the file."""

    check_type: str
    name: str
    target_scope: str
    category: str
    methods: list[str] = field(default_factory=list)
    inspecting_body: str = ""
    legal_basis: str = ""
    ratio_frequency: str = ""
    note: str = ""


def catalog_row_clean(row: Mapping[str, Any]) -> CatalogRow | list[RowError]:
    """One row of the provincial list (keys: the Chinese headers) → a CatalogRow or its errors."""
    values = {
        column: clean_text(value) for column, value in _canonical_row(row, CATALOG_HEADER_ALIASES).items()
    }
    errors: list[RowError] = []
    for column in CATALOG_REQUIRED_COLUMNS:
        if not values.get(column):
            errors.append(RowError(column, "", "必填，不能为空。"))
    for column, limit in _CATALOG_LIMITS.items():
        if len(values.get(column, "")) > limit:
            errors.append(RowError(column, values[column][:50] + "…", f"不能超过 {limit} 个字符。"))

    category = None
    if values.get("事项类别"):
        category = parse_category(values["事项类别"])
        if category is None:
            errors.append(RowError("事项类别", values["事项类别"], "应为“重点”或“一般”。"))

    methods: list[str] = []
    if values.get("检查方式"):
        methods, unknown = parse_methods(values["检查方式"])
        for word in unknown:
            errors.append(
                RowError(
                    "检查方式",
                    values["检查方式"],
                    f"无法识别“{word}”，检查方式应为实地核查、书面检查或网络监测。",
                )
            )

    if errors or category is None:  # a blank 事项类别 is an error above
        return errors
    return CatalogRow(
        check_type=values["抽查类别"],
        name=values["抽查事项"],
        target_scope=values["检查对象"],
        category=category,
        methods=methods,
        inspecting_body=values["检查主体"],
        legal_basis=values["检查依据"],
        ratio_frequency=values.get("抽查比例和频次", ""),
        note=values.get("备注", ""),
    )


# ---- the no-penalty list ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExemptionRow:
    code: str
    department: Department
    description: str
    legal_basis: str
    conditions: str


def department_lookup() -> dict[str, Department]:
    """Departments by full name, short name and code, as lists spell them."""
    lookup: dict[str, Department] = {}
    for department in Department.objects.filter(is_active=True):
        for name in (department.name, department.short_name, department.code):
            lookup[_folded(name)] = department
    return lookup


def exemption_row_clean(
    row: Mapping[str, Any], *, departments: Mapping[str, Department] | None = None
) -> ExemptionRow | list[RowError]:
    values = {
        column: clean_text(value) for column, value in _canonical_row(row, EXEMPTION_HEADER_ALIASES).items()
    }
    departments = department_lookup() if departments is None else departments
    errors: list[RowError] = []
    for column in EXEMPTION_REQUIRED_COLUMNS:
        if not values.get(column):
            errors.append(RowError(column, "", "必填，不能为空。"))
    code = _folded(values.get("编号", ""))
    if code and not re.fullmatch(r"[A-Za-z0-9-]{1,20}", code):
        errors.append(RowError("编号", code, "只能包含字母、数字和连字符，不超过 20 个字符。"))
    department = None
    if values.get("实施部门"):
        department = departments.get(_folded(values["实施部门"]))
        if department is None:
            errors.append(
                RowError("实施部门", values["实施部门"], "不是在用的成员单位（请填写单位全称或简称）。")
            )
    for column in ("违法行为", "法律依据", "免罚条件"):
        if len(values.get(column, "")) > 2000:
            errors.append(RowError(column, values[column][:50] + "…", "不能超过 2000 个字符。"))
    if errors or department is None:  # a blank 实施部门 is an error above
        return errors
    return ExemptionRow(
        code=code.upper(),
        department=department,
        description=values["违法行为"],
        legal_basis=values["法律依据"],
        conditions=values["免罚条件"],
    )
