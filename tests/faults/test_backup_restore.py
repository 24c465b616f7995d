"""`manage.py backup` then `manage.py restore` into a fresh database: equal row counts in
every table and an intact audit chain; a restore over existing data is refused."""

from __future__ import annotations

import subprocess
import sys

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from luozhuang_dsj.audit import audit_record
from tests.conftest import make_user
from tests.faults.helpers import ROOT, child_env, database_url_for_children

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _admin(sql: str) -> None:
    s = connection.settings_dict
    conn = psycopg2.connect(
        dbname="postgres",
        user=s["USER"],
        password=s["PASSWORD"],
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def _manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env(DATABASE_URL=database_url, REDIS_URL=""),
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def fresh_database():
    name = connection.settings_dict["NAME"] + "_restore"
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}"')
    yield name, database_url_for_children().rsplit("/", 1)[0] + "/" + name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_fresh_database_with_equal_counts_and_an_intact_chain(
    tmp_path, fresh_database, reference_data, capsys
):
    staff = make_user("backup.staff", "SCJG", "dept_staff")
    for n in range(20):
        audit_record(action="test.backup", actor=staff, object_key=str(n), after={"n": n, "名称": "甲"})
    call_command("backup", output=str(tmp_path))
    dump = next(tmp_path.glob("*.dump"))
    assert "已备份到" in capsys.readouterr().out
    _, url = fresh_database
    result = _manage(url, "restore", str(dump))
    assert result.returncode == 0, result.stderr
    assert "行数与备份清单一致；审计链完整" in result.stdout
    verified = _manage(url, "verify_audit_chain")
    assert verified.returncode == 0 and "审计链完整" in verified.stdout
    # The restored database is a working one: its migrations are all applied.
    assert "No planned migration operations." in _manage(url, "migrate", "--plan").stdout


def test_a_restore_into_a_database_with_tables_is_refused(tmp_path, reference_data, capsys):
    call_command("backup", output=str(tmp_path))
    dump = next(tmp_path.glob("*.dump"))
    result = _manage(database_url_for_children(), "restore", str(dump))
    assert result.returncode == 1
    assert "不是空库" in result.stderr
