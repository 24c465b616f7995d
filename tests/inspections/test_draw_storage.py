"""A draw's record columns are stored the fast way on PostgreSQL (migration 0006)."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_selected_targets_and_teams_are_compressed_with_lz4_where_the_server_has_it():
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        methods = cursor.fetchone()[0]
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute"
            " WHERE attrelid = 'inspections_draw'::regclass AND attname IN ('selected', 'teams', 'strata')"
            " ORDER BY attname"
        )
        stored = cursor.fetchall()
    expected = "l" if "lz4" in methods else ""
    assert stored == [("selected", expected), ("strata", ""), ("teams", expected)]
