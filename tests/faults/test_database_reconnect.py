"""PostgreSQL drops the web app's connections (a restart, a failover, an administrator's
pg_terminate_backend): the running web app answers the very next request, without being
restarted itself, because CONN_HEALTH_CHECKS tests a persistent connection before reuse.

The real web server (gunicorn, one worker) against the test database; only this test
database's connections are terminated, never the shared server.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest
from django.db import connection

from tests.faults.helpers import ROOT, child_env, free_port, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _get(port: int, path: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own server on loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except urllib.error.URLError:
        return 0  # not listening (yet)


def _server_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _terminate_server_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_the_web_app_recovers_from_dropped_database_connections_without_a_restart(tmp_path, reference_data):
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "luozhuang_dsj.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=child_env(DATABASE_CONN_MAX_AGE="600", REDIS_URL=""),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: _get(port, "/healthz") == 200, timeout=30, what="the web server")
        assert _get(port, "/") == 200
        before = _server_backends()
        assert len(before) >= 1  # the persistent connection of the web worker
        outages = []
        for _ in range(3):
            assert _terminate_server_backends() >= 1
            ended = set(before)
            wait_for(
                lambda ended=ended: not ended & set(_server_backends()), timeout=10, what="backends to end"
            )
            outages.append((_get(port, "/"), _get(port, "/healthz")))
            before = _server_backends()
        assert outages == [(200, 200)] * 3
        assert server.poll() is None  # the same server process throughout
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
