"""Builders for plans tests: everything is made through the services, as users make it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from plans import services
from plans.importing import (
    CATALOG_HEADER_ALIASES,
    CATALOG_REQUIRED_COLUMNS,
    SourceRow,
    catalog_validate,
    rows_from_csv,
)
from plans.models import AnnualPlan, CatalogEdition, CatalogItem, Matter, Method, PlanItem
from plans.services import MatterData, PlanItemData
from registry.models import Department, SubRegistry
from tests.conftest import make_user

SAMPLE = Path(settings.BASE_DIR) / "data" / "catalog_sample.csv"
YEAR = 2027


def sample_rows() -> list[SourceRow]:
    return rows_from_csv(SAMPLE, required=CATALOG_REQUIRED_COLUMNS, aliases=CATALOG_HEADER_ALIASES)


def import_sample(office: User | None = None, title: str = "2026年版") -> CatalogEdition:
    return services.catalog_edition_import(
        actor=office, title=title, rows=catalog_validate(sample_rows()).rows
    )


def catalog_item(name: str) -> CatalogItem:
    return services.current_catalog_edition().items.get(name=name)


def claim(
    user: User,
    name: str,
    *,
    cap: str | None = None,
    default: str = "3",
    department: Department | None = None,
    **changes: object,
) -> Matter:
    item = catalog_item(name)
    data = MatterData.from_catalog(
        item, ratio_cap=Decimal(cap) if cap else None, default_ratio=Decimal(default), frequency="每年1次"
    )
    reason = str(changes.pop("reason", ""))
    for field, value in changes.items():
        setattr(data, field, value)
    return services.matter_claim(
        actor=user, department=department or user.department, catalog_item=item, data=data, reason=reason
    )


def local_matter(
    user: User, name: str, *, category: str = "一般", cap: str | None = "10", default: str = "5"
) -> Matter:
    return services.matter_add_local(
        actor=user,
        department=user.department,
        data=MatterData(
            check_type="本地检查",
            name=name,
            target_scope="辖区经营者",
            category=category,
            ratio_cap=Decimal(cap) if cap else None,
            default_ratio=Decimal(default),
            frequency="每年1次",
            methods=[Method.ON_SITE],
            inspecting_body=user.department.short_name,
            legal_basis="《中华人民共和国产品质量法》第十五条",
        ),
        reason="本地需要",
    )


def sub_registry(code: str = "SCJG", name: str = "食品经营者") -> SubRegistry:
    return SubRegistry.objects.get_or_create(department=Department.objects.get(code=code), name=name)[0]


def item_data(
    initiator: Department,
    initiator_matters: list[Matter],
    *,
    participants: list[tuple[Department, list[Matter]]] | None = None,
    year: int = YEAR,
    **values: object,
) -> PlanItemData:
    data = PlanItemData(
        title="食品经营者综合联查",
        initiator=initiator,
        initiator_matters=initiator_matters,
        participants=participants or [],
        form=PlanItem.Form.COMPREHENSIVE,
        methods=[Method.ON_SITE],
        sub_registries=[sub_registry()],
        sampling=PlanItem.Sampling.RATIO,
        ratio=Decimal("3"),
        start_date=datetime.date(year, 3, 1),
        end_date=datetime.date(year, 6, 30),
    )
    for field, value in values.items():
        setattr(data, field, value)
    return data


def department_plan(user: User, matters: list[Matter], *, year: int = YEAR) -> AnnualPlan:
    """A department plan in draft with one valid item."""
    plan = services.plan_create(actor=user, scope=AnnualPlan.Scope.DEPARTMENT, year=year)
    services.plan_item_save(
        actor=user, plan=plan, item=None, data=item_data(user.department, matters, year=year)
    )
    return plan


def head_of(code: str, username: str) -> User:
    return make_user(username, code, Role.DEPT_HEAD)


def staff_of(code: str, username: str) -> User:
    return make_user(username, code, Role.DEPT_STAFF)
