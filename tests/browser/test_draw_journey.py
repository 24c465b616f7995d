"""Issue 5's journey in a real browser: a department previews the frame and commits a
draw, the public sees the commitment before the draw, the draw is executed once, and the
public downloads the record, the frame and the verifier, which prints OK — and FAIL once
the record is tampered with."""

import datetime
import json
import subprocess
import sys

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from inspections.models import Draw, Inspection
from luozhuang_dsj.lib.roles import Role
from tests.browser.helpers import sign_in
from tests.conftest import make_user
from tests.inspections.helpers import build_world, special_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def task(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    office = make_user("office1", "SCJG", Role.OFFICE)
    staff = make_user("staff1", "SCJG", Role.DEPT_STAFF)
    outsider = make_user("outsider1", "JYJ", Role.DEPT_STAFF)
    return special_task(build_world(office, staff, outsider), staff)


def _download(page, link_name, path):
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).click()
    download.value.save_as(path)


def _verify(directory, record):
    (directory / "record.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    finished = subprocess.run(
        [sys.executable, "-I", "verifier.py", "record.json", "frame.txt"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return finished.stdout.strip().splitlines()[-1]


def test_a_department_commits_and_executes_and_the_public_verifies_the_draw(
    live_server, chromium, page, task, tmp_path
):
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "staff1")
    page.goto(f"{live_server.url}{reverse('task-detail', args=[task.pk])}")
    page.get_by_role("link", name="查看抽取范围").click()
    expect(page.locator("#preview")).to_contain_text("抽取范围（40 户）")  # loaded in place (htmx)
    scheduled = timezone.localtime() + datetime.timedelta(hours=2)
    page.get_by_label("计划抽取时间").fill(scheduled.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="冻结名单并公示抽取承诺").click()
    page.wait_for_url("**/work/draws/*/")
    draw = Draw.objects.get(task=task)
    assert draw.status == Draw.Status.PREPARED
    assert f"计划抽取时间 {scheduled:%Y-%m-%d %H:%M} 之后才能执行。" in page.locator("main").inner_text()

    # The public sees the commitment before the draw, and nothing it could steer it with.
    public = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    visitor = public.new_page()
    visitor.goto(f"{live_server.url}{reverse('public-draw', args=[draw.pk])}")
    text = visitor.locator("main").inner_text()
    assert "抽取承诺（尚未抽取）" in text
    assert draw.commitment in text and draw.frame_digest in text
    assert draw.server_secret not in visitor.content()

    # The scheduled time comes (moved back to the commitment's own time, the earliest one the
    # verifier accepts); the witness reads out the numbers.
    Draw.objects.filter(pk=draw.pk).update(scheduled_for=F("committed_at"))
    page.reload()
    page.get_by_role("link", name="录入见证输入并执行抽取").click()
    page.get_by_label("现场见证人").check()
    page.get_by_label("见证输入").fill("03 07 19 28")
    page.get_by_role("button", name="执行抽取").click()
    page.wait_for_url("**/work/jobs/**")
    assert "已完成" in page.locator(".job").inner_text()
    page.get_by_role("link", name="查看抽取结果").click()
    page.wait_for_url(f"**/work/draws/{draw.pk}/")
    draw.refresh_from_db()
    assert (draw.status, draw.witness_input, draw.witness_source) == ("executed", "03 07 19 28", "现场见证人")
    selected = Inspection.objects.filter(draw=draw).count()
    assert selected == draw.sample_total > 0
    assert page.get_by_role("link", name="录入见证输入并执行抽取").count() == 0  # executed once, for good

    # The public downloads the record, the frame and the verifier, and checks the draw.
    visitor.reload()
    assert "抽取记录" in visitor.locator("h2").all_inner_texts()
    _download(visitor, "下载抽取名单（frame.txt）", tmp_path / "frame.txt")
    _download(visitor, "下载校验程序（verifier.py）", tmp_path / "verifier.py")
    href = visitor.get_by_role("link", name="下载抽取记录（record.json）").get_attribute("href")
    record = visitor.request.get(f"{live_server.url}{href}").json()
    assert record["witness_input"] == "03 07 19 28"
    assert len(record["selected"]) == selected
    assert _verify(tmp_path, record) == "OK"
    record["witness_input"] = "03 07 19 29"
    assert _verify(tmp_path, record).startswith("FAIL")
    public.close()
