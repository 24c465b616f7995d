import pytest

from luozhuang_dsj.lib.roles import Role
from plans import services
from plans.models import AnnualPlan, PlanItem
from tests.browser.helpers import sign_in
from tests.conftest import make_user
from tests.plans.helpers import YEAR, claim, import_sample, sub_registry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_a_participant_offers_its_matters_and_the_task_is_saved(live_server, page, reference_data):
    office = make_user("office1", "SCJG", Role.OFFICE)
    import_sample(office)
    claim(make_user("staff1", "SCJG", Role.DEPT_STAFF), "计量器具使用情况的检查", cap="5")
    claim(make_user("wsjk1", "WSJK", Role.DEPT_STAFF), "公共场所卫生的检查", cap="5")
    registry = sub_registry()
    plan = services.plan_create(actor=office, scope=AnnualPlan.Scope.JOINT, year=YEAR)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, live_server, "office1")
    page.goto(f"{live_server.url}/work/plans/{plan.pk}/items/new/")
    page.get_by_label("任务名称").fill("计量和公共场所卫生联查")
    page.select_option("#id_initiator-department", label="区市场监管局")
    page.get_by_label("SCJG-001 计量器具使用情况的检查（一般，上限5%）").check()
    page.select_option("#id_participants-0-department", label="区卫健局")
    page.get_by_label("WSJK-001 公共场所卫生的检查（一般，上限5%）").check()
    page.get_by_label("实地核查").check()
    page.get_by_label(f"{registry.department.short_name}·{registry.name}").check()
    page.get_by_label("抽查比例（%）").fill("6")
    page.get_by_label("开始日期").fill(f"{YEAR}-04-01")
    page.get_by_label("结束日期").fill(f"{YEAR}-06-30")
    page.get_by_role("button", name="保存抽查任务").click()
    page.get_by_text("抽查比例 6% 超过一般检查事项").wait_for()
    assert not PlanItem.objects.exists()

    page.get_by_label("抽查比例（%）").fill("5")
    page.get_by_role("button", name="保存抽查任务").click()
    page.wait_for_url(f"**/work/plans/{plan.pk}/")
    item = PlanItem.objects.get()
    assert [
        (role.department.code, [m.code for m in role.matters.all()]) for role in item.departments.all()
    ] == [
        ("SCJG", ["SCJG-001"]),
        ("WSJK", ["WSJK-001"]),
    ]
    assert errors == []
