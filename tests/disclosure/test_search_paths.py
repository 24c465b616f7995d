"""The public search answers a query along one of three paths (disclosure.selectors.
search_rows): among the newest published results, through the name indexes, or by the
ordered scan. Whichever it takes, the rows and their order are those of the plain query
(every match, newest first), page after page; the pages are never counted."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disclosure import selectors
from disclosure.models import PublishedResult
from disclosure.selectors import SearchQuery
from tests.disclosure.helpers import matching_results, published_a_day_apart

pytestmark = pytest.mark.django_db

NAMES = (
    "罗庄区鑫源商贸有限公司",
    "临沂鑫源食品有限公司",
    "罗庄区盛庄百货商店",
    "临沂市源丰商贸有限公司",
    "罗庄区册山鑫源建材厂",
    "临沂华鑫陶瓷有限公司",
)


@pytest.fixture
def results(scjg, jyj):
    """Two results per business, published a day apart each (their order is known)."""
    return published_a_day_apart(NAMES, [scjg, jyj])


def reference(text: str) -> list[int]:
    """Every match of the plain query, newest first."""
    return matching_results(SearchQuery(text=text))


def every_page(text: str, per_page: int) -> list[int]:
    found, offset = [], 0
    while True:
        page = selectors.search_rows(SearchQuery(text=text), offset, per_page)
        found += [row.pk for row in page]
        if len(page) < per_page:
            return found
        offset += per_page


@pytest.mark.parametrize("text", ["鑫源", "商贸", "鑫源商贸", "源", "有限公司", "陶瓷", "不存在", "%", "_"])
@pytest.mark.parametrize(
    ("window", "sparse_keys"),
    [(2000, 2000), (2, 2000), (2, 3)],
    ids=["newest", "name-index", "ordered-scan"],
)
def test_every_path_gives_the_plain_querys_rows_in_its_order(results, monkeypatch, text, window, sparse_keys):
    monkeypatch.setattr(selectors, "RECENT_WINDOW", window)
    monkeypatch.setattr(selectors, "SPARSE_KEYS", sparse_keys)
    expected = reference(text)
    assert every_page(text, 3) == expected
    assert every_page(text, 20) == expected


def test_rows_carry_the_department_short_name_and_the_public_fields(results, scjg):
    row = selectors.search_rows(SearchQuery(text="盛庄百货"), 0, 20)[-1]
    assert row.department_short_name == scjg.short_name
    assert (row.target_name, row.result_label) == ("罗庄区盛庄百货商店", "未发现问题")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index is PostgreSQL's")
def test_a_two_character_name_is_looked_up_in_the_bigram_index(results):
    where = selectors._search_where(SearchQuery(text="鑫源"), indexed=True)
    assert where.sql == "disclosure_name_bigrams(search_key::text) @> ARRAY[%s]::text[]"
    with connection.cursor() as cursor:
        # Earlier tests' rolled-back rows stay in the index's pending list, which the
        # planner counts as the index's cost; a real table's list is merged by autovacuum.
        cursor.execute("SELECT gin_clean_pending_list('disclosure_public_result_search_bigram')")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT id FROM disclosure_publishedresult WHERE {where.sql}", where.params)  # noqa: S608  # nosec B608
        plan = "\n".join(line for (line,) in cursor.fetchall())
        cursor.execute("SELECT disclosure_name_bigrams('罗庄区鑫源|92371311')")
        assert sorted(cursor.fetchone()[0]) == sorted(["罗庄", "庄区", "区鑫", "鑫源"])
    assert "disclosure_public_result_search_bigram" in plan


def test_the_search_page_turns_pages_without_counting(results, monkeypatch):
    monkeypatch.setattr("luozhuang_dsj.lib.pagination.PEEK_PER_PAGE", 5)
    client = Client()
    url = reverse("public-search")
    first = client.get(url, {"q": "有限公司"}).content.decode()  # 8 matches: pages of 5
    assert "<span>第 1 页</span>" in first
    assert 'href="?q=%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8&amp;page=2">下一页' in first
    second = client.get(url, {"q": "有限公司", "page": 2}).content.decode()
    assert "第 2 页，共 8 条" in second and "下一页" not in second and "上一页" in second
    assert second.count("/businesses/") == 3
    beyond = client.get(url, {"q": "有限公司", "page": "3"}).content.decode()
    assert "<span>第 3 页（没有更多结果）</span>" in beyond and 'page=2">上一页' in beyond
    assert client.get(url, {"q": "有限公司", "page": "x"}).content.decode().count("/businesses/") == 5


def test_pages_stop_at_the_limit_and_ask_to_narrow_the_search(results, monkeypatch):
    monkeypatch.setattr("luozhuang_dsj.lib.pagination.PEEK_PER_PAGE", 2)
    monkeypatch.setattr("disclosure.views.SEARCH_PAGES", 2)
    html = Client().get(reverse("public-search"), {"q": "有限公司", "page": 5}).content.decode()
    assert "第 2 页（已到最后可翻阅的一页，请缩小查询范围）" in html
    assert "下一页" not in html


def test_rows_carry_times_as_the_pages_show_them(results):
    # 17:30 UTC is half past one the next morning in China: the page shows the Chinese date.
    moment = datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.UTC)
    PublishedResult.objects.filter(pk=results[0].pk).update(published_at=moment)
    rows = selectors.business_results(results[0].credit_code)
    row = next(row for row in rows if row.pk == results[0].pk)
    assert row.published_at == moment
    assert timezone.localtime(row.published_at).date() == datetime.date(2026, 3, 2)
    body = Client().get(reverse("public-business", args=[results[0].credit_code])).content.decode()
    assert "<td>2026-03-02</td>" in body


def test_a_name_with_a_rare_bigram_skips_the_window_and_finds_the_same_rows(results, monkeypatch):
    shares = selectors._BigramShares()
    shares.shares, shares.floor, shares.read_at = {"有限": 0.6, "鑫源": 0.3}, 0.001, float("inf")
    monkeypatch.setattr(selectors, "_bigram_shares", shares)
    assert selectors._known_sparse("陶瓷") and selectors._known_sparse("鑫源陶")
    assert not selectors._known_sparse("有限") and not selectors._known_sparse("鑫源")
    assert not selectors._known_sparse("源") and not selectors._known_sparse("9137131")  # no bigram; a code
    for text, window_read in (("陶瓷", False), ("有限", True)):
        with CaptureQueriesContext(connection) as queries:
            assert every_page(text, 20) == reference(text)
        # The generation's query (by its prepared statement's name on PostgreSQL) shows it.
        generation_read = any(
            "search_generation_" in query["sql"] or query["sql"] == selectors._GENERATION_SQL
            for query in queries
        )
        assert generation_read is window_read, text
    shares.floor = None  # no statistics: the window first, as before
    assert not selectors._known_sparse("陶瓷")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bigram index and its statistics are PostgreSQL's"
)
def test_bigram_shares_are_read_from_the_statistics_of_the_bigram_index(results):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disclosure_publishedresult")
    shares = selectors._BigramShares()
    assert shares.share_bound("有限") == pytest.approx(8 / 12)  # four of the six names, two results each
    assert shares.share_bound("陶瓷") == pytest.approx(2 / 12)
    assert shares.floor is not None and shares.share_bound("没有") == shares.floor


def test_a_bad_filter_is_shown_beside_its_field_and_searches_nothing(results):
    html = Client().get(reverse("public-search"), {"q": "有限公司", "year": "1999"}).content.decode()
    assert 'aria-invalid="true" aria-describedby="id_year_error" id="id_year"' in html
    assert (
        '<div id="id_year_error"><p class="error" role="alert">选择一个有效的选项。 1999 不在可用的选项中。</p></div>'
        in html
    )
    assert "/businesses/" not in html
    assert '<label for="id_q">企业名称或统一社会信用代码</label>' in html
    assert (
        '<input type="search" name="q" placeholder="输入名称的一部分或信用代码" maxlength="100" id="id_q" value="有限公司">'
        in html
    )
