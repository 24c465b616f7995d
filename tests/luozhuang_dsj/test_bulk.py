"""The bulk helpers answer the same on PostgreSQL (arrays, COPY) and elsewhere (the ORM)."""

import gc

import pytest

from luozhuang_dsj.lib.bulk import bulk_insert, fetch_by_keys, paused_gc
from registry.models import Target
from tests import sheets


def test_fetch_by_keys_reads_the_primary_key_as_pk(db):
    first = Target.objects.create(code=sheets.code(1), name="甲公司")
    second = Target.objects.create(code=sheets.code(2), name="乙公司")
    found = fetch_by_keys(Target, "code", ["pk", "name"], [sheets.code(2), sheets.code(1), sheets.code(3)])
    assert sorted(found) == [(sheets.code(1), first.pk, "甲公司"), (sheets.code(2), second.pk, "乙公司")]


def test_fetch_by_keys_finds_text_keys_of_any_content_and_integer_keys(db):
    """Text keys travel as one string split by the server unless a key holds the separator."""
    odd = Target.objects.create(code="P-甲\x1f乙", name="产品甲")
    empty = Target.objects.create(code="", name="无代码")
    plain = Target.objects.create(code=sheets.code(1), name="甲公司")
    assert sorted(fetch_by_keys(Target, "code", ["pk"], [sheets.code(1), "P-甲\x1f乙", "无"])) == sorted(
        [(sheets.code(1), plain.pk), ("P-甲\x1f乙", odd.pk)]
    )
    assert fetch_by_keys(Target, "code", ["pk"], [""]) == [("", empty.pk)]
    assert sorted(fetch_by_keys(Target, "code", ["pk"], ["", sheets.code(1)])) == sorted(
        [("", empty.pk), (sheets.code(1), plain.pk)]
    )
    assert fetch_by_keys(Target, "pk", ["code"], [plain.pk]) == [(plain.pk, sheets.code(1))]


def test_bulk_insert_takes_rows_from_a_generator_and_the_timestamps_from_the_defaults(db):
    made = []

    def rows(count):
        for number in range(1, count + 1):
            made.append(number)  # made as the rows are written, not before
            yield (sheets.code(number), f"公司{number}", "企业", "", "", "", "存续", "B", False)

    fields = (
        "code",
        "name",
        "kind",
        "legal_representative",
        "address",
        "industry_code",
        "status",
        "risk_class",
    )
    fields += ("address_unreachable",)  # every NOT NULL column but the timestamps
    bulk_insert(Target, fields, rows(0))
    assert Target.objects.count() == 0
    bulk_insert(Target, fields, rows(3))
    assert made == [1, 2, 3]
    found = list(Target.objects.order_by("code").values_list("code", "name", "created_at", "updated_at"))
    assert [(code, name) for code, name, *_ in found] == [(sheets.code(n), f"公司{n}") for n in (1, 2, 3)]
    assert all(created is not None and updated is not None for *_, created, updated in found)


def test_paused_gc_pauses_the_collector_and_restores_it():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still on
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError
    assert gc.isenabled()
