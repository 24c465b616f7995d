"""How the registry reads the values people type or real exports contain.

Each `parse_*` takes text (already stripped) and returns the stored value, or raises
`ValueError` with a Chinese reason. Forms and imports share them, so a value accepted in
one is accepted in the other.
"""

from __future__ import annotations

import datetime as dt
import re

from luozhuang_dsj.lib.spreadsheets import to_half_width
from registry import credit_code
from registry.models import Inspector, RiskClass, Target

NON_ENTITY_KINDS = frozenset({Target.Kind.PRODUCT, Target.Kind.PROJECT, Target.Kind.SITE})
KEY_FORBIDDEN = re.compile(r"[\t\r\n|]")
_INDUSTRY_RE = re.compile(r"^([A-T])?(\d{2,4})$")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SPACES = re.compile(r"\s+")

# The 2nd character of a 统一社会信用代码 registered by 工商 (first character 9).
_KIND_FROM_CODE = {"1": Target.Kind.ENTERPRISE, "2": Target.Kind.INDIVIDUAL, "3": Target.Kind.COOPERATIVE}

_STATUS = {
    "存续": Target.Status.ACTIVE,
    "在业": Target.Status.ACTIVE,
    "开业": Target.Status.ACTIVE,
    "在营": Target.Status.ACTIVE,
    "正常": Target.Status.ACTIVE,
    "存续（在营、开业、在册）": Target.Status.ACTIVE,
    "注销": Target.Status.DEREGISTERED,
    "已注销": Target.Status.DEREGISTERED,
    "吊销": Target.Status.REVOKED,
    "已吊销": Target.Status.REVOKED,
    "吊销，未注销": Target.Status.REVOKED,
    "吊销未注销": Target.Status.REVOKED,
    "吊销，已注销": Target.Status.DEREGISTERED,
    "迁出": Target.Status.MOVED_OUT,
    "已迁出": Target.Status.MOVED_OUT,
}

_RISK = {}
for _value, _words in {
    RiskClass.A: ("A", "A类", "低", "低风险", "A类（低风险）", "信用风险低", "低风险（A类）"),
    RiskClass.B: ("B", "B类", "一般", "一般风险", "B类（一般风险）", "信用风险一般", "一般风险（B类）"),
    RiskClass.C: ("C", "C类", "较高", "较高风险", "C类（较高风险）", "信用风险较高", "较高风险（C类）"),
    RiskClass.D: ("D", "D类", "高", "高风险", "D类（高风险）", "信用风险高", "高风险（D类）"),
}.items():
    for _word in _words:
        _RISK[_word] = _value

_YES = {"是", "有", "Y", "YES", "TRUE", "1", "√", "在岗", "在职", "启用"}
_NO = {"否", "无", "N", "NO", "FALSE", "0", "×", "不在岗", "离岗", "停用", "调离", "退休"}


TARGET_KINDS = frozenset(Target.Kind.values)
INSPECTOR_CATEGORIES = frozenset(Inspector.Category.values)


def compact(text: str) -> str:
    if text.isascii() and " " not in text and "\t" not in text:
        return text
    return _SPACES.sub("", to_half_width(text))


def parse_kind(text: str, code: str = "") -> str:
    """市场主体类型 as real exports word it (有限责任公司（自然人投资或控股）…), or inferred from the code."""
    value = compact(text)
    if not value:
        if len(code) == 18 and code[0] == "9":
            return _KIND_FROM_CODE.get(code[1], Target.Kind.OTHER_ORGANISATION)
        return Target.Kind.OTHER_ORGANISATION if len(code) == 18 else ""
    if value in TARGET_KINDS:
        return value
    if "个体" in value:
        return Target.Kind.INDIVIDUAL
    if "合作社" in value:
        return Target.Kind.COOPERATIVE
    if any(word in value for word in ("公司", "企业", "合伙", "独资", "分支机构", "分公司", "厂", "外商")):
        return Target.Kind.ENTERPRISE
    if any(
        word in value
        for word in ("事业单位", "社会组织", "社会团体", "民办非企业", "机关", "学校", "医院", "其他")
    ):
        return Target.Kind.OTHER_ORGANISATION
    if "产品" in value:
        return Target.Kind.PRODUCT
    if "项目" in value or "工程" in value:
        return Target.Kind.PROJECT
    if "场所" in value or "场地" in value:
        return Target.Kind.SITE
    raise ValueError(
        f"无法识别的对象类型“{text}”：应为企业、个体工商户、农民专业合作社、其他组织、产品、项目或场所。"
    )


def parse_code(text: str, kind: str) -> str:
    """A credit code (normalised and checked) or, for a product, project or site, the registry key."""
    if kind in NON_ENTITY_KINDS:
        key = text.strip()
        if not key:
            raise ValueError("产品、项目、场所类对象须填写对象标识。")
        if len(key) == 18:
            raise ValueError("产品、项目、场所类对象的标识不能是 18 位（18 位留给统一社会信用代码）。")
        if len(key) > 40 or KEY_FORBIDDEN.search(key):
            raise ValueError("对象标识不超过 40 个字符，且不能含有制表符、换行或“|”。")
        return key
    code = credit_code.normalise(text)
    if not code:
        raise ValueError("统一社会信用代码不能为空。")
    problem = credit_code.problem(code)
    if problem:
        raise ValueError(problem)
    return code


def parse_status(text: str) -> str:
    value = compact(text).replace("(", "（").replace(")", "）")
    try:
        return _STATUS[value]
    except KeyError:
        if value.startswith("吊销"):
            return Target.Status.REVOKED
        if value.startswith(("存续", "在营", "开业")):
            return Target.Status.ACTIVE
        raise ValueError(f"无法识别的登记状态“{text}”：应为存续、注销、吊销或迁出。") from None


def parse_risk(text: str) -> str:
    value = compact(text).upper().replace("(", "（").replace(")", "）")
    try:
        return _RISK[value]
    except KeyError:
        raise ValueError(f"无法识别的信用风险分类“{text}”：应为 A、B、C、D（低、一般、较高、高）。") from None


def parse_industry(text: str) -> str:
    value = compact(text).upper()
    match = _INDUSTRY_RE.match(value)
    if not match:
        raise ValueError(
            f"行业代码“{text}”格式错误：应为国民经济行业分类的 2 至 4 位数字代码（可带门类字母，如 C3311）。"
        )
    return match.group(2)


def parse_flag(text: str) -> bool:
    value = compact(text).upper()
    if value in _YES:
        return True
    if value in _NO or value == "":
        return False
    raise ValueError(f"“{text}”应为“是”或“否”。")


def parse_date(text: str) -> dt.date:
    value = to_half_width(text).strip()
    try:
        return (
            dt.date.fromisoformat(value[:10])
            if len(value) >= 10 and value[4] == "-"
            else _parse_cn_date(value)
        )
    except ValueError:
        raise ValueError(f"日期“{text}”格式错误：应为 2026-12-31 这样的日期。") from None


def _parse_cn_date(value: str) -> dt.date:
    match = _DATE_RE.match(value)
    if not match:
        raise ValueError(value)
    return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def parse_category(text: str) -> str:
    value = compact(text)
    if value in INSPECTOR_CATEGORIES:
        return value
    aliases = {
        "公务员": Inspector.Category.CIVIL_SERVANT,
        "行政执法人员": Inspector.Category.CIVIL_SERVANT,
        "执法人员": Inspector.Category.QUALIFIED,
        "具有行政执法资格的工作人员": Inspector.Category.QUALIFIED,
        "具有行政执法资格人员": Inspector.Category.QUALIFIED,
        "日常监管": Inspector.Category.ROUTINE,
        "从事日常监管工作的人员": Inspector.Category.ROUTINE,
        "综合执法": Inspector.Category.COMPREHENSIVE,
        "专家学者": Inspector.Category.EXPERT,
        "第三方": Inspector.Category.THIRD_PARTY,
        "检验检测机构": Inspector.Category.THIRD_PARTY,
        "科研院所": Inspector.Category.THIRD_PARTY,
    }
    try:
        return aliases[value]
    except KeyError:
        choices = "、".join(Inspector.Category.values)
        raise ValueError(f"无法识别的人员类别“{text}”：应为{choices}之一。") from None


def split_tags(text: str) -> list[str]:
    """业务专长 written as 食品安全、特种设备 (or with commas, semicolons, slashes)."""
    parts = re.split(r"[、,，;；/／\s]+", text.strip())
    return sorted({part.strip()[:50] for part in parts if part.strip()})
