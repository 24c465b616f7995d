"""Reading the provincial list and the no-penalty list from already-parsed rows.

Each row is a dict keyed by the Chinese column headers, as a spreadsheet reader (or the
`import_catalog` command's CSV reader) produces it. `<list>_row_clean(row)` turns one row
into cleaned values or a list of `RowError(column, value, reason)`; `<list>_validate(rows)`
adds the checks that look at the whole file (duplicates). Nothing here writes.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from plans.models import METHOD_ORDER, MatterCategory, Method
from registry.models import Department


class RowError(NamedTuple):
    column: str
    value: str
    reason: str


class RowProblem(NamedTuple):
    """A `RowError` located in the source file (its row number as the user sees it)."""

    row_number: int
    column: str
    value: str
    reason: str

    @property
    def message(self) -> str:
        where = f"第 {self.row_number} 行" if self.row_number else "文件"
        column = f"“{self.column}”" if self.column else ""
        value = f"（{self.value}）" if self.value else ""
        return f"{where}{column}{value}：{self.reason}"


class SourceRow(NamedTuple):
    number: int
    values: Mapping[str, Any]


# ---- text helpers ---------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def clean_text(value: Any) -> str:
    """A cell as text: trimmed (full-width spaces too), inner whitespace runs made one space.

    Spreadsheet readers give numbers as floats; a whole number is written without `.0`.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u3000", " ").replace("\xa0", " ")
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
    "抽查比例及频次": "抽查比例和频次",
    "比例和频次": "抽查比例和频次",
    "比例及频次": "抽查比例和频次",
    "事项类型": "事项类别",
    "抽查事项名称": "抽查事项",
    "检查事项": "抽查事项",
    "检查方法": "检查方式",
    "法律依据": "检查依据",
    "抽查依据": "检查依据",
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


def find_header_row(
    rows: Sequence[Sequence[Any]], required: Iterable[str], aliases: Mapping[str, str]
) -> int | None:
    """The index of the first row that holds every required header (title rows come first)."""
    wanted = set(required)
    for index, row in enumerate(rows):
        if wanted <= {canonical_header(cell, aliases) for cell in row}:
            return index
    return None


def missing_columns(headers: Iterable[str], required: Iterable[str], aliases: Mapping[str, str]) -> list[str]:
    present = {canonical_header(header, aliases) for header in headers}
    return [column for column in required if column not in present]


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

    if errors or category is None:  # a missing category is among the errors
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


@dataclass
class Validation:
    """The outcome of validating a whole file: the cleaned rows, or every problem."""

    rows: list[Any]
    problems: list[RowProblem]
    blank_rows: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.problems


def catalog_validate(rows: Iterable[SourceRow]) -> Validation:
    """Every row cleaned, blank rows skipped, and no item listed twice."""
    cleaned: list[CatalogRow] = []
    problems: list[RowProblem] = []
    blank = 0
    seen: dict[tuple[str, str], int] = {}
    for number, values in rows:
        if is_blank_row(values):
            blank += 1
            continue
        result = catalog_row_clean(values)
        if isinstance(result, list):
            problems.extend(RowProblem(number, *error) for error in result)
            continue
        identity = (result.check_type, result.name)
        if identity in seen:
            problems.append(
                RowProblem(
                    number,
                    "抽查事项",
                    result.name,
                    f"与第 {seen[identity]} 行重复（同一抽查类别下的同名事项）。",
                )
            )
            continue
        seen[identity] = number
        cleaned.append(result)
    if not cleaned and not problems:
        problems.append(RowProblem(0, "", "", "文件中没有事项。"))
    return Validation(cleaned, problems, blank)


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
    if errors or department is None:  # a missing department is among the errors
        return errors
    return ExemptionRow(
        code=code.upper(),
        department=department,
        description=values["违法行为"],
        legal_basis=values["法律依据"],
        conditions=values["免罚条件"],
    )


def exemption_validate(rows: Iterable[SourceRow]) -> Validation:
    departments = department_lookup()
    cleaned: list[ExemptionRow] = []
    problems: list[RowProblem] = []
    blank = 0
    seen: dict[str, int] = {}
    for number, values in rows:
        if is_blank_row(values):
            blank += 1
            continue
        result = exemption_row_clean(values, departments=departments)
        if isinstance(result, list):
            problems.extend(RowProblem(number, *error) for error in result)
            continue
        if result.code in seen:
            problems.append(
                RowProblem(number, "编号", result.code, f"与第 {seen[result.code]} 行的编号重复。")
            )
            continue
        seen[result.code] = number
        cleaned.append(result)
    if not cleaned and not problems:
        problems.append(RowProblem(0, "", "", "文件中没有事项。"))
    return Validation(cleaned, problems, blank)


# ---- CSV, until the spreadsheet import framework takes over -------------------------------------


class SourceError(Exception):
    """The file as a whole cannot be read (wrong encoding, no header row)."""


def rows_from_csv(path: Path, *, required: Sequence[str], aliases: Mapping[str, str]) -> list[SourceRow]:
    """Rows of a UTF-8 (or GB18030) CSV file, keyed by the header row, which may follow title rows."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SourceError("无法识别文件编码，请另存为 UTF-8 编码的 CSV 文件。")
    table = list(csv.reader(text.splitlines()))
    header_index = find_header_row(table, required, aliases)
    if header_index is None:
        raise SourceError(f"没有找到表头行：表头须包含 {'、'.join(required)}。")
    headers = [canonical_header(cell, aliases) for cell in table[header_index]]
    rows = []
    for offset, cells in enumerate(table[header_index + 1 :], start=header_index + 2):
        values = {header: cells[i] if i < len(cells) else "" for i, header in enumerate(headers) if header}
        rows.append(SourceRow(offset, values))
    return rows
