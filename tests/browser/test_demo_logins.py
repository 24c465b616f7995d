import pytest

from luozhuang_dsj.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_accounts_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADINGS = {
    "office": "联席会议办公室工作台",
    "scjg_staff": "罗庄区市场监督管理局",
    "scjg_head": "罗庄区市场监督管理局",
    "scjg_inspector": "我的检查",
    "jyj_staff": "罗庄区教育局",
    "jyj_head": "罗庄区教育局",
    "jyj_inspector": "我的检查",
    "wsjk_staff": "罗庄区卫生健康局",
    "wsjk_head": "罗庄区卫生健康局",
    "auditor": "审计日志",
    "sysadmin": "用户管理",
    "secadmin": "账号安全",
}


def test_every_demo_account_logs_in_and_sees_its_chinese_home_page(live_server, page, reference_data):
    demo_accounts_seed()
    assert sorted(HEADINGS) == sorted(account.username for account in DEMO_ACCOUNTS)
    for account in DEMO_ACCOUNTS:
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.title() == "工作人员登录 · 罗庄区“双随机、一公开”信息公示"
        page.get_by_label("用户名").fill(account.username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/work/**")
        assert page.locator("h1").first.inner_text() == HEADINGS[account.username]
        assert page.locator(".who-name").inner_text() == account.name
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        page.get_by_role("button", name="退出").click()
        page.wait_for_url("**/accounts/login/")


def test_a_wrong_password_shows_a_chinese_error(live_server, page, reference_data):
    demo_accounts_seed()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").first.inner_text() == "用户名或密码错误。请注意区分大小写。"


def test_the_staff_shell_fits_a_375_pixel_screen(live_server, phone_page, reference_data):
    demo_accounts_seed()
    phone_page.goto(f"{live_server.url}/accounts/login/")
    phone_page.get_by_label("用户名").fill("sysadmin")
    phone_page.get_by_label("密码").fill(DEMO_PASSWORD)
    phone_page.get_by_role("button", name="登录").click()
    phone_page.wait_for_url("**/work/sysadmin/")
    # Nothing but the scrollable tables may be wider than the screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
