"""The registry's exports: the same columns as the imports, so an export can be edited and re-imported."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from luozhuang_dsj.exports import Exporter, register_export
from luozhuang_dsj.models import User
from registry.forms import InspectorFilterForm, TargetFilterForm
from registry.models import SubRegistry
from registry.permissions import may_read_registry, may_see_all_departments
from registry.selectors import inspectors_for_user, target_list

CHUNK = 2000
TARGET_HEADERS = (
    "统一社会信用代码",
    "企业名称",
    "市场主体类型",
    "法定代表人（负责人）",
    "住所",
    "所属镇街",
    "行业代码",
    "登记状态",
    "信用风险分类",
    "登记住所无法联系",
)
TARGET_COLUMNS = (
    "code",
    "name",
    "kind",
    "legal_representative",
    "address",
    "town__name",
    "industry_code",
    "status",
    "risk_class",
    "address_unreachable",
)


def _target_rows(queryset: Any) -> Iterator[tuple[Any, ...]]:
    for row in queryset.values_list(*TARGET_COLUMNS).iterator(chunk_size=CHUNK):
        yield (*row[:5], row[5] or "", *row[6:9], "是" if row[9] else "否")


def target_rows(user: User | None, params: dict[str, Any]) -> tuple[int | None, Iterator[tuple[Any, ...]]]:
    form = TargetFilterForm(params or None, user=user)
    filters = form.cleaned_data if form.is_valid() else {}
    targets = target_list(filters).select_related(None)
    return targets.count(), _target_rows(targets)


def member_rows(user: User | None, params: dict[str, Any]) -> tuple[int | None, Iterator[tuple[Any, ...]]]:
    targets = target_list({"sub_registry": params.get("sub_registry")}).select_related(None)
    return targets.count(), _target_rows(targets)


def _may_export_members(user: User, params: dict[str, Any]) -> bool:
    sub_registry = SubRegistry.objects.filter(pk=params.get("sub_registry")).first()
    if sub_registry is None or not may_read_registry(user):
        return False
    return sub_registry.department_id == user.department_id or may_see_all_departments(user)


INSPECTOR_HEADERS = (
    "人员编号",
    "姓名",
    "所属部门",
    "人员类别",
    "所在机构",
    "执法证号",
    "执法证有效期至",
    "业务专长",
    "是否在岗",
    "联系电话",
)


def inspector_rows(user: User | None, params: dict[str, Any]) -> tuple[int | None, Iterator[tuple[Any, ...]]]:
    if user is None:
        raise ValueError("exports of people are always someone's")
    form = InspectorFilterForm(params or None, user=user)
    filters = form.cleaned_data if form.is_valid() else {}
    inspectors = inspectors_for_user(user, filters)

    def rows() -> Iterator[tuple[Any, ...]]:
        for inspector in inspectors.iterator(chunk_size=CHUNK):
            own = inspector.department_id == user.department_id
            yield (
                inspector.code,
                inspector.name,
                inspector.department.name,
                inspector.category,
                inspector.organisation,
                inspector.certificate_number if own else "（非本部门，不显示）",
                inspector.certificate_valid_until.isoformat() if inspector.certificate_valid_until else "",
                "、".join(tag.name for tag in inspector.expertise_list),
                "是" if inspector.is_active else "否",
                inspector.phone if own else "",
            )

    return inspectors.count(), rows()


register_export(
    Exporter(
        "registry.targets",
        "检查对象名录",
        TARGET_HEADERS,
        target_rows,
        lambda user, _: may_read_registry(user),
    )
)
register_export(
    Exporter("registry.sub_registry_members", "分库成员", TARGET_HEADERS, member_rows, _may_export_members)
)
register_export(
    Exporter(
        "registry.inspectors",
        "执法检查人员名录",
        INSPECTOR_HEADERS,
        inspector_rows,
        lambda user, _: may_read_registry(user),
    )
)
