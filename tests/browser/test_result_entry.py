"""Result entry on a phone (375 px): an entry typed before the connection drops is kept in
the browser and restored after a reload, until the server confirms it has it."""

import pytest
from django.urls import reverse

from inspections.models import MatterResult
from luozhuang_dsj.lib.roles import Role
from tests.browser.a11y import wcag_problems
from tests.browser.helpers import sign_in
from tests.conftest import make_user
from tests.inspections.helpers import build_world, drawn_task, serve_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FINDINGS = "后厨未建立进货查验记录，部分食品无标签"


def _watch(page):
    problems = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.fixture
def setting(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    office = make_user("office1", "SCJG", Role.OFFICE)
    staff = make_user("staff1", "SCJG", Role.DEPT_STAFF)
    outsider = make_user("outsider1", "JYJ", Role.DEPT_STAFF)
    inspector = make_user("inspector1", "SCJG", Role.INSPECTOR)
    world = build_world(office, staff, outsider)
    inspection = drawn_task(world, staff).inspections.order_by("position").first()
    serve_as(inspector, inspection, world.scjg)
    return world, inspection


def test_a_result_typed_on_a_phone_survives_losing_the_connection_and_a_reload(
    live_server, phone_page, setting
):
    world, inspection = setting
    page = phone_page
    problems = _watch(page)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "inspector1", landing="**/work/inspector/")

    # 我的检查 lists the inspection; the card opens it, then the matter's entry form. Each
    # page passes the WCAG AA checks on the phone.
    assert wcag_problems(page) == ""
    page.get_by_role("link", name=inspection.target.name).click()
    assert wcag_problems(page) == ""
    page.get_by_role("link", name="录入结果").click()
    page.wait_for_url(f"**{reverse('result-entry', args=[inspection.pk, world.food.pk])}")
    assert wcag_problems(page) == ""
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("02 未按规定公示应当公示的信息").check()
    page.get_by_label("检查情况及发现的问题").fill(FINDINGS)
    page.locator("#draft-state").get_by_text("已在本机保存草稿").wait_for()

    page.context.set_offline(True)
    page.get_by_role("button", name="提交结果").click()
    page.locator("#draft-state").get_by_text("当前没有网络连接").wait_for()
    assert not MatterResult.objects.exists()

    page.context.set_offline(False)
    page.reload()
    page.locator("#draft-state").get_by_text("已恢复本机草稿").wait_for()
    assert page.get_by_label("检查情况及发现的问题").input_value() == FINDINGS
    assert page.get_by_label("02 未按规定公示应当公示的信息").is_checked()
    assert not MatterResult.objects.exists()

    # Back online, the draft goes to the server; once confirmed the local copy is dropped.
    page.get_by_role("button", name="保存草稿").click()
    page.locator("#draft-state").get_by_text("草稿已保存到服务器").wait_for()
    result = MatterResult.objects.get()
    assert (result.status, result.findings, [code.code for code in result.codes.all()]) == (
        "draft",
        FINDINGS,
        ["02"],
    )
    key = f"dsj-result:{inspection.pk}:{world.food.pk}"
    assert page.evaluate(f"window.localStorage.getItem('{key}')") is None
    assert problems == []


def test_the_form_works_without_javascript(live_server, chromium, setting):
    world, inspection = setting
    context = chromium.new_context(
        locale="zh-CN", java_script_enabled=False, viewport={"width": 375, "height": 740}
    )
    page = context.new_page()
    try:
        sign_in(page, live_server, "inspector1", landing="**/work/inspector/")
        page.goto(f"{live_server.url}{reverse('result-entry', args=[inspection.pk, world.food.pk])}")
        page.get_by_label("01 未发现问题").check()
        page.get_by_role("button", name="提交结果").click()
        page.wait_for_url(f"**{reverse('inspection-detail', args=[inspection.pk])}")
        assert MatterResult.objects.get().status == MatterResult.Status.SUBMITTED
    finally:
        context.close()
