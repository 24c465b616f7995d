"""What the draw (issue 5) reads from a plan item."""

from decimal import Decimal

import pytest
from django.urls import reverse

from plans import services
from plans.models import AnnualPlan, PlanItem
from plans.selectors import (
    plan_item_department_requirements,
    plan_item_frame,
    plan_item_frame_counts,
    plan_item_ratio_cap,
    plan_item_sampling,
    plan_items_in_force,
    plan_items_over_cap,
)
from plans.services import MatterData
from registry.models import ExpertiseTag, SubRegistryMembership, Target, Town
from tests.conftest import client_for
from tests.plans.helpers import YEAR, department_plan, item_data, sub_registry


@pytest.fixture
def joint(office_user):
    return services.plan_create(actor=office_user, scope=AnnualPlan.Scope.JOINT, year=YEAR)


def with_expertise(staff, matter, *names):
    data = MatterData.from_matter(matter)
    data.expertise = [ExpertiseTag.objects.get_or_create(name=name)[0] for name in names]
    return services.matter_adjust(actor=staff, matter=matter, data=data, reason="标注专长")


def test_the_effective_cap_is_the_lowest_cap_of_the_items_general_matters(
    joint, office_user, matters, scjg, jyj
):
    item = services.plan_item_save(
        actor=office_user,
        plan=joint,
        item=None,
        data=item_data(
            jyj,
            [matters["schools"]],
            participants=[(scjg, [matters["metering"], matters["adverts"], matters["food"]])],
        ),
    )
    cap = plan_item_ratio_cap(item)
    assert (cap.cap, cap.matter.name) == (Decimal("4"), "广告发布单位的检查")
    key_only = services.plan_item_save(
        actor=office_user, plan=joint, item=None, data=item_data(scjg, [matters["food"]], ratio=Decimal("50"))
    )
    assert plan_item_ratio_cap(key_only) is None


def test_required_expertise_is_given_per_department_in_slot_order(
    joint, office_user, staff, outsider, matters, scjg, jyj
):
    with_expertise(staff, matters["metering"], "计量")
    with_expertise(staff, matters["food"], "食品安全", "计量")
    with_expertise(outsider, matters["schools"], "教育督导")
    item = services.plan_item_save(
        actor=office_user,
        plan=joint,
        item=None,
        data=item_data(
            scjg, [matters["metering"], matters["food"]], participants=[(jyj, [matters["schools"]])]
        ),
    )
    assert [
        (need.department.code, need.is_initiator, [m.code for m in need.matters], need.expertise)
        for need in plan_item_department_requirements(item)
    ] == [
        ("SCJG", True, ["SCJG-001", "SCJG-003"], ["计量", "食品安全"]),
        ("JYJ", False, ["JYJ-001"], ["教育督导"]),
    ]


def test_the_sampling_rule_gives_ratios_per_stratum_or_a_count(joint, office_user, matters, scjg):
    def save(**values):
        return services.plan_item_save(
            actor=office_user, plan=joint, item=None, data=item_data(scjg, [matters["food"]], **values)
        )

    risk = plan_item_sampling(
        save(
            form=PlanItem.Form.RISK_BASED,
            sampling=PlanItem.Sampling.RISK_RATIO,
            ratio_a=Decimal("1"),
            ratio_b=Decimal("2.5"),
            ratio_c=Decimal("10"),
            ratio_d=Decimal("30"),
        )
    )
    assert (risk.is_stratified, risk.ratios, risk.count) == (
        True,
        {"A": Decimal("1"), "B": Decimal("2.5"), "C": Decimal("10"), "D": Decimal("30")},
        None,
    )
    assert plan_item_sampling(save(ratio=Decimal("3"))).ratios == {"ALL": Decimal("3")}
    counted = plan_item_sampling(save(sampling=PlanItem.Sampling.COUNT, target_count=40))
    assert (counted.ratios, counted.count) == ({}, 40)


def test_the_frame_is_the_sub_registries_members_that_pass_the_filters_and_are_active(
    joint, office_user, matters, scjg
):
    food, schools = sub_registry(), sub_registry("JYJ", "民办学校")
    town, other_town = Town.objects.get(name="罗庄街道"), Town.objects.get(name="傅庄街道")
    targets = {
        "in": Target.objects.create(code="T-IN", name="甲", town=town, industry_code="F5221", risk_class="C"),
        "in2": Target.objects.create(
            code="T-IN2", name="乙", town=town, industry_code="F5299", risk_class="A"
        ),
        "closed": Target.objects.create(
            code="T-CLOSED", name="丙", town=town, industry_code="F5221", status="注销"
        ),
        "elsewhere": Target.objects.create(code="T-ELSE", name="丁", town=other_town, industry_code="F5221"),
        "trade": Target.objects.create(code="T-TRADE", name="戊", town=town, industry_code="H6210"),
        "individual": Target.objects.create(
            code="T-IND", name="己", town=town, industry_code="F5221", kind="个体工商户"
        ),
        "unlisted": Target.objects.create(code="T-OUT", name="庚", town=town, industry_code="F5221"),
    }
    for key, target in targets.items():
        if key != "unlisted":
            SubRegistryMembership.objects.create(sub_registry=food, target=target)
    SubRegistryMembership.objects.create(sub_registry=schools, target=targets["in"])  # in two sub-registries
    item = services.plan_item_save(
        actor=office_user,
        plan=joint,
        item=None,
        data=item_data(
            scjg,
            [matters["food"]],
            sub_registries=[food, schools],
            towns=[town],
            target_kinds=["企业"],
            industry_prefixes=["F52"],
        ),
    )
    assert sorted(plan_item_frame(item).values_list("code", flat=True)) == ["T-IN", "T-IN2"]
    assert plan_item_frame_counts(item) == {"A": 1, "B": 0, "C": 1, "D": 0}


def test_only_filed_approved_or_published_plans_items_are_in_force(staff, head, office_user, matters):
    plan = department_plan(staff, [matters["metering"]])
    assert list(plan_items_in_force(year=YEAR)) == []
    services.plan_submit(actor=head, plan=plan)
    services.plan_file(actor=office_user, plan=plan)
    assert [item.title for item in plan_items_in_force(year=YEAR)] == ["食品经营者综合联查"]
    services.plan_revise(actor=staff, plan=plan, reason="调整")
    assert list(plan_items_in_force(year=YEAR)) == []


def test_lowering_a_cap_points_at_the_plan_items_now_above_it(staff, matters, office_user):
    plan = department_plan(staff, [matters["metering"]])  # ratio 3%
    matter = matters["metering"]
    data = MatterData.from_matter(matter)
    data.ratio_cap, data.default_ratio = Decimal("2"), Decimal("2")
    response = client_for(staff).post(
        reverse("matter-adjust", args=[matter.pk]),
        {
            **{
                name: getattr(data, name)
                for name in ("check_type", "name", "target_scope", "category", "frequency")
            },
            "ratio_cap": "2",
            "default_ratio": "2",
            "methods": data.methods,
            "inspecting_body": data.inspecting_body,
            "legal_basis": data.legal_basis,
            "note": "",
            "reason": "压减涉企检查",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "有 1 项计划任务的抽查比例超过了新的上限，请相应调整计划。" in page
    assert f"{plan.title}：任务1 食品经营者综合联查" in page
    assert plan_items_over_cap(matters["food"]) == []
