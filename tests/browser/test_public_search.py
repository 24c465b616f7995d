"""A member of the public finds a business by a part of its name and opens its page, on a
phone-sized screen, with the keyboard only for the search; files an objection with a photo;
downloads the open data."""

import csv
import re

import pytest

from disclosure.models import Objection
from opendata.snapshots import snapshot_write
from tests.disclosure.helpers import published, target
from tests.disclosure.test_objections import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_a_business_by_partial_name_objects_to_a_result_and_downloads_open_data(
    live_server, phone_page, reference_data, scjg, jyj, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
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

    page.get_by_label("联系人").fill("王经理")
    page.get_by_label("联系电话").fill("0539-8123456")
    page.get_by_label("异议理由").fill("检查当日已出示进货查验记录，结果有误。")
    page.get_by_label("证明材料（可选）").set_input_files(
        {"name": "进货查验记录.png", "mimeType": "image/png", "buffer": PNG}
    )
    question = page.locator("label[for=id_answer]").inner_text()
    first, second = map(int, re.search(r"(\d+) 加 (\d+)", question).groups())
    page.get_by_label("验证问题").fill(str(first + second))
    page.get_by_role("button", name="提交异议").click()
    page.wait_for_url("**/objections/*/")
    objection = Objection.objects.get()
    assert objection.reference in page.locator("main").inner_text()
    assert (objection.contact_name, objection.attachments.count()) == ("王经理", 1)
    assert objection.published_result.target_name == "罗庄区（盛庄）惠民粮油经营部"

    snapshot_write()
    page.goto(f"{live_server.url}/open-data/")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^CSV\s*：抽查检查结果$")).click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["检查对象名称"] for row in rows) == [
        "罗庄区另一家测试商店",
        "罗庄区（盛庄）惠民粮油经营部",
        "罗庄区（盛庄）惠民粮油经营部",
    ]
    assert problems == []
