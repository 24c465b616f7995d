"""Open-data downloads: exact rows and columns in each format, only published data, no
personal data, and the pages that offer them."""

import codecs
import csv
import io
import json
import re

import openpyxl
import pytest
from django.test import Client

from opendata.datasets import DATASETS
from opendata.snapshots import opendata_root
from tests.opendata.helpers import PERSONAL

RESULT_HEADERS = [
    "记录编号",
    "统一社会信用代码/对象标识",
    "检查对象名称",
    "对象类型",
    "经营者（已脱敏）",
    "所属镇街",
    "检查部门代码",
    "检查部门",
    "年度",
    "任务编号",
    "任务名称",
    "事项编号",
    "抽查事项",
    "结果代码",
    "检查结果",
    "结果性质代码",
    "结果性质",
    "检查日期",
    "公开时间",
    "更正后结果",
    "更正说明",
    "更正时间",
]


def expected_results(world):
    clean, shop, school = (world.results[key] for key in ("clean", "shop", "school"))
    food_code, food = clean.matter_code, clean.matter_name
    return [
        [
            clean.pk,
            clean.credit_code,
            "罗庄测试商贸有限公司1号",
            "企业",
            "",
            "罗庄街道",
            "SCJG",
            "罗庄区市场监督管理局",
            2026,
            "SCJG-2026-001",
            "区市场监管局2026年第1次抽查",
            food_code,
            food,
            "01",
            "未发现问题",
            "clean",
            "未发现问题",
            "2026-10-10",
            "2026-11-02 10:00:00",
            "",
            "",
            "",
        ],
        [
            shop.pk,
            shop.credit_code,
            "罗庄区小明烧烤店",
            "个体工商户",
            "王*",
            "罗庄街道",
            "SCJG",
            "罗庄区市场监督管理局",
            2026,
            "SCJG-2026-001",
            "区市场监管局2026年第1次抽查",
            food_code,
            food,
            "02",
            "未按规定公示应当公示的信息",
            "problem",
            "发现问题",
            "2026-10-10",
            "2026-11-05 09:30:00",
            "已改正",
            "经复核，该户已于期限内改正",
            "2026-11-10 15:00:00",
        ],
        [
            school.pk,
            school.credit_code,
            '\'=HYPERLINK("http://example.com")培训学校',
            "企业",
            "",
            "罗庄街道",
            "JYJ",
            "罗庄区教育局",
            2025,
            "JYJ-2025-001",
            "区教育局2025年第1次抽查",
            "JYJ-001",
            "民办学校办学行为的检查",
            "06",
            "发现问题经责令已改正",
            "corrected",
            "已改正",
            "2025-10-10",
            "2026-11-03 10:00:00",
            "",
            "",
            "",
        ],
    ]


def _read(name):
    return (opendata_root() / "latest" / name).read_bytes()


def _csv_rows(name):
    data = _read(name)
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_rows(name):
    book = openpyxl.load_workbook(io.BytesIO(_read(name)), read_only=True)
    return [
        [("" if cell is None else cell) for cell in row]
        for row in book.worksheets[0].iter_rows(values_only=True)
    ]


def _json(name):
    return json.loads(_read(name))


def test_results_csv_has_exactly_the_published_rows_and_columns(snapshot, open_world):
    rows = _csv_rows("results.csv")
    assert rows[0] == RESULT_HEADERS
    assert rows[1:] == [[str(value) for value in row] for row in expected_results(open_world)]


def test_results_xlsx_has_the_same_rows_with_chinese_headers_and_formulas_neutralised(snapshot, open_world):
    rows = _xlsx_rows("results.xlsx")
    assert rows[0] == RESULT_HEADERS
    assert rows[1:] == expected_results(open_world)
    assert rows[3][2].startswith("'=")  # stored as text, never a formula
    book = openpyxl.load_workbook(io.BytesIO(_read("results.xlsx")))
    assert book.worksheets[0].title == "抽查检查结果"
    assert book.worksheets[0]["C4"].data_type == "s"


def shop_as_json(world):
    """The individual business's row as JSON and the API give it (the operator masked)."""
    shop = world.results["shop"]
    return {
        "id": shop.pk,
        "credit_code": shop.credit_code,
        "target_name": "罗庄区小明烧烤店",
        "target_kind": "个体工商户",
        "operator_masked": "王*",
        "town_name": "罗庄街道",
        "department_code": "SCJG",
        "department_name": "罗庄区市场监督管理局",
        "year": 2026,
        "task_code": "SCJG-2026-001",
        "task_title": "区市场监管局2026年第1次抽查",
        "matter_code": shop.matter_code,
        "matter_name": shop.matter_name,
        "result_codes": "02",
        "result_label": "未按规定公示应当公示的信息",
        "outcome": "problem",
        "outcome_label": "发现问题",
        "inspected_on": "2026-10-10",
        "published_at": "2026-11-05T09:30:00+08:00",
        "corrected_label": "已改正",
        "correction_note": "经复核，该户已于期限内改正",
        "corrected_at": "2026-11-10T15:00:00+08:00",
    }


def test_results_json_lists_fields_by_key_with_typed_values(snapshot, open_world):
    document = _json("results.json")
    assert (document["dataset"], document["title"]) == ("results", "抽查检查结果")
    assert document["generated_at"] == snapshot.manifest["generated_at"]
    assert document["fields"] == [spec.key for spec in DATASETS["results"].fields]
    assert [row["id"] for row in document["rows"]] == [
        open_world.results[key].pk for key in ("clean", "shop", "school")
    ]
    assert document["rows"][1] == shop_as_json(open_world)
    assert (
        document["rows"][2]["target_name"] == '=HYPERLINK("http://example.com")培训学校'
    )  # JSON is data, not a sheet


def test_plans_list_the_items_of_published_revisions_only(snapshot, open_world):
    plan = open_world.plan
    revision = plan.revisions.get()
    item = revision.snapshot["items"][0]
    expected = [
        str(plan.pk),
        "2027",
        "部门年度抽查工作计划",
        revision.snapshot["department"],
        revision.snapshot["title"],
        "1",
        "是",
        "",
        revision.frozen_at.astimezone(open_world_tz()).strftime("%Y-%m-%d %H:%M:%S"),
        revision.published_at.astimezone(open_world_tz()).strftime("%Y-%m-%d %H:%M:%S"),
        "",
        "",
        "1",
        item["title"],
        item["initiator"],
        "",
        "；".join(item["matters"]),
        item["scope"],
        item["ratio_frequency"],
        item["risk_requirement"],
        item["form"],
        "、".join(item["methods"]),
        item["window"],
        item["batch_size"],
        "",
    ]
    rows = _csv_rows("plans.csv")
    assert rows[0] == [spec.label for spec in DATASETS["plans"].fields]
    assert rows[1:] == [expected]  # 区教育局's plan is filed but not published: absent
    xlsx = _xlsx_rows("plans.xlsx")
    assert [str(value) for value in xlsx[1]] == expected
    document = _json("plans.json")
    assert len(document["rows"]) == 1
    assert document["rows"][0]["is_current"] is True
    assert document["rows"][0]["methods"] == item["methods"]


def open_world_tz():
    from django.utils import timezone

    return timezone.get_current_timezone()


def test_matter_lists_hold_the_published_versions_only(snapshot, open_world):
    version = open_world.matter_list
    rows = _csv_rows("matters.csv")
    assert rows[0] == [spec.label for spec in DATASETS["matters"].fields]
    assert [row[6] for row in rows[1:]] == ["SCJG-001", "SCJG-002"]
    assert [row[6] for row in rows[1:]] == [record["code"] for record in version.matters]
    assert {tuple(row[:4]) for row in rows[1:]} == {("SCJG", "罗庄区市场监督管理局", "1", "是")}
    first = version.matters[0]
    assert rows[1][7:] == [
        first["check_type"],
        first["name"],
        first["target_scope"],
        first["category"],
        "、".join(first["methods"]),
        first["inspecting_body"],
        first["legal_basis"],
        first["ratio_cap"],
        first["default_ratio"],
        first["frequency"],
        "、".join(first["expertise"]),
        first["source"],
        first["catalog_key"],
        first["note"],
    ]
    assert len(_xlsx_rows("matters.xlsx")) == len(rows)
    assert [row["code"] for row in _json("matters.json")["rows"]] == [
        record["code"] for record in version.matters
    ]


def test_the_manifest_counts_rows_and_hashes_every_file(snapshot):
    import hashlib

    manifest = json.loads(_read("manifest.json"))
    assert manifest["date"] == "2026-11-26"
    assert {key: facts["rows"] for key, facts in manifest["datasets"].items()} == {
        "results": 3,
        "plans": 1,
        "matters": 2,
    }
    for facts in manifest["datasets"].values():
        for file in facts["files"].values():
            data = _read(file["name"])
            assert (file["rows"], file["bytes"], file["sha256"]) == (
                facts["rows"],
                len(data),
                hashlib.sha256(data).hexdigest(),
            )


PHONE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def assert_no_personal_data(text):
    for label, value in PERSONAL.items():
        assert value not in text, f"{label} 出现在公开数据中"
    for name in ("检查员SCJG-02", "证SCJG-02", "专家甲"):
        assert name not in text
    assert not PHONE.search(text)
    assert not ID_NUMBER.search(text)


def test_no_personal_data_in_any_download(snapshot):
    for key in DATASETS:
        assert_no_personal_data(_read(f"{key}.csv").decode("utf-8-sig"))
        assert_no_personal_data(_read(f"{key}.json").decode("utf-8"))
        assert_no_personal_data(json.dumps(_xlsx_rows(f"{key}.xlsx"), ensure_ascii=False, default=str))


# ---- the pages -------------------------------------------------------------------------------


def test_the_index_offers_every_dataset_in_every_format_from_the_latest_snapshot(snapshot):
    page = Client().get("/open-data/").content.decode()
    for key in DATASETS:
        for extension in ("csv", "xlsx", "json"):
            assert f'href="/open-data/latest/{key}.{extension}"' in page
    assert "快照日期：2026-11-26" in page
    assert 'href="/open-data/dictionary/"' in page
    assert 'href="/feeds/publications.atom"' in page


def test_the_index_says_when_no_snapshot_exists_yet(open_world):
    page = Client().get("/open-data/").content.decode()
    assert "开放数据快照尚未生成" in page
    assert "/open-data/latest/results.csv" not in page


def test_a_snapshot_file_is_streamed_with_its_hash_as_etag(snapshot):
    client = Client()
    response = client.get("/open-data/latest/results.csv")
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body == _read("results.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="results-2026-11-26.csv"'
    etag = response["ETag"]
    assert etag == f'"{snapshot.manifest["datasets"]["results"]["files"]["csv"]["sha256"]}"'
    assert client.get("/open-data/latest/results.csv", HTTP_IF_NONE_MATCH=etag).status_code == 304
    dated = client.get("/open-data/2026-11-26/results.xlsx")
    assert b"".join(dated.streaming_content) == _read("results.xlsx")
    manifest = client.get("/open-data/2026-11-26/manifest.json")
    assert json.loads(b"".join(manifest.streaming_content)) == snapshot.manifest


@pytest.mark.parametrize(
    "path",
    ["/open-data/2026-11-25/results.csv", "/open-data/latest/secrets.csv", "/open-data/latest/lock.json"],
)
def test_a_missing_day_or_file_is_not_found(snapshot, path):
    assert Client().get(path).status_code == 404


def test_the_data_dictionary_lists_every_field_in_chinese(open_world):
    page = Client().get("/open-data/dictionary/").content.decode()
    for dataset in DATASETS.values():
        for spec in dataset.fields:
            assert (
                f'<code>{spec.key}</code></td><th scope="row">{spec.label}</th><td>{spec.type}</td>' in page
            )
    document = Client().get("/open-data/dictionary.json").json()
    assert [entry["key"] for entry in document["datasets"]] == ["results", "plans", "matters"]
    results = document["datasets"][0]
    assert results["fields"][4] == {
        "key": "operator_masked",
        "label": "经营者（已脱敏）",
        "type": "文本",
        "meaning": "仅个体工商户填写，姓名只保留姓氏（如“张*”）；其他对象为空。",
    }
    assert [field["key"] for field in results["fields"]] == [spec.key for spec in DATASETS["results"].fields]
