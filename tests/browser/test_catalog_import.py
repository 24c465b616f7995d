"""The office brings in a new edition of the provincial list in a real browser: from the
editions page to the preview of what changes, then the new edition."""

import os

import pytest

from luozhuang_dsj.demo import DEMO_PASSWORD, demo_accounts_seed
from plans.models import CatalogEdition
from tests.browser.helpers import sign_in
from tests.plans.helpers import import_sample
from tests.plans.test_catalog_import import changed_table, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def snap(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_the_office_previews_and_imports_a_new_edition(live_server, page, reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo_accounts_seed()
    import_sample(title="2026年版")
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "office", password=DEMO_PASSWORD)

    page.goto(f"{live_server.url}/work/catalog/")
    page.get_by_role("link", name="导入新版本").click()
    page.get_by_label("版本名称").fill("2027年版")
    page.get_by_label("电子表格文件").set_input_files(
        {
            "name": "省级清单2027.xlsx",
            "mimeType": "application/octet-stream",
            "buffer": workbook(changed_table()),
        }
    )
    snap(page, "catalog-upload")
    page.get_by_role("button", name="上传并校验").click()
    page.get_by_role("link", name="查看校验结果").click()
    snap(page, "catalog-preview")
    assert "新增 1，修改 2，删除 1，未变 21" in page.locator("section", has_text="确认后将会").inner_text()
    assert "抽查比例和频次：不高于5% → 不高于3%" in page.locator("table").first.inner_text()

    page.get_by_role("button", name="确认导入").click()
    page.get_by_role("link", name="查看导入结果").click()
    assert "新增 1，修改 2，删除 1，未变 21" in page.locator(".ok").inner_text()
    page.goto(f"{live_server.url}/work/catalog/2/")
    snap(page, "catalog-edition")
    assert page.get_by_role("heading", name="第2版：2027年版").count() == 1
    assert CatalogEdition.objects.count() == 2
