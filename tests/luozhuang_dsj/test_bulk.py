"""The bulk helpers answer the same on PostgreSQL (arrays, COPY) and elsewhere (the ORM)."""

from luozhuang_dsj.lib.bulk import fetch_by_keys
from registry.models import Target
from tests import sheets


def test_fetch_by_keys_reads_the_primary_key_as_pk(db):
    first = Target.objects.create(code=sheets.code(1), name="甲公司")
    second = Target.objects.create(code=sheets.code(2), name="乙公司")
    found = fetch_by_keys(Target, "code", ["pk", "name"], [sheets.code(2), sheets.code(1), sheets.code(3)])
    assert sorted(found) == [(sheets.code(1), first.pk, "甲公司"), (sheets.code(2), second.pk, "乙公司")]
