import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import AuditEvent
from plans import services
from plans.models import AnnualPlan, PlanItem
from tests.conftest import client_for, make_user
from tests.plans.helpers import YEAR, department_plan, item_data, sub_registry


def item_post(
    registry_pk: int,
    initiator: tuple[str, list[int]] | None,
    participants: list[tuple[str, list[int]]],
    **values,
):
    data = {
        "title": "食品经营者综合联查",
        "form": "综合联查",
        "methods": ["实地核查"],
        "sub_registries": [registry_pk],
        "industry_prefixes": "f52, H62",
        "sampling": "ratio",
        "ratio": "3",
        "frequency": "每年1次",
        "start_date": f"{YEAR}-03-01",
        "end_date": f"{YEAR}-06-30",
        "batch_size": "",
        "note": "",
        "participants-TOTAL_FORMS": str(len(participants)),
        "participants-INITIAL_FORMS": str(len(participants)),
        "participants-MIN_NUM_FORMS": "0",
        "participants-MAX_NUM_FORMS": "1000",
    }
    if initiator is not None:
        data["initiator-department"] = initiator[0]
        data["initiator-matters"] = initiator[1]
    for index, (department, matters) in enumerate(participants):
        data[f"participants-{index}-department"] = department
        data[f"participants-{index}-matters"] = matters
    data.update(values)
    return data


@pytest.fixture
def joint(office_user):
    return services.plan_create(actor=office_user, scope=AnnualPlan.Scope.JOINT, year=YEAR)


def test_the_office_adds_a_joint_task_with_ordered_participants(joint, office_user, matters, scjg, jyj):
    data = item_post(
        sub_registry().pk,
        (str(scjg.pk), [matters["metering"].pk]),
        [(str(jyj.pk), [matters["schools"].pk]), ("", [])],
    )
    response = client_for(office_user).post(reverse("plan-item-create", args=[joint.pk]), data)
    assert response.status_code == 302
    item = joint.items.get()
    assert [
        (role.order, role.department.code, [m.name for m in role.matters.all()])
        for role in item.departments.all()
    ] == [
        (0, "SCJG", ["计量器具使用情况的检查"]),
        (1, "JYJ", ["民办学校办学行为的检查"]),
    ]
    assert (item.ratio, item.industry_prefixes) == (Decimal("3"), ["F52", "H62"])


def test_the_task_form_shows_the_cap_problem_and_the_chosen_departments_matters(
    joint, office_user, matters, scjg, jyj
):
    data = item_post(
        sub_registry().pk,
        (str(scjg.pk), [matters["metering"].pk]),
        [(str(jyj.pk), [])],
        ratio="6",
    )
    response = client_for(office_user).post(reverse("plan-item-create", args=[joint.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "抽查比例 6% 超过一般检查事项“计量器具使用情况的检查”（区市场监管局）的比例上限 5%。" in page
    assert "参与部门“区教育局”未选择抽查事项。" in page
    assert "JYJ-001 民办学校办学行为的检查（一般，上限10%）" in page  # the participant's list is offered
    assert not PlanItem.objects.exists()


def test_the_task_form_offers_a_departments_matters_on_choosing_it(joint, office_user, matters, jyj):
    client = client_for(office_user)
    url = reverse("plan-matter-options", args=[joint.pk])
    response = client.get(
        url, {"prefix": "participants-2", "participants-2-department": jyj.pk}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert 'name="participants-2-matters"' in page
    assert "JYJ-001 民办学校办学行为的检查" in page and "SCJG-" not in page
    assert client.get(url, {"prefix": "x-1"}).status_code == 404


def test_a_department_plans_initiator_is_fixed_to_the_department(staff, matters, jyj):
    plan = services.plan_create(actor=staff, scope=AnnualPlan.Scope.DEPARTMENT, year=YEAR)
    client = client_for(staff)
    form = client.get(reverse("plan-item-create", args=[plan.pk])).content.decode()
    assert 'name="initiator-department"' in form and "disabled" in form
    # A forged initiator is ignored: the department's own is used.
    data = item_post(sub_registry().pk, (str(jyj.pk), [matters["metering"].pk]), [])
    assert client.post(reverse("plan-item-create", args=[plan.pk]), data).status_code == 302
    assert plan.items.get().initiator.code == "SCJG"


def test_the_plan_export_has_the_real_layout_and_writes_no_formulas(staff, head, office_user, matters):
    plan = department_plan(staff, [matters["metering"]])
    services.plan_item_save(
        actor=staff,
        plan=plan,
        item=None,
        data=item_data(
            staff.department, [matters["food"]], title='=HYPERLINK("http://x")', ratio=Decimal("20")
        ),
    )
    services.plan_submit(actor=head, plan=plan)
    services.plan_file(actor=office_user, plan=plan)
    response = client_for(staff).get(reverse("plan-revision-export", args=[plan.pk, 1]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == f"罗庄区市场监督管理局{YEAR}年度随机抽查工作计划"
    assert sheet["A2"].value.startswith("第1版 · ")
    assert [cell.value for cell in sheet[3]] == [
        "序号", "任务名称", "抽查事项", "对象范围", "比例及频次", "信用风险分类要求", "起止时间",
        "发起部门", "配合部门", "抽查形式", "检查方式", "每批户数", "备注",
    ]  # fmt: skip
    assert [cell.value for cell in sheet[4]][:9] == [
        1,
        "食品经营者综合联查",
        "区市场监管局：计量器具使用情况的检查",
        "名录库：区市场监管局·食品经营者；镇街：全区；登记状态：存续",
        "抽查比例3%，每年1次",
        "不区分信用风险分类",
        f"{YEAR}年3月1日至{YEAR}年6月30日",
        "区市场监管局",
        "—",
    ]
    title = sheet["B5"]
    assert (title.value, title.data_type, title.quotePrefix) == ('=HYPERLINK("http://x")', "s", True)


def test_the_matter_list_export_follows_the_provincial_columns(staff, head, matters):
    services.matter_list_publish(actor=head, department=head.department)
    response = Client().get(reverse("public-matter-list-export", args=["SCJG", 1]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "罗庄区市场监督管理局随机抽查事项清单"
    assert [cell.value for cell in sheet[3]] == [
        "序号", "事项编号", "抽查类别", "抽查事项", "检查对象", "事项类别", "检查方式", "检查主体", "检查依据",
        "抽查比例和频次", "所需业务专长", "事项来源", "备注",
    ]  # fmt: skip
    rows = {row[3].value: row for row in sheet.iter_rows(min_row=4)}
    assert rows["计量器具使用情况的检查"][9].value == "不高于5%（默认3%），每年1次"
    assert rows["食品经营者的监督检查"][9].value == "不设上限（默认20%），每年1次"
    assert sheet.max_row == 6


def test_every_staff_export_is_audited_and_a_public_download_is_not(staff, head, office_user, matters):
    plan = department_plan(staff, [matters["metering"]])
    services.plan_submit(actor=head, plan=plan)
    services.plan_file(actor=office_user, plan=plan)
    services.plan_publish(actor=head, plan=plan)
    services.matter_list_publish(actor=head, department=head.department)
    before = AuditEvent.objects.count()
    for name, args in (
        ("public-plan-export", [plan.pk, 1]),
        ("public-matter-list-export", ["SCJG", 1]),
    ):
        assert Client().get(reverse(name, args=args)).status_code == 200
    assert AuditEvent.objects.count() == before
    client_for(staff).get(reverse("matter-list-export", args=["SCJG"]))
    client_for(office_user).get(reverse("plan-export", args=[plan.pk]))
    client_for(head).get(reverse("plan-revision-export", args=[plan.pk, 1]))
    events = AuditEvent.objects.filter(action="plans.export").order_by("pk")
    assert [(e.username, e.role, e.object_type, e.object_key, e.after) for e in events] == [
        (
            "staff1",
            "dept_staff",
            "抽查事项清单",
            "SCJG 工作稿",
            {"file": "区市场监管局随机抽查事项清单（工作稿）.xlsx"},
        ),
        (
            "office1",
            "office",
            "年度抽查计划",
            f"{YEAR}-SCJG 工作稿",
            {"file": f"{plan.title}（工作稿）.xlsx"},
        ),
        ("head1", "dept_head", "年度抽查计划", f"{YEAR}-SCJG 第1版", {"file": f"{plan.title}（第1版）.xlsx"}),
    ]


def test_the_public_site_links_to_the_lists_and_plans(db):
    page = Client().get(reverse("public-home")).content.decode()
    for name, label in (
        ("public-matter-lists", "抽查事项清单"),
        ("public-plans", "年度抽查计划"),
        ("public-exemptions", "轻微违法免罚清单"),
    ):
        assert f'<a href="{reverse(name)}">{label}</a>' in page
    listing = Client().get(reverse("public-plans")).content.decode()
    assert f'<a href="{reverse("public-plans")}" aria-current="page">年度抽查计划</a>' in listing


@pytest.mark.parametrize(
    ("who", "entries"),
    [
        ("office", ["事项清单", "年度计划", "省级清单", "免罚清单"]),
        ("staff", ["事项清单", "年度计划", "省级清单", "免罚清单"]),
        ("inspector", []),
        ("auditor", []),
    ],
)
def test_the_staff_menu_shows_plans_entries_to_planning_roles(cast, who, entries):
    page = client_for(cast[who]).get(reverse("staff-home"), follow=True).content.decode()
    for label in ("事项清单", "年度计划", "省级清单", "免罚清单"):
        assert (f">{label}</a>" in page) == (label in entries), label


def _plans_patterns():
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.urlconf_name.__name__ in {
            "plans.urls",
            "plans.public_urls",
        }:
            yield from (p for p in pattern.url_patterns if isinstance(p, URLPattern))


def test_every_plans_view_declares_who_may_open_it():
    patterns = list(_plans_patterns())
    assert len(patterns) == 48
    for pattern in patterns:
        view = pattern.callback
        assert getattr(view, "is_public", False) or getattr(view, "required_roles", None), pattern.name
        if pattern.name.startswith("public-"):
            assert getattr(view, "is_public", False), pattern.name


def test_staff_pages_send_anonymous_visitors_to_the_login_page(db):
    for name in ("matter-list", "plan-list", "catalog-editions", "exemption-list"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_office_member_who_is_also_department_staff_sees_both_sides(matters, office_user):
    both = make_user("both1", "SCJG", Role.OFFICE, Role.DEPT_STAFF)
    plan = department_plan(both, [matters["metering"]])
    page = client_for(both).get(reverse("plan-list")).content.decode()
    assert plan.title in page and "部门年度计划备案情况" in page
    listing = client_for(both).get(reverse("matter-list")).content.decode()
    assert "<h1>罗庄区市场监督管理局随机抽查事项清单</h1>" in listing and "各部门抽查事项清单" in listing
    office_only = client_for(office_user).get(reverse("plan-list")).content.decode()
    assert plan.title not in office_only  # a draft department plan is the department's own business
