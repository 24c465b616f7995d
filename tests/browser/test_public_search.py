"""A member of the public finds a business by a part of its name and opens its page, on a
phone-sized screen, with the keyboard only for the search."""

import pytest

from tests.disclosure.helpers import published, target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_searches_a_business_by_partial_name_and_opens_its_page(
    live_server, phone_page, reference_data, scjg, jyj
):
    subject = target(41, "罗庄区（盛庄）惠民粮油经营部")
    published(scjg, subject, codes=("01",))
    published(jyj, subject, codes=("06",))
    published(scjg, target(42, "罗庄区另一家测试商店"))
    page = phone_page
    problems = []
    page.on(
        "console", lambda message: problems.append(message.text) if "Refused to" in message.text else None
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/")
    page.get_by_label("企业名称或统一社会信用代码").fill("惠民粮油")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    results = page.get_by_role("link", name="罗庄区（盛庄）惠民粮油经营部")
    assert results.count() == 2
    assert page.get_by_text("罗庄区另一家测试商店").count() == 0
    results.first.click()
    page.wait_for_url(f"**/businesses/{subject.code}/")
    assert page.get_by_role("heading", level=1).inner_text() == "罗庄区（盛庄）惠民粮油经营部"
    assert page.get_by_text("区市场监管局、区教育局").count() == 1
    assert page.get_by_text("发现问题经责令已改正").count() == 1
    assert page.get_by_role("link", name="对该结果提出异议").count() == 2
    page.get_by_role("link", name="对该结果提出异议").first.click()
    page.wait_for_url("**/objection/")
    assert page.get_by_label("联系人").is_visible()
    trap = page.locator("#id_website").bounding_box()
    assert trap["x"] + trap["width"] <= 0  # off the screen: people never see the trap field
    assert problems == []
