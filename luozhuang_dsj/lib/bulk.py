"""Bulk reads and writes for the few places that move hundreds of thousands of rows
(registry imports, a draw's frame and the inspections a draw creates).

Imports of a hundred thousand rows must take about as long as reading the file, and a draw
over a province-sized frame reads a million keys; the ORM spends about 100 µs per model
instance. These helpers take plain tuples in a given column order: PostgreSQL COPY (or
multi-row VALUES where ids are needed back) and server-side cursors for reads, the ORM's
bulk methods elsewhere. They run inside the caller's transaction and write no audit event:
the caller records the batch.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet

_PLAIN = frozenset({str, int, float, bool})  # csv writes True/False, which PostgreSQL reads
_NULL = "\\N"
_KEY_SEPARATOR = "\x1f"  # ASCII unit separator (keys that contain it go as an array)


class _CopySource:
    """A file-like object COPY reads from: CSV made a few thousand rows at a time, so that a
    hundred thousand rows never sit in memory as one text. None is written as \\N
    (unquoted, so never confused with an empty string)."""

    ROWS_PER_READ = 2000

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows = iter(rows)
        self.converted: dict[Any, str] = {}  # a batch repeats the same timestamp on every row

    def _convert(self, value: Any) -> Any:
        if value is None:
            return _NULL
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        text = self.converted.get(value)
        if text is None:
            text = self.converted[value] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return text

    def read(self, size: int = -1) -> str:
        buffer = io.StringIO()
        plain, convert = _PLAIN, self._convert
        csv.writer(buffer, lineterminator="\n").writerows(
            [value if type(value) in plain else convert(value) for value in row]
            for row in itertools.islice(self.rows, self.ROWS_PER_READ)
        )
        return buffer.getvalue()

    readline = read


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    sql = f"COPY {table} ({column_list}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    # The driver's own cursor (Django's has no COPY), its errors raised as Django's
    # (a refused key is an IntegrityError, as from any other write).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(sql, _CopySource(rows), size=1 << 20)


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    """Database columns of field names; "pk" is the primary key, as in the ORM."""
    meta = model._meta
    return [(meta.pk if name == "pk" else meta.get_field(name)).column for name in fields]


def bulk_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert rows (tuples in `fields` order). Every NOT NULL column must be in `fields`.
    `rows` may be a generator: COPY reads it as the server takes the rows, so the work of
    making them overlaps the server's."""
    if isinstance(rows, Sequence):
        if not rows:
            return
    else:
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        rows = itertools.chain([first], rows)
    if connection.vendor != "postgresql":
        names = [model._meta.get_field(name).attname for name in fields]
        objects = [model(**dict(zip(names, row, strict=True))) for row in rows]
        model.objects.bulk_create(objects, batch_size=500, ignore_conflicts=ignore_conflicts)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = _columns(model, fields)
    if not ignore_conflicts:
        _copy(table, columns, rows)
        return
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    # Identifiers come from the model's metadata, never from input; values go through COPY.
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE _bulk_stage AS SELECT {column_list} FROM {table} WITH NO DATA")  # noqa: S608  # nosec B608
    _copy("_bulk_stage", columns, rows)
    with connection.cursor() as cursor:
        # Identifiers from the model's metadata, quoted; the rows came through COPY.
        cursor.execute(
            f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM _bulk_stage ON CONFLICT DO NOTHING"  # noqa: S608  # nosec B608
        )
        cursor.execute("DROP TABLE _bulk_stage")


def bulk_update_by_key(
    model: type[models.Model],
    key: str,
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Update `fields` of the rows whose `key` matches; each row is (key, *values)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        by_key = {row[0]: row[1:] for row in rows}
        objects = list(model.objects.filter(**{f"{key}__in": list(by_key)}))
        for obj in objects:
            for name, value in zip(fields, by_key[getattr(obj, key)], strict=True):
                setattr(obj, name, value)
        model.objects.bulk_update(objects, fields, batch_size=500)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    key_column, *columns = [connection.ops.quote_name(c) for c in _columns(model, [key, *fields])]
    # Identifiers come from the model's metadata, quoted, never from input; values go through COPY.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE _bulk_update AS SELECT {', '.join([key_column, *columns])} FROM {table} WITH NO DATA"  # noqa: S608  # nosec B608
        )
    _copy("_bulk_update", [key_column, *columns], rows)
    assignments = ", ".join(f"{column} = s.{column}" for column in columns)
    with connection.cursor() as cursor:
        # Identifiers from the model's metadata, quoted; the values came through COPY.
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM _bulk_update AS s WHERE t.{key_column} = s.{key_column}"  # noqa: S608  # nosec B608
        )
        cursor.execute("DROP TABLE _bulk_update")


def fetch_by_keys(
    model: type[models.Model], key: str, fields: Sequence[str], keys: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """(key, *fields) of the rows whose `key` is in `keys`: one query with an array on
    PostgreSQL (a long IN list costs more to build than to run), chunks elsewhere. Keys are
    of the column's type (text keys for a text column)."""
    if not keys:
        return []
    if connection.vendor != "postgresql":
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            found.extend(model.objects.filter(**{f"{key}__in": chunk}).values_list(key, *fields))
        return found
    table = connection.ops.quote_name(model._meta.db_table)
    key_column, *columns = [connection.ops.quote_name(c) for c in _columns(model, [key, *fields])]
    keys_sql, parameters = "%s", [list(keys)]
    try:
        # Text keys as one string that the server splits: the driver then quotes one value,
        # not a hundred thousand (a third of the lookup's time).
        joined = _KEY_SEPARATOR.join(keys)
    except TypeError:
        pass
    else:
        # (Not for one empty key: the server splits an empty string into no element at all.)
        if joined and joined.count(_KEY_SEPARATOR) == len(keys) - 1:
            keys_sql, parameters = "string_to_array(%s, %s)", [joined, _KEY_SEPARATOR]
    with connection.cursor() as cursor:
        # Identifiers from the model's metadata, quoted; the keys are one parameter.
        cursor.execute(
            f"SELECT {', '.join([key_column, *columns])} FROM {table} WHERE {key_column} = ANY({keys_sql})",  # noqa: S608  # nosec B608
            parameters,
        )
        return cursor.fetchall()


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


def copy_lines(queryset: QuerySet, *fields: str) -> list[str]:
    """PostgreSQL only: the queryset's `fields` (text, no NULLs) as tab-separated lines,
    through COPY (several times faster than fetching rows, and the order is the query's).

    COPY writes a backslash, TAB, LF or other control character in a value as an escape
    sequence; where any backslash shows up, the rows are fetched again plainly, so that
    every line holds the values exactly as stored (a value's own TAB is then the caller's
    to refuse)."""
    sql, params = queryset.values_list(*fields).query.sql_with_params()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode("utf-8")
        # The query is Django's own compilation with its parameters bound by the driver.
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT", buffer)  # nosec B608
        text = buffer.getvalue().decode("utf-8")
        if "\\" in text:
            cursor.execute(sql, params)
            return ["\t".join(row) for row in cursor.fetchall()]
    return text.split("\n")[:-1]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused for a bulk step (re-enabled after it, if it was on).

    Every container object made counts toward the collector's thresholds, and a step that
    makes a few hundred thousand of them (rows, records, dataclasses) sets off full
    collections that walk every object of the process again and again — a third of a
    large draw's Python time. Such steps make no reference cycles, so nothing is lost:
    whatever garbage there is gets collected after the step.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def insert_returning_ids(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert rows (tuples in `fields` order) and return their new ids in row order.

    On PostgreSQL the ids are taken from the table's sequence first and the rows then go
    through COPY with them; elsewhere the rows are inserted one by one.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        names = [model._meta.get_field(name).attname for name in fields]
        ids = []
        for row in rows:
            obj = model(**dict(zip(names, row, strict=True)))
            obj.save(force_insert=True)
            ids.append(obj.pk)
        return ids
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(sequence) FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS sequence) AS s,"
            " generate_series(1, %s)",
            [model._meta.db_table, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    table = connection.ops.quote_name(model._meta.db_table)
    _copy(table, ["id", *_columns(model, fields)], [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
    return ids
