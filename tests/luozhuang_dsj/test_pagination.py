"""CappedPaginator: never a whole-table count, and one capped scan per page."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from luozhuang_dsj.lib.pagination import CappedPaginator
from registry.models import Target
from tests import sheets


def test_above_the_cap_one_capped_scan_tells_the_count_and_one_query_fetches_the_page(db, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    Target.objects.bulk_create(Target(code=sheets.code(number), name=f"公司{number}") for number in range(5))
    paginator = CappedPaginator(Target.objects.order_by("code"), 2)
    with CaptureQueriesContext(connection) as queries:
        codes = [target.code for target in paginator.page(1)]
        assert (paginator.count, paginator.is_capped) == (4, True)
    assert codes == [sheets.code(0), sheets.code(1)]
    assert len(queries) == 2


def test_within_the_cap_the_count_is_exact_and_pages_come_by_key(db, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 10)
    Target.objects.bulk_create(Target(code=sheets.code(number), name=f"公司{number}") for number in range(5))
    paginator = CappedPaginator(Target.objects.order_by("-code"), 2)
    page = paginator.page(3)
    assert (paginator.count, paginator.num_pages, paginator.is_capped) == (5, 3, False)
    assert [target.code for target in page] == [sheets.code(0)]
