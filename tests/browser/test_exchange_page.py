"""The office's exchange page in a real browser: a rejected upload explains itself, the
failed item is retried, no CSP violation."""

import pytest
from django.utils import timezone

from exchange.models import ExchangeItem
from luozhuang_dsj.demo import DEMO_PASSWORD, demo_accounts_seed
from tests import sheets
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_sees_a_rejected_file_and_retries_a_failed_item(
    live_server, page, reference_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXCHANGE_INBOX_DIR = tmp_path / "inbox"
    settings.EXCHANGE_OUTBOX_DIR = tmp_path / "outbox"
    demo_accounts_seed()
    item = ExchangeItem.objects.create(
        kind="plan",
        key="2027-SCJG-department",
        digest="a" * 64,
        version="第1版（已备案）",
        payload={"schema": "plan/1"},
        status="failed",
        attempts=10,
        last_error="无法连接省工作平台：timed out",
        next_attempt_at=timezone.now(),
    )
    problems = []
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and problems.append(message.text)
    )
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "office", password=DEMO_PASSWORD)

    page.get_by_role("link", name="省平台交换").click()
    assert "无法连接省工作平台：timed out" in page.locator("table").first.inner_text()
    page.get_by_label("文件类型").select_option("registry")
    bad = sheets.csv_bytes([["统一社会信用代码", "企业名称"], ["123", "罗庄上传商贸有限公司"]])
    page.get_by_label("省工作平台下发的文件").set_input_files(
        {"name": "名录.csv", "mimeType": "text/csv", "buffer": bad}
    )
    page.get_by_role("button", name="校验并导入").click()
    page.get_by_text("文件未导入，数据库未作任何改动。").first.wait_for()
    page.get_by_role("link", name="返回数据交换").click()
    assert "已拒收" in page.locator("table").nth(1).inner_text()
    page.screenshot(path=str(tmp_path / "exchange.png"), full_page=True)

    page.get_by_role("button", name="重试").click()
    page.wait_for_url(f"**/work/exchange/items/{item.pk}/")
    assert "已重新排入发送队列" in page.content()
    item.refresh_from_db()
    assert (item.status, item.attempts) == ("queued", 0)
    assert problems == []
