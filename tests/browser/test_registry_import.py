"""A department's day with the registry: import a LibreOffice list, fix it from the preview,
see the registry, export it again — in a real browser."""

import io

import openpyxl
import pytest

from luozhuang_dsj.demo import DEMO_PASSWORD, demo_accounts_seed
from registry.models import Target
from tests import sheets
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def upload(page, live_server, name, data):
    page.goto(f"{live_server.url}/work/registry/targets/import/")
    page.get_by_label("电子表格文件").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    )
    page.get_by_role("button", name="上传并校验").click()
    page.get_by_role("link", name="查看校验结果").click()


def test_the_office_imports_fixes_and_exports_a_libreoffice_list(
    live_server, page, reference_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    demo_accounts_seed()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "office", password=DEMO_PASSWORD)
    header = sheets.TARGET_HEADER
    bad = sheets.ods_bytes(
        [header, sheets.target_row(1), sheets.target_row(2, town="兰山街道")], title="罗庄区市场主体名录"
    )
    upload(page, live_server, "名录.ods", bad)
    assert page.locator("h2.bad").inner_text() == "问题行（共 1 行、1 处）"
    assert "不是本区的镇街" in page.locator("table").last.inner_text()
    assert page.get_by_role("button", name="确认导入").count() == 0

    good = sheets.ods_bytes(
        [header, sheets.target_row(1), sheets.target_row(2, town="黄山镇")], title="罗庄区市场主体名录"
    )
    upload(page, live_server, "名录（改）.ods", good)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_role("link", name="查看导入结果").click()
    assert "已于" in page.locator(".ok").inner_text()
    assert Target.objects.count() == 2

    page.goto(f"{live_server.url}/work/registry/targets/?q=测试商贸")
    assert page.get_by_role("link", name="临沂测试商贸有限公司2").count() == 1
    page.get_by_role("button", name="导出 Excel").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").click()
    with open(download.value.path(), "rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["临沂测试商贸有限公司1", "临沂测试商贸有限公司2"]
    assert rows[2][5] == "黄山镇"
