import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans import services
from plans.models import AnnualPlan, PlanItem
from tests.plans.helpers import YEAR, item_data, sub_registry


@pytest.fixture
def joint(office_user):
    return services.plan_create(actor=office_user, scope=AnnualPlan.Scope.JOINT, year=YEAR)


def problems(error: pytest.ExceptionInfo) -> dict:
    return error.value.message_dict


def test_a_ratio_above_a_general_matters_cap_is_refused_naming_the_matter(joint, office_user, matters, scjg):
    data = item_data(scjg, [matters["metering"]], ratio=Decimal("5.01"))
    with pytest.raises(ValidationError) as error:
        services.plan_item_save(actor=office_user, plan=joint, item=None, data=data)
    assert problems(error) == {
        "ratio": ["抽查比例 5.01% 超过一般检查事项“计量器具使用情况的检查”（区市场监管局）的比例上限 5%。"]
    }
    assert not PlanItem.objects.exists()


def test_the_lowest_cap_of_all_departments_general_matters_applies(joint, office_user, matters, scjg, jyj):
    data = item_data(
        jyj,
        [matters["schools"]],
        participants=[(scjg, [matters["metering"], matters["adverts"], matters["food"]])],
        ratio=Decimal("4.5"),
    )
    with pytest.raises(ValidationError) as error:
        services.plan_item_save(actor=office_user, plan=joint, item=None, data=data)
    assert problems(error) == {
        "ratio": ["抽查比例 4.5% 超过一般检查事项“广告发布单位的检查”（区市场监管局）的比例上限 4%。"]
    }
    data.ratio = Decimal("4")
    item = services.plan_item_save(actor=office_user, plan=joint, item=None, data=data)
    assert item.ratio == Decimal("4")


def test_each_risk_class_ratio_is_held_to_the_cap(joint, office_user, matters, scjg):
    data = item_data(
        scjg,
        [matters["metering"]],
        form=PlanItem.Form.RISK_BASED,
        sampling=PlanItem.Sampling.RISK_RATIO,
        ratio_a=Decimal("0"),
        ratio_b=Decimal("2"),
        ratio_c=Decimal("5"),
        ratio_d=Decimal("30"),
    )
    with pytest.raises(ValidationError) as error:
        services.plan_item_save(actor=office_user, plan=joint, item=None, data=data)
    assert problems(error) == {
        "ratio_d": ["D类抽查比例 30% 超过一般检查事项“计量器具使用情况的检查”（区市场监管局）的比例上限 5%。"]
    }


def test_key_matters_alone_have_no_cap(joint, office_user, matters, scjg):
    data = item_data(
        scjg,
        [matters["food"]],
        form=PlanItem.Form.RISK_BASED,
        sampling=PlanItem.Sampling.RISK_RATIO,
        ratio_a=Decimal("10"),
        ratio_b=Decimal("20"),
        ratio_c=Decimal("50"),
        ratio_d=Decimal("100"),
        ratio=Decimal("99"),  # not used by this way of sampling, so not stored
    )
    item = services.plan_item_save(actor=office_user, plan=joint, item=None, data=data)
    assert (item.ratio, item.ratio_d) == (None, Decimal("100"))


def test_a_participant_without_a_matter_and_a_window_outside_the_year_are_refused(
    joint, office_user, matters, scjg, jyj
):
    data = item_data(
        scjg,
        [matters["metering"]],
        participants=[(jyj, [])],
        start_date=datetime.date(YEAR - 1, 12, 1),
        end_date=datetime.date(YEAR, 1, 31),
    )
    with pytest.raises(ValidationError) as error:
        services.plan_item_save(actor=office_user, plan=joint, item=None, data=data)
    assert problems(error) == {
        "participants": ["参与部门“区教育局”未选择抽查事项。"],
        "start_date": [f"起止时间须在计划年度（{YEAR}年）内。"],
    }


def test_departments_and_matters_must_fit_together(joint, office_user, matters, scjg, jyj):
    data = item_data(
        scjg,
        [],
        participants=[(jyj, [matters["metering"]]), (jyj, [matters["schools"]]), (scjg, [matters["food"]])],
    )
    with pytest.raises(ValidationError) as error:
        services.plan_item_save(actor=office_user, plan=joint, item=None, data=data)
    assert problems(error) == {
        "initiator_matters": ["发起部门“区市场监管局”未选择抽查事项。"],
        "participants": [
            "参与部门“区教育局”重复。",
            "“区市场监管局”已是发起部门，不能同时作为参与部门。",
            "“计量器具使用情况的检查”不是区教育局清单中的事项。",
        ],
    }


def test_sampling_scope_and_window_are_checked(joint, office_user, matters, scjg):
    data = item_data(
        scjg,
        [matters["metering"]],
        form=PlanItem.Form.RISK_BASED,
        ratio=Decimal("0"),
        sub_registries=[],
        industry_prefixes=["F52", "52-11"],
        start_date=datetime.date(YEAR, 6, 1),
        end_date=datetime.date(YEAR, 5, 1),
        batch_size=0,
        methods=[],
    )
    with pytest.raises(ValidationError) as error:
        services.plan_item_save(actor=office_user, plan=joint, item=None, data=data)
    assert problems(error) == {
        "methods": ["请至少选择一种检查方式。"],
        "sub_registries": ["请至少选择一个检查对象名录库分库。"],
        "industry_prefixes": ["行业代码前缀“52-11”格式不正确：应为门类字母和（或）数字，如 F52、5211。"],
        "sampling": ["风险分类联查须按信用风险分类分别设置抽查比例。"],
        "ratio": ["比例应大于 0 且不超过 100%。"],
        "end_date": ["结束日期不能早于开始日期。"],
        "batch_size": ["每批户数应为正整数；不分批请留空。"],
    }


def test_a_count_and_ratios_with_more_than_two_decimals(joint, office_user, matters, scjg):
    data = item_data(scjg, [matters["metering"]], ratio=Decimal("1.005"))
    with pytest.raises(ValidationError) as error:
        services.plan_item_save(actor=office_user, plan=joint, item=None, data=data)
    assert problems(error) == {"ratio": ["比例最多保留两位小数。"]}
    data = item_data(scjg, [matters["metering"]], sampling=PlanItem.Sampling.COUNT, target_count=0)
    with pytest.raises(ValidationError) as error:
        services.plan_item_save(actor=office_user, plan=joint, item=None, data=data)
    assert problems(error) == {"target_count": ["抽取户数应为正整数。"]}
    data.target_count = 40
    assert services.plan_item_save(actor=office_user, plan=joint, item=None, data=data).target_count == 40


def test_a_department_plan_is_initiated_by_its_own_department(staff, matters, scjg, jyj):
    plan = services.plan_create(actor=staff, scope=AnnualPlan.Scope.DEPARTMENT, year=YEAR)
    data = item_data(jyj, [matters["schools"]])
    with pytest.raises(ValidationError) as error:
        services.plan_item_save(actor=staff, plan=plan, item=None, data=data)
    assert problems(error) == {"initiator": ["部门年度计划的发起部门只能是区市场监管局。"]}


def test_only_the_owner_edits_plan_items(joint, office_user, staff, matters, scjg):
    data = item_data(scjg, [matters["metering"]])
    with pytest.raises(PermissionDenied):
        services.plan_item_save(actor=staff, plan=joint, item=None, data=data)
    plan = services.plan_create(actor=staff, scope=AnnualPlan.Scope.DEPARTMENT, year=YEAR)
    with pytest.raises(PermissionDenied):
        services.plan_item_save(actor=office_user, plan=plan, item=None, data=data)
    assert not PlanItem.objects.exists()


def test_participants_keep_their_order_and_their_matters(joint, office_user, matters, scjg, jyj):
    wsjk_matter = matters["schools"]  # any JYJ matter stands for the second department here
    data = item_data(
        scjg,
        [matters["metering"], matters["food"]],
        participants=[(jyj, [wsjk_matter])],
        sub_registries=[sub_registry(), sub_registry("JYJ", "民办学校")],
        industry_prefixes=["f52", "F52"],
    )
    data.industry_prefixes = [prefix.upper() for prefix in data.industry_prefixes]
    item = services.plan_item_save(actor=office_user, plan=joint, item=None, data=data)
    roles = list(item.departments.order_by("order"))
    assert [(role.order, role.department.code) for role in roles] == [(0, "SCJG"), (1, "JYJ")]
    assert sorted(matter.name for matter in roles[0].matters.all()) == [
        "计量器具使用情况的检查",
        "食品经营者的监督检查",
    ]
    assert item.industry_prefixes == ["F52"]
    assert item.sub_registries.count() == 2
