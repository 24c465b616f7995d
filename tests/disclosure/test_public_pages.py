"""The public pages read only published results: search by a part of the name (full-width
or half-width) or the credit code, the business page across departments and years, the
task page; what is not published is nowhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from disclosure.models import PublishedResult
from registry.models import Department, Target
from tests.disclosure.helpers import closed_inspection, code_for, published, target, task_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(scjg, jyj):
    subject = target(1, "罗庄区（沂河）鑫源商贸有限公司")
    published(scjg, subject, codes=("01",))
    published(jyj, subject, codes=("02",), task=task_of(jyj, code="GK-JYJ-2025", year=2025))
    return subject


def test_a_partial_name_finds_the_business_with_full_width_or_half_width_characters(shop):
    client = Client()
    for text in ("鑫源", "(沂河)鑫源", "（沂河）鑫源", "沂河 ）鑫"):
        page = client.get(reverse("public-search"), {"q": text})
        assert page.status_code == 200
        assert page.content.decode().count(reverse("public-business", args=[shop.code])) == 2, text
    page = client.get(reverse("public-search"), {"q": "不存在的名称"})
    assert "没有查询到已公开的检查结果" in page.content.decode()


def test_a_credit_code_whole_or_its_beginning_finds_the_business(shop):
    client = Client()
    full_width = shop.code.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    for text in (shop.code, shop.code.lower(), shop.code[:10], full_width):
        page = client.get(reverse("public-search"), {"q": text})
        assert reverse("public-business", args=[shop.code]) in page.content.decode(), text


def test_search_filters_by_department_year_and_result(shop, scjg, jyj):
    client = Client()
    url = reverse("public-search")
    html = client.get(url, {"q": "鑫源", "department": jyj.pk}).content.decode()
    assert "未按规定公示应当公示的信息" in html and "未发现问题" not in html.split("查询结果")[1]
    html = client.get(url, {"q": "鑫源", "year": 2025}).content.decode()
    assert "GK-JYJ" not in html  # the task title shows, its code is on the business page
    assert "未按规定公示应当公示的信息" in html
    html = client.get(url, {"outcome": "clean"}).content.decode()
    assert html.split("查询结果")[1].count("罗庄区（沂河）鑫源商贸有限公司") == 1


def test_the_department_filter_follows_departments_saved_and_deleted(scjg):
    """The search form keeps its departments in the cache; saving or deleting one clears it."""
    client = Client()
    url = reverse("public-search")

    def offered() -> str:
        return client.get(url).content.decode().split('name="department"')[1].split("</select>")[0]

    assert f'<option value="{scjg.pk}">{scjg.short_name}</option>' in offered()
    added = Department.objects.create(code="XJB", name="罗庄区新建局", short_name="区新建局")
    assert f'<option value="{added.pk}">区新建局</option>' in offered()
    added.is_active = False
    added.save()
    assert "区新建局" not in offered()
    added.is_active = True
    added.save()
    assert "区新建局" in offered()
    gone = added.pk
    added.delete()
    assert "区新建局" not in offered()
    assert "选择一个有效的选项" in client.get(url, {"department": gone}).content.decode()


def test_the_business_page_lists_every_department_and_year(shop):
    page = Client().get(reverse("public-business", args=[shop.code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h2>2025年度</h2>" in html
    assert "区市场监管局" in html and "区教育局" in html
    assert html.count(reverse("public-objection", args=[PublishedResult.objects.first().pk])) == 1


def test_the_business_page_redirects_a_lower_case_code_to_the_stable_url(shop):
    page = Client().get(reverse("public-business", args=[shop.code.lower()]))
    assert page.status_code == 301
    assert page["Location"] == reverse("public-business", args=[shop.code])


def test_unpublished_results_are_invisible(scjg):
    hidden = target(2, "尚未公开的测试商店")
    inspection = closed_inspection(scjg, hidden, codes=("02",))
    client = Client()
    assert client.get(reverse("public-business", args=[hidden.code])).status_code == 404
    assert (
        "尚未公开的测试商店" not in client.get(reverse("public-search"), {"q": "测试商店"}).content.decode()
    )
    assert "尚未公开的测试商店" not in client.get(reverse("public-home")).content.decode()
    task_page = client.get(reverse("public-task", args=[inspection.task.code]))
    assert task_page.status_code == 404  # no draw, nothing published
    assert PublishedResult.objects.count() == 0


def test_the_task_page_shows_departments_matters_and_results_per_target(shop, scjg):
    page = Client().get(reverse("public-task", args=[f"GK-{scjg.code}"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "区市场监管局经营行为的检查" in html
    assert "罗庄区（沂河）鑫源商贸有限公司" in html
    assert "该任务不经随机抽取" in html


def test_an_individual_business_shows_its_operator_masked(scjg):
    subject = target(3, "罗庄区张记小吃店", kind=Target.Kind.INDIVIDUAL, operator="张三丰")
    row = published(scjg, subject)
    assert row.operator_masked == "张**"
    html = Client().get(reverse("public-business", args=[subject.code])).content.decode()
    assert "张**" in html and "张三丰" not in html


def test_home_shows_the_latest_publications_and_a_search_box(shop):
    html = Client().get(reverse("public-home")).content.decode()
    assert 'action="/search/"' in html
    assert "罗庄区（沂河）鑫源商贸有限公司" in html
    assert code_for(1) in html or reverse("public-business", args=[code_for(1)]) in html


def test_a_cancelled_draw_shows_its_reason_on_the_draw_list_and_the_task_page(
    office_user, staff, outsider, settings, tmp_path
):
    from inspections.services import draw_cancel
    from tests.inspections.helpers import build_world, prepared, special_task

    settings.MEDIA_ROOT = tmp_path
    world = build_world(office_user, staff, outsider, targets=8)
    task = special_task(world, staff)
    draw_cancel(
        actor=staff, draw=prepared(task, staff, minutes=60), reason="检查期间与全省专项行动重叠，改期抽取"
    )
    client = Client()
    listing = client.get(reverse("public-draws"), {"status": "cancelled"}).content.decode()
    assert "理由：检查期间与全省专项行动重叠，改期抽取" in listing
    assert reverse("public-task", args=[task.code]) in listing
    page = client.get(reverse("public-task", args=[task.code])).content.decode()
    assert "已取消（取消理由：检查期间与全省专项行动重叠，改期抽取）" in page
    assert "民办学校办学行为的检查" in page and "区教育局" in page


def test_a_committed_draw_is_on_the_home_page_with_its_commitment(
    office_user, staff, outsider, settings, tmp_path
):
    from tests.inspections.helpers import build_world, prepared, special_task

    settings.MEDIA_ROOT = tmp_path
    world = build_world(office_user, staff, outsider, targets=8)
    draw = prepared(special_task(world, staff), staff, minutes=60)
    home = Client().get(reverse("public-home")).content.decode()
    assert f'承诺值 <code class="hash">{draw.commitment}</code>' in home
    assert reverse("public-draw", args=[draw.pk]) in home
