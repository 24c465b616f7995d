"""Builders for plans tests: everything is made through the services, as users make it."""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from plans import services
from plans.importing import CatalogRow, catalog_row_clean
from plans.models import (
    AnnualPlan,
    CatalogEdition,
    CatalogItem,
    ExemptionItem,
    Matter,
    MatterListVersion,
    Method,
    PlanItem,
)
from plans.services import MatterData, PlanItemData
from registry.models import Department, SubRegistry
from tests.conftest import make_user

SAMPLE = Path(settings.BASE_DIR) / "data" / "catalog_sample.csv"
YEAR = 2027


def sample_rows() -> list[CatalogRow]:
    """The sample list's rows, cleaned (the file is plain: no title rows, no bad rows)."""
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = [catalog_row_clean(row) for row in csv.DictReader(handle)]
    assert all(isinstance(row, CatalogRow) for row in rows)
    return rows  # type: ignore[return-value]


def import_sample(office: User | None = None, title: str = "2026年版") -> CatalogEdition:
    return services.catalog_edition_import(actor=office, title=title, rows=sample_rows())


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


# ---- objects in a given state, made once and found again ---------------------------------------
# For callers that ask for the same object several times in one test (the access matrix calls
# its samples once per user): each returns what is already there, or makes it through the
# services as the department's own users would.

DEFAULT_MATTER = "计量器具使用情况的检查"


def member_of(department: Department, role: Role = Role.DEPT_STAFF) -> User:
    """A user of `department` holding `role`: the first there is, or a new one."""
    user = (
        User.objects.filter(department=department, role_grants__role=role, is_active=True)
        .order_by("pk")
        .first()
    )
    return user or make_user(f"{role}-{department.code}".lower(), department.code, role)


def the_office() -> User:
    return member_of(Department.objects.get(is_office=True), Role.OFFICE)


def current_catalog() -> CatalogEdition:
    return services.current_catalog_edition() or import_sample()


def department_matter(department: Department, *, active: bool = True) -> Matter:
    """The department's claim of the provincial 计量 item (general, cap 5), withdrawn when not
    `active`."""
    current_catalog()
    matter = Matter.objects.filter(department=department, catalog_item__name=DEFAULT_MATTER).first()
    if matter is None:
        matter = claim(member_of(department), DEFAULT_MATTER, cap="5")
    if matter.is_active != active:
        change = services.matter_restore if active else services.matter_withdraw
        matter = change(actor=member_of(department), matter=matter, reason="样例")
    return matter


def published_matter_list(department: Department) -> MatterListVersion:
    """The department's latest published matter list, published by its head if there is none."""
    version = department.matter_list_versions.order_by("-number").first()
    if version is None:
        department_matter(department)
        version = services.matter_list_publish(
            actor=member_of(department, Role.DEPT_HEAD), department=department
        )
    return version


def exemption_of(department: Department) -> ExemptionItem:
    """A no-penalty list item carried out by `department` (the office keeps the list)."""
    code = f"MF-{department.code}-1"
    return ExemptionItem.objects.filter(code=code).first() or services.exemption_save(
        actor=the_office(),
        item=None,
        code=code,
        department=department,
        description="未按规定公示营业执照，首次发现且及时改正",
        legal_basis="《中华人民共和国行政处罚法》第三十三条",
        conditions="首次违法、危害后果轻微并及时改正",
    )


_STEPS = [
    AnnualPlan.Status.DRAFT,
    AnnualPlan.Status.SUBMITTED,
    AnnualPlan.Status.FILED,
    AnnualPlan.Status.PUBLISHED,
]
_JOINT_STEPS = [AnnualPlan.Status.DRAFT, AnnualPlan.Status.APPROVED, AnnualPlan.Status.PUBLISHED]


def _take_to(plan: AnnualPlan, status: str, steps: list[str], advance: dict[str, object]) -> AnnualPlan:
    if steps.index(plan.status) > steps.index(status):
        raise ValueError(f"{plan} is already {plan.status}, past {status}")
    while plan.status != status:
        advance[plan.status](plan)  # type: ignore[operator]
        plan.refresh_from_db()
    return plan


def department_plan_at(department: Department, status: str = AnnualPlan.Status.DRAFT) -> AnnualPlan:
    """The department's plan for YEAR with one valid task, taken through the workflow to
    `status` (draft, submitted, filed or published)."""
    plan = AnnualPlan.objects.filter(
        scope=AnnualPlan.Scope.DEPARTMENT, department=department, year=YEAR
    ).first()
    if plan is None:
        staff = member_of(department)
        plan = services.plan_create(actor=staff, scope=AnnualPlan.Scope.DEPARTMENT, year=YEAR)
        services.plan_item_save(
            actor=staff,
            plan=plan,
            item=None,
            data=item_data(
                department,
                [department_matter(department)],
                sub_registries=[sub_registry(department.code, "辖区经营者")],
            ),
        )
    head = member_of(department, Role.DEPT_HEAD)
    return _take_to(
        plan,
        status,
        _STEPS,
        {
            AnnualPlan.Status.DRAFT: lambda plan: services.plan_submit(actor=head, plan=plan),
            AnnualPlan.Status.SUBMITTED: lambda plan: services.plan_file(actor=the_office(), plan=plan),
            AnnualPlan.Status.FILED: lambda plan: services.plan_publish(actor=head, plan=plan),
        },
    )


def joint_plan_at(status: str = AnnualPlan.Status.DRAFT) -> AnnualPlan:
    """The district joint plan for YEAR with one valid task, taken to `status` (draft,
    approved or published)."""
    office = the_office()
    plan = AnnualPlan.objects.filter(scope=AnnualPlan.Scope.JOINT, year=YEAR).first()
    if plan is None:
        plan = services.plan_create(actor=office, scope=AnnualPlan.Scope.JOINT, year=YEAR)
        services.plan_item_save(
            actor=office,
            plan=plan,
            item=None,
            data=item_data(office.department, [department_matter(office.department)]),
        )
    return _take_to(
        plan,
        status,
        _JOINT_STEPS,
        {
            AnnualPlan.Status.DRAFT: lambda plan: services.plan_approve(
                actor=office, plan=plan, meeting="联席会议第1次会议", meeting_date=timezone.localdate()
            ),
            AnnualPlan.Status.APPROVED: lambda plan: services.plan_publish(actor=office, plan=plan),
        },
    )
