"""Bulk reads and writes for the few places that move hundreds of thousands of rows
(a draw's frame, the inspections a draw creates, registry imports).

Django's ORM spends about 100 µs per model instance; a draw over a province-sized frame
writes tens of thousands of rows and reads a million, so these helpers speak SQL through
Django's connection: server-side cursors for reads, multi-row VALUES for writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet


def stream_values(queryset: QuerySet, *fields: str, chunk_size: int = 50_000) -> Iterator[tuple]:
    """The queryset's `fields` as plain tuples, fetched in chunks (a server-side cursor on
    PostgreSQL, so memory stays flat however many rows there are)."""
    sql, params = queryset.values_list(*fields).query.sql_with_params()
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows
    finally:
        cursor.close()


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning_ids: bool = False,
) -> list[int]:
    """INSERT many rows of already-prepared column values; the ids in row order if asked.

    Values go to the database as they are (no field conversion): pass ints, strs, bools,
    aware datetimes. Call inside the caller's transaction.
    """
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            # Table and column names come from the model, quoted; values are parameters.
            sql = f"INSERT INTO {table} ({names}) VALUES %s" + (" RETURNING id" if returning_ids else "")  # noqa: S608  # nosec B608
            result = execute_values(cursor.cursor, sql, rows, page_size=5000, fetch=returning_ids)
            ids = [row[0] for row in result] if returning_ids else []
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608  # nosec B608
            if returning_ids:
                for row in rows:
                    cursor.execute(sql, row)
                    ids.append(cursor.lastrowid)
            else:
                cursor.executemany(sql, rows)
    return ids
