"""Demo data for matter lists, the no-penalty list and plans (`make run`).

Deterministic and idempotent: each step is skipped when its result already exists. Every
write goes through the services, as a user would make it; afterwards the filing history
of the 2026 plans is dated into January 2026, so that the office's deadline view shows a
plan filed on time, one still in draft and departments that have not started.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from luozhuang_dsj.imports import import_file_now
from luozhuang_dsj.models import ImportBatch, User
from plans import services
from plans.imports import CATALOG_IMPORT
from plans.models import (
    AnnualPlan,
    CatalogEdition,
    CatalogItem,
    ExemptionItem,
    Matter,
    MatterCategory,
    Method,
    PlanItem,
    PlanRevision,
    PlanStep,
)
from plans.services import MatterData, PlanItemData
from registry.models import Department, ExpertiseTag, SubRegistry

DEMO_YEAR = 2026
CATALOG_FILE = Path(settings.BASE_DIR) / "data" / "catalog_sample.csv"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _department(code: str) -> Department:
    return Department.objects.get(code=code)


def _tag(name: str) -> ExpertiseTag:
    return ExpertiseTag.objects.get_or_create(name=name)[0]


def _sub_registry(code: str, name: str, description: str) -> SubRegistry:
    return SubRegistry.objects.get_or_create(
        department=_department(code), name=name, defaults={"description": description}
    )[0]


def _catalog_seed() -> CatalogEdition:
    edition = CatalogEdition.objects.order_by("number").first()
    if edition is not None:
        return edition
    # As the office does it: the sample file through the import (it stays in the import history).
    batch = import_file_now(
        schema_key=CATALOG_IMPORT,
        path=CATALOG_FILE,
        actor=_user("office"),
        params={"title": "2026年版（样例）", "note": ""},
    )
    if batch.status != ImportBatch.Status.APPLIED:
        raise RuntimeError(f"{CATALOG_FILE} did not import: {batch.error or batch.report}")
    return CatalogEdition.objects.get(number=batch.outcome["edition"])


# (department, username, catalog item name, cap, default ratio, frequency, expertise, adjustment)
CLAIMS = [
    ("SCJG", "scjg_staff", "企业公示信息的检查", "5", "3", "每年1次", [], None),
    ("SCJG", "scjg_staff", "食品生产者的监督检查", None, "100", "每年至少1次", ["食品安全"], None),
    ("SCJG", "scjg_staff", "食品经营者的监督检查", None, "5", "每年1次", ["食品安全"], None),
    ("SCJG", "scjg_staff", "特种设备使用单位的监督检查", None, "10", "每年1次", ["特种设备"], None),
    ("SCJG", "scjg_staff", "计量器具使用情况的检查", "5", "3", "每年1次", ["计量"], None),
    (
        "SCJG",
        "scjg_staff",
        "广告发布单位的检查",
        "5",
        "2",
        "每年1次",
        [],
        (
            {"methods": [Method.ONLINE]},
            "本区广告发布单位以互联网广告为主，先行网络监测，发现问题再实地核查。",
        ),
    ),
    ("JYJ", "jyj_staff", "民办学校办学行为的检查", "10", "5", "每年1次", ["教育督导"], None),
    ("WSJK", "wsjk_staff", "公共场所卫生的检查", "5", "3", "每年1次", ["卫生监督"], None),
]


def _claims_seed(edition: CatalogEdition) -> None:
    for code, username, name, cap, default, frequency, tags, adjustment in CLAIMS:
        department = _department(code)
        item = CatalogItem.objects.get(edition=edition, name=name)
        if Matter.objects.filter(department=department, catalog_item__key=item.key).exists():
            continue
        data = MatterData.from_catalog(
            item,
            ratio_cap=Decimal(cap) if cap else None,
            default_ratio=Decimal(default),
            frequency=frequency,
        )
        data.expertise = [_tag(tag) for tag in tags]
        reason = ""
        if adjustment:
            changes, reason = adjustment
            for field, value in changes.items():
                setattr(data, field, value)
        services.matter_claim(
            actor=_user(username), department=department, catalog_item=item, data=data, reason=reason
        )
    scjg = _department("SCJG")
    if not Matter.objects.filter(department=scjg, source=Matter.Source.LOCAL).exists():
        services.matter_add_local(
            actor=_user("scjg_staff"),
            department=scjg,
            data=MatterData(
                check_type="产品质量监督检查",
                name="电动自行车销售者的检查",
                target_scope="电动自行车销售企业、个体工商户",
                category=MatterCategory.GENERAL,
                ratio_cap=Decimal("10"),
                default_ratio=Decimal("5"),
                frequency="每年1次",
                methods=[Method.ON_SITE],
                inspecting_body="区市场监管局",
                legal_basis="《中华人民共和国产品质量法》第十五条",
                note="本地增设",
                expertise=[_tag("产品质量")],
            ),
            reason="本区电动自行车销售网点集中，省级清单未单列，依据区政府电动自行车安全隐患整治要求增设。",
        )


def _matter_lists_publish() -> None:
    for code, head, note in (
        ("SCJG", "scjg_head", "首次公开。"),
        ("JYJ", "jyj_head", "首次公开。"),
        ("WSJK", "wsjk_head", "首次公开。"),
    ):
        department = _department(code)
        if not department.matter_list_versions.exists():
            services.matter_list_publish(actor=_user(head), department=department, note=note)


EXEMPTIONS = [
    (
        "SCJG-001",
        "SCJG",
        "市场主体未将营业执照置于住所或者主要经营场所的醒目位置。",
        "《中华人民共和国市场主体登记管理条例》第三十六条、第四十八条第一款",
        "首次被发现，在责令改正期限内改正，未造成危害后果。",
    ),
    (
        "SCJG-002",
        "SCJG",
        "广告使用数据、统计资料、调查结果、文摘、引用语等引证内容，未表明出处。",
        "《中华人民共和国广告法》第十一条第二款、第五十九条第一款第（二）项",
        "首次被发现，广告持续时间短、传播范围小，及时改正，未造成危害后果。",
    ),
    (
        "SCJG-003",
        "SCJG",
        "经营者未按照规定明码标价，标价签、价目表等要素不全。",
        "《明码标价和禁止价格欺诈规定》第五条、第二十一条",
        "初次违法，在责令改正期限内改正，未造成危害后果。",
    ),
    (
        "WSJK-001",
        "WSJK",
        "公共场所经营者未在醒目位置公示卫生许可证、卫生检测结果。",
        "《公共场所卫生管理条例实施细则》第二十条、第三十六条",
        "首次被发现，当场或在责令改正期限内改正。",
    ),
]


def _exemptions_seed() -> None:
    office = _user("office")
    for code, department, description, legal_basis, conditions in EXEMPTIONS:
        if not ExemptionItem.objects.filter(code=code).exists():
            services.exemption_save(
                actor=office,
                item=None,
                code=code,
                department=_department(department),
                description=description,
                legal_basis=legal_basis,
                conditions=conditions,
            )


def _matters(code: str, *names: str) -> list[Matter]:
    return [Matter.objects.get(department__code=code, name=name, is_active=True) for name in names]


def _item(plan: AnnualPlan, username: str, data: PlanItemData) -> PlanItem:
    return services.plan_item_save(actor=_user(username), plan=plan, item=None, data=data)


def _joint_plan_seed() -> None:
    if AnnualPlan.objects.filter(scope=AnnualPlan.Scope.JOINT, year=DEMO_YEAR).exists():
        return
    office = _user("office")
    scjg, jyj, wsjk = _department("SCJG"), _department("JYJ"), _department("WSJK")
    food = _sub_registry("SCJG", "食品经营者", "持有食品经营许可证的经营者")
    schools = _sub_registry("JYJ", "民办学校", "经审批设立的民办中小学、幼儿园和培训机构")
    measuring = _sub_registry("SCJG", "使用强制检定计量器具的单位", "加油站、集贸市场、医疗机构等")
    plan = services.plan_create(
        actor=office,
        scope=AnnualPlan.Scope.JOINT,
        year=DEMO_YEAR,
        description="坚持“进一次门、查多项事”，同一时期对同一对象的检查合并实施；一般检查事项抽查比例不得超过清单上限。",
    )
    _item(
        plan,
        "office",
        PlanItemData(
            title="食品经营者和公共场所卫生风险分类联查",
            initiator=scjg,
            initiator_matters=_matters("SCJG", "食品经营者的监督检查"),
            participants=[(wsjk, _matters("WSJK", "公共场所卫生的检查"))],
            form=PlanItem.Form.RISK_BASED,
            methods=[Method.ON_SITE],
            sub_registries=[food],
            sampling=PlanItem.Sampling.RISK_RATIO,
            ratio_a=Decimal("1"),
            ratio_b=Decimal("2"),
            ratio_c=Decimal("4"),
            ratio_d=Decimal("5"),
            start_date=datetime.date(DEMO_YEAR, 4, 1),
            end_date=datetime.date(DEMO_YEAR, 6, 30),
            batch_size=20,
        ),
    )
    _item(
        plan,
        "office",
        PlanItemData(
            title="民办学校办学行为和信息公示综合联查",
            initiator=jyj,
            initiator_matters=_matters("JYJ", "民办学校办学行为的检查"),
            participants=[(scjg, _matters("SCJG", "企业公示信息的检查"))],
            form=PlanItem.Form.COMPREHENSIVE,
            methods=[Method.ON_SITE, Method.DOCUMENTS],
            sub_registries=[schools],
            sampling=PlanItem.Sampling.RATIO,
            ratio=Decimal("3"),
            start_date=datetime.date(DEMO_YEAR, 9, 1),
            end_date=datetime.date(DEMO_YEAR, 10, 31),
        ),
    )
    services.plan_approve(
        actor=office, plan=plan, meeting="2026年第1次联席会议", meeting_date=datetime.date(DEMO_YEAR, 1, 20)
    )
    services.plan_publish(actor=office, plan=plan)
    services.plan_revise(actor=office, plan=plan, reason="根据上半年抽查情况，增加计量器具专项整治联查。")
    _item(
        plan,
        "office",
        PlanItemData(
            title="计量器具使用情况专项整治联查",
            initiator=scjg,
            initiator_matters=_matters("SCJG", "计量器具使用情况的检查"),
            participants=[],
            form=PlanItem.Form.SPECIAL,
            methods=[Method.ON_SITE],
            sub_registries=[measuring],
            sampling=PlanItem.Sampling.RATIO,
            ratio=Decimal("2"),
            start_date=datetime.date(DEMO_YEAR, 7, 15),
            end_date=datetime.date(DEMO_YEAR, 12, 15),
        ),
    )
    services.plan_approve(
        actor=office, plan=plan, meeting="2026年第3次联席会议", meeting_date=datetime.date(DEMO_YEAR, 7, 3)
    )
    services.plan_publish(actor=office, plan=plan)
    _backdate(plan, {1: (datetime.date(DEMO_YEAR, 1, 20), 14), 2: (datetime.date(DEMO_YEAR, 7, 3), 15)})


def _department_plans_seed() -> None:
    scjg = _department("SCJG")
    if not AnnualPlan.objects.filter(
        scope=AnnualPlan.Scope.DEPARTMENT, year=DEMO_YEAR, department=scjg
    ).exists():
        plan = services.plan_create(
            actor=_user("scjg_staff"), scope=AnnualPlan.Scope.DEPARTMENT, year=DEMO_YEAR
        )
        _item(
            plan,
            "scjg_staff",
            PlanItemData(
                title="企业信息公示随机抽查",
                initiator=scjg,
                initiator_matters=_matters("SCJG", "企业公示信息的检查"),
                participants=[],
                form=PlanItem.Form.COMPREHENSIVE,
                methods=[Method.DOCUMENTS, Method.ON_SITE],
                sub_registries=[
                    _sub_registry("SCJG", "企业信息公示抽查对象", "辖区内存续的企业和农民专业合作社")
                ],
                sampling=PlanItem.Sampling.RATIO,
                ratio=Decimal("3"),
                start_date=datetime.date(DEMO_YEAR, 5, 1),
                end_date=datetime.date(DEMO_YEAR, 11, 30),
                batch_size=50,
            ),
        )
        _item(
            plan,
            "scjg_staff",
            PlanItemData(
                title="特种设备使用单位监督抽查",
                initiator=scjg,
                initiator_matters=_matters("SCJG", "特种设备使用单位的监督检查"),
                participants=[],
                form=PlanItem.Form.SPECIAL,
                methods=[Method.ON_SITE],
                sub_registries=[_sub_registry("SCJG", "特种设备使用单位", "在用特种设备的使用单位")],
                sampling=PlanItem.Sampling.COUNT,
                target_count=40,
                start_date=datetime.date(DEMO_YEAR, 3, 1),
                end_date=datetime.date(DEMO_YEAR, 8, 31),
            ),
        )
        services.plan_submit(actor=_user("scjg_head"), plan=plan)
        services.plan_file(actor=_user("office"), plan=plan)
        services.plan_publish(actor=_user("scjg_head"), plan=plan)
        _backdate(plan, {1: (datetime.date(DEMO_YEAR, 1, 22), 10)})
        AnnualPlan.objects.filter(pk=plan.pk).update(
            submitted_at=_at(datetime.date(DEMO_YEAR, 1, 22), 10),
            filed_submission_at=_at(datetime.date(DEMO_YEAR, 1, 22), 10),
            first_filed_at=_at(datetime.date(DEMO_YEAR, 1, 22), 13),
        )
    jyj = _department("JYJ")
    if not AnnualPlan.objects.filter(
        scope=AnnualPlan.Scope.DEPARTMENT, year=DEMO_YEAR, department=jyj
    ).exists():
        plan = services.plan_create(
            actor=_user("jyj_staff"), scope=AnnualPlan.Scope.DEPARTMENT, year=DEMO_YEAR
        )
        _item(
            plan,
            "jyj_staff",
            PlanItemData(
                title="民办学校办学行为随机抽查",
                initiator=jyj,
                initiator_matters=_matters("JYJ", "民办学校办学行为的检查"),
                participants=[],
                form=PlanItem.Form.COMPREHENSIVE,
                methods=[Method.ON_SITE, Method.DOCUMENTS],
                sub_registries=[_sub_registry("JYJ", "民办学校", "经审批设立的民办中小学、幼儿园和培训机构")],
                sampling=PlanItem.Sampling.RATIO,
                ratio=Decimal("8"),
                start_date=datetime.date(DEMO_YEAR, 3, 1),
                end_date=datetime.date(DEMO_YEAR, 6, 30),
            ),
        )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _backdate(plan: AnnualPlan, revisions: dict[int, tuple[datetime.date, int]]) -> None:
    """Date a demo plan's history as if it had been done on the given days."""
    for number, (day, hour) in revisions.items():
        PlanRevision.objects.filter(plan=plan, number=number).update(
            frozen_at=_at(day, hour), published_at=_at(day, hour + 1)
        )
        PlanStep.objects.filter(plan=plan, revision=number).update(at=_at(day, hour))


@transaction.atomic
def plans_demo_seed() -> None:
    edition = _catalog_seed()
    _claims_seed(edition)
    _matter_lists_publish()
    _exemptions_seed()
    _joint_plan_seed()
    _department_plans_seed()
