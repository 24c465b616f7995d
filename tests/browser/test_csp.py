"""The pages work under the content security policy: no violation in the browser console."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from luozhuang_dsj.demo import DEMO_PASSWORD, demo_accounts_seed
from luozhuang_dsj.models import Job
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page):
    problems = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_staff_pages_and_the_progress_bar_run_without_csp_violations(live_server, page, reference_data):
    users = {user.username: user for user in demo_accounts_seed()}
    job = Job.objects.create(
        kind="test.csp", title="导出测试", created_by=users["office"], total=10, done=4, status="running"
    )
    problems = _watch(page)
    sign_in(page, live_server, "office", password=DEMO_PASSWORD, landing="**/work/office/")
    page.goto(f"{live_server.url}/work/jobs/{job.pk}/")
    page.wait_for_timeout(1500)  # htmx polls once a second
    Job.objects.filter(pk=job.pk).update(status="succeeded", done=10)
    page.get_by_text("状态：已完成").wait_for()
    assert problems == []


def test_the_two_factor_enrolment_page_shows_its_qr_code_under_the_policy(
    live_server, page, reference_data, settings
):
    settings.REQUIRE_2FA = True
    demo_accounts_seed()
    problems = _watch(page)
    sign_in(page, live_server, "auditor", password=DEMO_PASSWORD, landing="**/accounts/2fa/setup/**")
    box = page.locator("figure.qr svg").bounding_box()
    assert box is not None and box["width"] >= 150
    assert TOTPDevice.objects.filter(user__username="auditor", confirmed=False).count() == 1
    assert problems == []
