"""The dashboard's charts draw under the content security policy (ECharts served locally)."""

import pytest

from luozhuang_dsj.demo import DEMO_PASSWORD, demo_accounts_seed
from tests.browser.helpers import sign_in
from tests.office.dashboard_world import YEAR, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_chart_of_the_dashboard_draws_a_canvas_without_csp_violations(
    live_server, page, reference_data
):
    users = {user.username: user for user in demo_accounts_seed()}
    build(users["office"])
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server, "office", password=DEMO_PASSWORD, landing="**/work/office/")
    page.goto(f"{live_server.url}/work/office/dashboard/?year={YEAR}")
    charts = page.locator(".chart")
    page.locator(".chart canvas").first.wait_for()
    assert charts.count() == 11
    assert page.locator(".chart canvas").count() == 11
    box = page.locator("#chart-coverage canvas").bounding_box()
    assert box is not None and box["height"] >= 200
    assert problems == []
