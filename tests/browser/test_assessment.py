"""The office opens the assessment, drills into a figure and exports it, in a browser,
without a content-security-policy violation."""

import os

import pytest

from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import Job
from tests.browser.helpers import sign_in
from tests.conftest import make_user
from tests.office.helpers import YEAR, build_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_drills_into_a_score_and_exports_it(live_server, page, reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    office = make_user("office1", "SCJG", Role.OFFICE)
    case = build_case(
        office,
        make_user("staff1", "SCJG", Role.DEPT_STAFF),
        make_user("head1", "SCJG", Role.DEPT_HEAD),
        make_user("inspector1", "SCJG", Role.INSPECTOR),
        make_user("outsider1", "JYJ", Role.DEPT_STAFF),
    )
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Refused to" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server, "office1", landing="**/work/office/")

    page.get_by_role("link", name="考核评估", exact=True).first.click()
    page.select_option("#year", str(YEAR))
    page.get_by_label("截至").fill("2026-03-01")
    page.get_by_role("button", name="查看").click()
    row = page.get_by_role("row").filter(has_text=case.scjg.name)
    assert row.get_by_role("cell").last.inner_text() == "60.00"
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "assessment.png"), full_page=True)

    row.get_by_role("link", name="75.00").click()
    page.get_by_text("达标 3 / 应计 4").wait_for()
    page.get_by_role("button", name="导出 Excel").click()
    page.wait_for_url("**/work/jobs/**")
    page.get_by_role("link", name="下载").wait_for()
    job = Job.objects.get()
    assert (job.kind, job.status, job.params["params"]["metric"]) == ("office.export", "succeeded", "joint")

    page.goto(f"{live_server.url}/work/office/reports/summary/?year={YEAR}&as_of=2026-03-01")
    page.get_by_role("button", name="打印").wait_for()
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "summary.png"), full_page=True)
    assert problems == []
