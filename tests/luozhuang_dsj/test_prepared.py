"""Statements prepared once per database connection (luozhuang_dsj.lib.prepared)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from luozhuang_dsj.lib import prepared

SQL = "SELECT CAST(%s AS integer) + CAST(%s AS integer) AS total, 'x' AS label"
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's")


def statements(run) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert run() == (["total", "label"], [(5, "x")])
    return [
        query["sql"].split(" AS SELECT ")[0] if query["sql"].startswith("PREPARE") else query["sql"]
        for query in queries
    ]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_is_prepared_once_per_connection():
    # A name of its own: the connection outlives tests, and transactional tests run last.
    name = prepared.statement_name("sample_once", SQL)
    run = lambda: prepared.fetch("sample_once", SQL, (2, 3))  # noqa: E731
    assert statements(run) == [f"PREPARE {name}", f"EXECUTE {name}(2, 3)"]
    assert statements(run) == [f"EXECUTE {name}(2, 3)"]
    connection.close()  # a new connection has none of them
    assert statements(run) == [f"PREPARE {name}", f"EXECUTE {name}(2, 3)"]


@postgresql_only
@pytest.mark.django_db
def test_a_rollback_keeps_the_prepared_statement():
    name = prepared.statement_name("sample_sum", SQL)
    with transaction.atomic():
        prepared.fetch("sample_sum", SQL, (2, 3))
        transaction.set_rollback(True)
    assert statements(lambda: prepared.fetch("sample_sum", SQL, (2, 3))) == [f"EXECUTE {name}(2, 3)"]


@pytest.mark.django_db
def test_statement_names_and_parameters_are_checked():
    assert prepared.statement_name("a_b", SQL) == prepared.statement_name("a_b", SQL)
    assert prepared.statement_name("a_b", SQL) != prepared.statement_name("a_b", SQL + " ")
    with pytest.raises(ValueError, match="语句名称"):
        prepared.statement_name("a b; DROP", SQL)
    with pytest.raises(ValueError, match="占位符"):
        prepared.fetch("sample_sum", SQL, (2,))
    assert prepared.fetch("sample_sum", SQL, (2, 3)) == (["total", "label"], [(5, "x")])
