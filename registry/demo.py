"""Deterministic demo registries: the same seed gives the same targets and inspectors.

Credit codes are valid codes of the district (division 371311) with real-looking
organisation codes; names, addresses and owners are made up from common words and the
real towns in data/towns.csv. Used by `seed_demo` and the benchmarks; never in production.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.bulk import bulk_insert
from luozhuang_dsj.models import User
from registry import credit_code
from registry.models import (
    ConflictOfInterest,
    Department,
    ExpertiseTag,
    Inspector,
    InspectorUnavailability,
    SubRegistry,
    SubRegistryMembership,
    Target,
    Town,
)

DIVISION = "371311"
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰志强海燕东红梅新民春玲晓峰立波俊凤云飞鹏辉红霞庆丰振华成林文静子涵浩然思雨"
BRANDS = "鑫盛恒泰华兴鸿运金源瑞丰宏达永顺昌隆利民福顺嘉禾德润汇通众诚宝丰凯旋亿佳天成弘信卓越广源聚丰福瑞"
ROADS = (
    "沂河路",
    "罗庄大道",
    "湖北路",
    "湖南路",
    "盛庄路",
    "双月湖路",
    "龙潭路",
    "护台路",
    "傅庄路",
    "高都路",
    "册山路",
    "黄山大街",
    "褚墩大街",
    "沂堂路",
    "华夏路",
    "北京路",
)

# (industry code, what the business is called, kinds it appears in, weight)
INDUSTRIES = (
    ("5211", "百货", "shop", 14),
    ("5221", "食品超市", "shop", 10),
    ("5292", "日用品", "shop", 5),
    ("6210", "餐饮", "food", 12),
    ("6220", "快餐", "food", 6),
    ("5131", "五金建材", "trade", 8),
    ("5162", "商贸", "trade", 10),
    ("3071", "陶瓷", "factory", 4),
    ("3021", "建材", "factory", 3),
    ("3311", "钢结构", "factory", 2),
    ("2661", "化工", "factory", 2),
    ("2929", "塑料制品", "factory", 2),
    ("1391", "食品加工", "factory", 2),
    ("5437", "物流", "service", 6),
    ("5265", "加油站", "shop", 1),
    ("8051", "美容美发", "service", 4),
    ("8111", "汽车维修", "service", 3),
    ("6110", "宾馆", "service", 2),
    ("9011", "歌舞娱乐", "service", 1),
    ("8710", "网吧", "service", 1),
    ("7010", "房地产开发", "trade", 1),
    ("0141", "蔬菜种植", "farm", 3),
    ("0311", "畜禽养殖", "farm", 2),
    ("8411", "医院诊所", "org", 1),
    ("8331", "学校", "org", 1),
)
STATUS_MIX = (
    (Target.Status.ACTIVE, 90),
    (Target.Status.DEREGISTERED, 6),
    (Target.Status.REVOKED, 3),
    (Target.Status.MOVED_OUT, 1),
)
RISK_MIX = (("A", 30), ("B", 55), ("C", 12), ("D", 3))

# Each department's sub-registries: (name, description, industry codes of the members)
SUB_REGISTRIES = {
    "SCJG": (
        ("食品经营者", "持有食品经营许可证的经营者", ("5221", "6210", "6220")),
        ("食品生产者", "持有食品生产许可证的企业", ("1391",)),
        ("特种设备使用单位", "使用锅炉、压力容器、电梯等特种设备的单位", ("3071", "3311", "2661", "6110")),
        ("工业产品生产许可证获证企业", "", ("3021", "2929", "3311")),
        ("使用强制检定计量器具的单位", "加油站、集贸市场、医疗机构等", ("5265", "5221", "8411")),
        (
            "企业信息公示抽查对象",
            "辖区内存续的企业和农民专业合作社",
            ("5221", "6210", "3071", "3021", "5437", "7010"),
        ),
    ),
    "JYJ": (
        ("学校", "辖区中小学、幼儿园", ("8331",)),
        ("校外培训机构", "", ("8331",)),
        ("民办学校", "经审批设立的民办中小学、幼儿园和培训机构", ("8331",)),
    ),
    "WSJK": (("医疗机构", "", ("8411",)), ("公共场所", "住宿、美容美发等公共场所", ("6110", "8051"))),
    "YJGL": (("危险化学品经营单位", "", ("2661", "5265")), ("工贸企业", "", ("3071", "3021", "3311"))),
    "WHLY": (("娱乐场所", "", ("9011",)), ("互联网上网服务营业场所", "", ("8710",))),
    "STHJ": (("排污许可重点管理单位", "", ("3071", "2661", "2929")),),
    "SWJ": (("成品油零售经营企业", "", ("5265",)), ("单用途预付卡发卡企业", "", ("5211", "8051"))),
    "NYNC": (("农资经营者", "", ("0141",)), ("畜禽养殖场", "", ("0311",))),
    "JTFJ": (("道路货物运输经营者", "", ("5437",)), ("机动车维修经营者", "", ("8111",))),
    "ZFBZ": (("房地产开发企业", "", ("7010",)),),
}

# Each department's 业务专长.
EXPERTISE = {
    "SCJG": ("食品安全", "特种设备", "计量", "工业产品质量", "广告监管", "价格监督", "登记事项"),
    "JYJ": ("校园安全", "民办教育"),
    "WSJK": ("公共卫生", "医疗执业", "职业卫生"),
    "YJGL": ("危险化学品", "安全生产"),
    "WHLY": ("文化市场", "旅游市场"),
    "STHJ": ("排污许可", "环境监测"),
    "SWJ": ("成品油流通", "单用途预付卡"),
    "NYNC": ("农资质量", "动物防疫"),
    "JTFJ": ("道路运输", "机动车维修"),
    "GAFJ": ("治安管理", "消防"),
    "SWUJ": ("税收征管",),
    "ZFBZ": ("房地产市场",),
    "TJJ": ("统计执法",),
    "SFJ": ("行政执法监督",),
}
DEMO_INSPECTOR_ACCOUNTS = {"scjg_inspector": "SCJG", "jyj_inspector": "JYJ"}


def _weighted(rng: random.Random, pairs: tuple) -> str:
    return rng.choices([pair[0] for pair in pairs], weights=[pair[-1] for pair in pairs])[0]


def organisation_code(body8: str) -> str:
    """GB 11714 organisation code: 8 characters and a check character (0-9 or X)."""
    values = [int(char) if char.isdigit() else ord(char) - 55 for char in body8]
    check = 11 - sum(value * weight for value, weight in zip(values, ORG_WEIGHTS, strict=True)) % 11
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def make_credit_code(rng: random.Random, authority_kind: str) -> str:
    """A valid 统一社会信用代码 of the district: e.g. 91371311MA3C4K7P2X."""
    if authority_kind.startswith("9"):
        body = "MA" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    return credit_code.with_check_character(authority_kind + DIVISION + organisation_code(body))


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


@dataclass(frozen=True)
class DemoTarget:
    code: str
    name: str
    kind: str
    legal_representative: str
    address: str
    town: int
    industry_code: str
    status: str
    risk_class: str
    address_unreachable: bool


def demo_targets(count: int, seed: int, towns: list[tuple[int, str]]) -> Iterator[DemoTarget]:
    """`count` distinct targets, always the same for the same seed."""
    # Deterministic demo data (the same for the same seed), not a secret.
    rng = random.Random(f"targets-{seed}")  # nosec B311
    seen: set[str] = set()
    produced = 0
    while produced < count:
        industry, word, group, _ = INDUSTRIES[
            rng.choices(range(len(INDUSTRIES)), weights=[i[3] for i in INDUSTRIES])[0]
        ]
        town_pk, town_name = towns[rng.randrange(len(towns))]
        brand = rng.choice(BRANDS) + rng.choice(BRANDS)
        place = town_name.removesuffix("街道").removesuffix("镇")
        if group == "org":
            kind, authority = (
                Target.Kind.OTHER_ORGANISATION,
                "52" if industry == "8331" and rng.random() < 0.5 else "12",
            )
            name = f"临沂市罗庄区{place}{brand}{'学校' if industry == '8331' else '医院'}"
        elif group == "farm":
            kind, authority = Target.Kind.COOPERATIVE, "93"
            name = f"临沂市罗庄区{place}{brand}{word}专业合作社"
        elif group in {"shop", "food", "service"} and rng.random() < 0.55:
            kind, authority = Target.Kind.INDIVIDUAL, "92"
            suffix = {"shop": "店", "food": "饭店", "service": "部"}[group]
            name = f"罗庄区{place}{brand}{word}{suffix}"
        else:
            kind, authority = Target.Kind.ENTERPRISE, "91"
            name = f"临沂{brand}{word}有限公司"
        code = make_credit_code(rng, authority)
        if code in seen:
            continue
        seen.add(code)
        produced += 1
        yield DemoTarget(
            code=code,
            name=name,
            kind=kind,
            legal_representative=person_name(rng),
            address=f"山东省临沂市罗庄区{town_name}{rng.choice(ROADS)}{rng.randint(1, 999)}号",
            town=town_pk,
            industry_code=industry,
            status=_weighted(rng, STATUS_MIX),
            risk_class=_weighted(rng, RISK_MIX),
            address_unreachable=rng.random() < 0.01,
        )


FIELDS = (
    "code",
    "name",
    "kind",
    "legal_representative",
    "address",
    "town",
    "industry_code",
    "status",
    "risk_class",
    "address_unreachable",
    "created_at",
    "updated_at",
)


def demo_targets_seed(count: int, seed: int, *, chunk: int = 20000) -> int:
    """Insert the demo targets that are missing (idempotent). Returns how many were new."""
    towns = list(Town.objects.order_by("code").values_list("pk", "name"))
    before = Target.objects.count()
    now = timezone.now()
    batch: list[tuple] = []
    for target in demo_targets(count, seed, towns):
        batch.append((*target.__dict__.values(), now, now))
        if len(batch) >= chunk:
            with transaction.atomic():
                bulk_insert(Target, FIELDS, batch, ignore_conflicts=True)
            batch = []
    with transaction.atomic():
        bulk_insert(Target, FIELDS, batch, ignore_conflicts=True)
    return Target.objects.count() - before


def demo_sub_registries_seed(seed: int) -> int:
    """Sub-registries per department, filled with the targets of their industries (idempotent)."""
    # Deterministic demo data (the same for the same seed), not a secret.
    rng = random.Random(f"sub-registries-{seed}")  # nosec B311
    created = 0
    for department_code, lists in SUB_REGISTRIES.items():
        department = Department.objects.filter(code=department_code).first()
        if department is None:
            continue
        for name, description, industries in lists:
            sub_registry, was_created = SubRegistry.objects.get_or_create(
                department=department, name=name, defaults={"description": description}
            )
            created += was_created
            if not was_created:
                continue
            members = list(
                Target.objects.filter(industry_code__in=industries, status=Target.Status.ACTIVE)
                .order_by("code")
                .values_list("pk", flat=True)[:50000]
            )
            keep = [pk for pk in members if rng.random() < 0.85]
            now = timezone.now()
            bulk_insert(
                SubRegistryMembership,
                ("sub_registry", "target", "added_at"),
                [(sub_registry.pk, pk, now) for pk in keep],
            )
    return created


def demo_inspectors_seed(count: int, seed: int) -> int:
    """`count` inspectors over every active department (idempotent by code), with expertise,
    a few expired certificates, unavailable periods and declared conflicts."""
    # Deterministic demo data (the same for the same seed), not a secret.
    rng = random.Random(f"inspectors-{seed}")  # nosec B311
    departments = list(Department.objects.filter(is_active=True).order_by("code"))
    if not departments or count <= 0:
        return 0
    # The office's bureau has most of the enforcement staff; every department has some.
    weights = [6 if department.is_office else 1 for department in departments]
    per_department = {department.pk: 0 for department in departments}
    plan: list[Department] = list(departments)
    plan += rng.choices(departments, weights=weights, k=max(0, count - len(departments)))
    plan = plan[:count]
    today = timezone.localdate()
    tags = {}
    created = 0
    accounts = {
        code: User.objects.filter(username=username).first()
        for username, code in DEMO_INSPECTOR_ACCOUNTS.items()
    }
    for department in plan:
        per_department[department.pk] += 1
        number = per_department[department.pk]
        code = f"{department.code}-{number:04d}"
        roll = rng.random()
        if roll < 0.05:
            category, organisation = (
                Inspector.Category.EXPERT,
                rng.choice(("临沂大学", "山东省特种设备检验研究院临沂分院", "临沂市食品药品检验检测中心")),
            )
        elif roll < 0.08:
            category, organisation = (
                Inspector.Category.THIRD_PARTY,
                rng.choice(("山东正信会计师事务所", "临沂市计量测试所", "山东鲁南律师事务所")),
            )
        elif roll < 0.55:
            category, organisation = Inspector.Category.CIVIL_SERVANT, ""
        elif roll < 0.8:
            category, organisation = Inspector.Category.QUALIFIED, ""
        elif roll < 0.92:
            category, organisation = Inspector.Category.ROUTINE, ""
        else:
            category, organisation = Inspector.Category.COMPREHENSIVE, ""
        account = accounts.get(department.code) if number == 1 else None
        name = account.name if account else person_name(rng)
        if account:
            category, organisation = Inspector.Category.CIVIL_SERVANT, ""
        expert = category in Inspector.EXPERT_CATEGORIES
        certificate = "" if expert else f"37131100{department.pk:02d}{number:04d}"
        expired = not expert and not account and rng.random() < 0.04
        valid_until = (
            None
            if expert
            else today - dt.timedelta(days=rng.randint(10, 300))
            if expired
            else today + dt.timedelta(days=rng.randint(200, 1500))
        )
        inspector, was_created = Inspector.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "department": department,
                "category": category,
                "organisation": organisation,
                "certificate_number": certificate,
                "certificate_valid_until": valid_until,
                "is_active": rng.random() > 0.03 or bool(account),
                "phone": f"139{rng.randint(0, 99999999):08d}",
                "user": account if account and not Inspector.objects.filter(user=account).exists() else None,
            },
        )
        if not was_created:
            continue
        created += 1
        names = EXPERTISE.get(department.code) or ("综合执法",)
        chosen = sorted(set(rng.sample(names, k=min(len(names), rng.randint(1, 2)))))
        for tag_name in chosen:
            if tag_name not in tags:
                tags[tag_name], _ = ExpertiseTag.objects.get_or_create(name=tag_name)
        inspector.expertise.set([tags[name] for name in chosen])
        if rng.random() < 0.05:
            start = today + dt.timedelta(days=rng.randint(0, 60))
            InspectorUnavailability.objects.create(
                inspector=inspector,
                start=start,
                end=start + dt.timedelta(days=rng.randint(3, 20)),
                reason=rng.choice(("参加执法培训", "休假", "借调专项工作")),
            )
    return created


def demo_conflicts_seed(seed: int, count: int = 8) -> int:
    # Deterministic demo data (the same for the same seed), not a secret.
    rng = random.Random(f"conflicts-{seed}")  # nosec B311
    if ConflictOfInterest.objects.exists():
        return 0
    inspectors = list(
        Inspector.objects.exclude(category__in=Inspector.EXPERT_CATEGORIES).order_by("code")[:200]
    )
    targets = list(
        Target.objects.filter(status=Target.Status.ACTIVE)
        .order_by("code")
        .values_list("pk", flat=True)[:2000]
    )
    if not inspectors or not targets:
        return 0
    reasons = (
        "近亲属在该单位任职",
        "曾在该单位工作，离职未满三年",
        "与该单位负责人有利害关系",
        "本人持有该单位股份",
    )
    made = 0
    for inspector in rng.sample(inspectors, k=min(count, len(inspectors))):
        _, was_created = ConflictOfInterest.objects.get_or_create(
            inspector=inspector,
            target_id=rng.choice(targets),
            defaults={"reason": rng.choice(reasons), "declared_by": inspector.user},
        )
        made += was_created
    return made


def demo_inspector_accounts_link() -> None:
    """The demo inspector accounts (scjg_inspector, jyj_inspector) are their department's first inspector."""
    today = timezone.localdate()
    for username, department_code in DEMO_INSPECTOR_ACCOUNTS.items():
        account = User.objects.filter(username=username).first()
        if account is None or Inspector.objects.filter(user=account).exists():
            continue
        Inspector.objects.filter(code=f"{department_code}-0001", user__isnull=True).update(
            user=account,
            name=account.name,
            category=Inspector.Category.CIVIL_SERVANT,
            organisation="",
            certificate_number=f"3713110{department_code}0001",
            certificate_valid_until=today + dt.timedelta(days=3 * 365),
            is_active=True,
        )


@dataclass(frozen=True)
class DemoRegistryReport:
    targets: int
    sub_registries: int
    inspectors: int
    conflicts: int


def demo_registries_seed(*, targets: int, inspectors: int, seed: int) -> DemoRegistryReport:
    new_targets = demo_targets_seed(targets, seed)
    with transaction.atomic():
        sub_registries = demo_sub_registries_seed(seed)
        new_inspectors = demo_inspectors_seed(inspectors, seed)
        demo_inspector_accounts_link()
        conflicts = demo_conflicts_seed(seed)
        audit_record(
            action="demo.seed_registries",
            username="system",
            object_type="演示数据",
            after={
                "targets": new_targets,
                "sub_registries": sub_registries,
                "inspectors": new_inspectors,
                "conflicts": conflicts,
                "seed": seed,
            },
        )
    return DemoRegistryReport(new_targets, sub_registries, new_inspectors, conflicts)
