"""The newest published results a process holds for the search (disclosure.selectors.
RecentResults): the same rows as the database in the same order, and never stale — every
write to the published results changes the search generation, which each search reads."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disclosure import selectors
from disclosure.models import PublishedResult, SearchGeneration
from disclosure.selectors import SearchQuery
from tests.disclosure.helpers import matching_results, published, published_a_day_apart, target

pytestmark = pytest.mark.django_db

NAMES = ("罗庄区鑫源商贸有限公司", "临沂鑫源食品有限公司", "罗庄区盛庄百货商店", "临沂华鑫陶瓷有限公司")


@pytest.fixture
def results(scjg, jyj):
    """Two results per business, published a day apart each (their order is known)."""
    return published_a_day_apart(NAMES, [scjg, jyj])


def found(query: SearchQuery, offset: int = 0, count: int = 20) -> list[int]:
    return [row.pk for row in selectors.search_rows(query, offset, count)]


def test_the_window_answers_with_the_databases_rows_in_its_order(results, scjg, jyj):
    year = results[0].year
    queries = [
        SearchQuery(text="鑫源"),
        SearchQuery(text="有限公司", department=jyj.pk),
        SearchQuery(text="鑫", year=year),
        SearchQuery(text="鑫", year=year + 1),
        SearchQuery(department=scjg.pk),
        SearchQuery(text="陶瓷", outcome=results[0].outcome),
        SearchQuery(text=results[2].credit_code[:10]),  # a part of a code
        SearchQuery(text="不存在"),
    ]
    found(SearchQuery(text="鑫源"))  # the process reads the rows (and the bigram statistics)
    generation_read = selectors._GENERATION_SQL
    if connection.vendor == "postgresql":  # a statement prepared on the connection
        generation_read = f"EXECUTE {selectors.prepared.statement_name('search_generation', generation_read)}"
    for query in queries:
        wanted = matching_results(query)
        with CaptureQueriesContext(connection) as queries_run:
            assert found(query) == wanted, query
        # Only the generation is read: the rows come from memory (the whole table is there).
        assert [q["sql"] for q in queries_run] == [generation_read]
    assert found(SearchQuery(text="有限公司"), 2, 3) == matching_results(SearchQuery(text="有限公司"))[2:5]


def test_rows_carry_the_public_fields_and_aware_times(results, scjg):
    row = selectors.search_rows(SearchQuery(text="盛庄百货"), 0, 20)[-1]
    assert (row.target_name, row.result_label, row.department_short_name) == (
        "罗庄区盛庄百货商店",
        "未发现问题",
        scjg.short_name,
    )
    assert row.published_at == PublishedResult.objects.get(pk=row.pk).published_at
    assert row.published_at.tzinfo is not None
    assert not hasattr(row, "search_key") and not hasattr(row, "generation")


def test_a_window_smaller_than_the_table_leaves_older_matches_to_the_database(results, monkeypatch):
    monkeypatch.setattr(selectors, "RECENT_WINDOW", 3)
    held = selectors.recent_results()
    assert len(held.rows) == 3 and not held.complete
    # The three newest: two results of the 陶瓷 business and one of 盛庄百货.
    assert [row.pk for row in held.page("陶瓷", SearchQuery(text="陶瓷"), 0, 2)] == matching_results(
        SearchQuery(text="陶瓷")
    )
    assert held.page("盛庄", SearchQuery(text="盛庄"), 0, 2) is None  # older results may match too
    assert held.page("鑫源", SearchQuery(text="鑫源"), 0, 1) is None
    for text in ("盛庄", "鑫源", "陶瓷"):
        assert found(SearchQuery(text=text)) == matching_results(SearchQuery(text=text))


def test_a_new_publication_a_correction_and_a_renamed_department_are_seen_at_once(results, scjg):
    query = SearchQuery(text="鑫源")
    assert found(query) == matching_results(query)
    before = selectors.recent_results()
    added = published(scjg, target(9, "罗庄区鑫源五金店"), codes=("01",))
    assert found(query)[0] == added.pk and found(query) == matching_results(query)
    assert selectors.recent_results() is not before

    page = Client().get(reverse("public-search"), {"q": "鑫源"}).content.decode()
    assert page.count("<del>") == 0 and page.count("/businesses/") == 5
    PublishedResult.objects.filter(pk=added.pk).update(corrected_label="发现问题")
    assert selectors.search_rows(query, 0, 1)[0].corrected_label == "发现问题"
    page = Client().get(reverse("public-search"), {"q": "鑫源"}).content.decode()  # rows not built before
    assert page.count("<del>未发现问题</del><br><strong>更正为：发现问题</strong>") == 1

    scjg.short_name = "区市场监管局（新）"
    scjg.save(update_fields=["short_name"])
    assert selectors.search_rows(query, 0, 1)[0].department_short_name == "区市场监管局（新）"


def test_rows_written_and_rolled_back_are_not_shown_afterwards(results, scjg):
    query = SearchQuery(text="五金")
    with transaction.atomic():
        published(scjg, target(9, "罗庄区鑫源五金店"), codes=("01",))
        assert len(found(query)) == 1  # this transaction sees its row
        transaction.set_rollback(True)
    assert found(query) == []


def test_every_write_statement_gives_a_number_not_seen_before(results):
    seen = [SearchGeneration.objects.get().value]
    PublishedResult.objects.filter(pk=results[0].pk).update(correction_note="说明")
    seen.append(SearchGeneration.objects.get().value)
    with transaction.atomic():
        PublishedResult.objects.filter(pk=results[0].pk).update(correction_note="说明二")
        seen.append(SearchGeneration.objects.get().value)
        transaction.set_rollback(True)
    assert SearchGeneration.objects.get().value == seen[1]  # the rolled-back number is gone…
    PublishedResult.objects.filter(pk=results[0].pk).update(correction_note="说明三")
    seen.append(SearchGeneration.objects.get().value)
    assert len(set(seen)) == 4  # …and not given again


def test_without_a_generation_the_database_answers(results):
    SearchGeneration.objects.all().delete()
    assert selectors.recent_results() is None
    assert found(SearchQuery(text="鑫源")) == matching_results(SearchQuery(text="鑫源"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_emptying_the_table_changes_the_generation(results):
    before = SearchGeneration.objects.get().value
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign-key checks left pending
        cursor.execute("TRUNCATE disclosure_publishedresult CASCADE")
    assert SearchGeneration.objects.get().value != before
    assert found(SearchQuery(text="鑫源")) == []
