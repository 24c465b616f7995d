"""The bulk helpers answer the same on PostgreSQL (arrays, COPY) and elsewhere (the ORM)."""

import gc

import pytest
from django.db import IntegrityError, connection, transaction

from inspections.models import Visit
from luozhuang_dsj.lib.bulk import (
    check_deferred_constraints,
    fetch_by_keys,
    key_lookups_for_checks,
    paused_gc,
)
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


@pytest.mark.django_db(transaction=True)
def test_deferred_foreign_keys_are_checked_at_once_and_then_deferred_again():
    if connection.vendor != "postgresql":
        check_deferred_constraints()  # a no-op elsewhere
        return
    target = Target.objects.create(code=sheets.code(1), name="甲公司")
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(target_id=target.pk + 1000)
        check_deferred_constraints()  # the bad row is refused here, not at COMMIT
    with transaction.atomic():
        Visit.objects.create(target=target)
        check_deferred_constraints()
        with connection.cursor() as cursor:  # deferred again: a bad row may stand until the end
            cursor.execute(
                "INSERT INTO inspections_visit (target_id, created_at) VALUES (%s, now())", [target.pk + 1000]
            )
        Visit.objects.filter(target_id=target.pk + 1000).delete()
    assert Visit.objects.filter(target=target).count() == 1


def _seqscan() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_key_lookups_hold_for_the_transaction_only_and_the_checks_still_refuse_a_bad_row():
    if connection.vendor != "postgresql":
        key_lookups_for_checks()  # a no-op elsewhere
        return
    target = Target.objects.create(code=sheets.code(1), name="甲公司")
    with transaction.atomic():
        key_lookups_for_checks()
        assert _seqscan() == "off"
        with connection.cursor() as cursor:  # the check's own query: by primary key, with the index
            cursor.execute(
                "EXPLAIN SELECT 1 FROM ONLY registry_target x WHERE id = %s FOR KEY SHARE OF x", [target.pk]
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan" not in plan and "registry_target_pkey" in plan
        Visit.objects.create(target=target)
    assert _seqscan() == "on"
    with pytest.raises(IntegrityError), transaction.atomic():
        key_lookups_for_checks()
        Visit.objects.create(target_id=target.pk + 1000)  # refused at COMMIT, as before
    assert _seqscan() == "on"
    assert list(Visit.objects.values_list("target_id", flat=True)) == [target.pk]
