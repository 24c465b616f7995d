"""The daily snapshot: stable dated and latest URLs, idempotent re-runs that replace the
day atomically, and a run killed midway that leaves no half file visible."""

import datetime
import json
import os

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from disclosure.models import ResultPublication
from luozhuang_dsj.models import AuditEvent
from opendata import snapshots
from opendata.snapshots import BUILDS, opendata_root, snapshot_days, snapshot_get, snapshot_write
from opendata.tasks import opendata_snapshot_daily
from tests.opendata.conftest import DAY
from tests.opendata.helpers import at, publish_row


def _builds():
    return sorted(path.name for path in (opendata_root() / BUILDS).iterdir())


def _links():
    root = opendata_root()
    return {entry.name: os.readlink(entry) for entry in root.iterdir() if entry.is_symlink()}


def test_the_day_and_latest_point_to_one_complete_build(snapshot):
    build = snapshot.path.name
    assert _builds() == [build]
    assert _links() == {"2026-11-26": f"{BUILDS}/{build}", "latest": f"{BUILDS}/{build}"}
    assert sorted(path.name for path in snapshot.path.iterdir()) == sorted(snapshots.FILE_NAMES)
    assert snapshot_days() == ["2026-11-26"]
    event = AuditEvent.objects.filter(action="opendata.snapshot").get()
    assert (event.object_key, event.after) == ("2026-11-26", {"results": 3, "plans": 1, "matters": 2})


def test_a_rerun_the_same_day_replaces_the_snapshot_and_removes_the_old_build(snapshot, open_world, staff):
    first = (snapshot.path / "results.csv").read_bytes()
    again = snapshot_write(day=DAY)
    assert _builds() == [again.path.name] != [snapshot.path.name]
    assert (opendata_root() / "latest" / "results.csv").read_bytes() == first  # same data, same bytes
    result = open_world.results["clean"].result
    publish_row(
        open_world.unpublished,
        status=ResultPublication.Status.PUBLISHED,
        published_at=at("2026-11-26", "08:00"),
    )
    third = snapshot_write(day=DAY)
    assert third.manifest["datasets"]["results"]["rows"] == 4
    assert snapshot_get("2026-11-26").manifest == third.manifest == snapshot_get("latest").manifest
    assert _builds() == [third.path.name]
    assert result.pk  # the earlier rows are still there
    body = b"".join(Client().get("/open-data/2026-11-26/results.csv").streaming_content)
    assert body.count(b"\n") == 5


def test_a_run_killed_midway_leaves_the_previous_snapshot_whole_and_is_cleaned_up_later(
    snapshot, monkeypatch
):
    before = {name: (snapshot.path / name).read_bytes() for name in snapshots.FILE_NAMES}
    real = snapshots._write_json

    def dies_halfway(path, dataset, generated_at):
        if dataset.key == "plans":
            path.write_bytes(b'{"dataset": "plans", "rows": [')  # half a file on disk, then the worker dies
            raise SystemExit("worker killed")
        return real(path, dataset, generated_at)

    monkeypatch.setattr(snapshots, "_write_json", dies_halfway)
    with pytest.raises(SystemExit):
        snapshot_write(day=DAY)
    orphans = [name for name in _builds() if name != snapshot.path.name]
    assert len(orphans) == 1
    assert not (opendata_root() / BUILDS / orphans[0] / "manifest.json").exists()
    assert snapshot_get("latest").path == snapshot.path
    for name, data in before.items():
        assert (opendata_root() / "latest" / name).read_bytes() == data
        assert (opendata_root() / "2026-11-26" / name).read_bytes() == data
    monkeypatch.setattr(snapshots, "_write_json", real)
    fresh = snapshot_write(day=DAY)
    assert _builds() == [fresh.path.name]


def test_an_earlier_day_does_not_move_latest_and_old_days_expire(open_world, settings):
    settings.OPENDATA_KEEP_DAYS = 2
    today = timezone.localdate()
    snapshot_write(day=today)
    snapshot_write(day=today - datetime.timedelta(days=1))
    assert snapshot_get("latest").day == today.isoformat()
    snapshot_write(day=today - datetime.timedelta(days=5))  # older than kept: written, then dropped
    assert snapshot_days() == [today.isoformat(), (today - datetime.timedelta(days=1)).isoformat()]
    assert len(_builds()) == 2


def test_the_daily_task_is_scheduled_and_writes_today(open_world):
    entry = django_settings.CELERY_BEAT_SCHEDULE["opendata-snapshot"]
    assert entry["task"] == "opendata.tasks.opendata_snapshot_daily"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({1}, {15})

    assert opendata_snapshot_daily.delay().get() == timezone.localdate().isoformat()
    manifest = json.loads((opendata_root() / "latest" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["date"] == timezone.localdate().isoformat()


def test_the_command_writes_a_given_day_and_refuses_a_bad_date(open_world):
    from django.core.management import CommandError, call_command

    call_command("opendata_snapshot", "--date", "2026-11-20")
    assert snapshot_days() == ["2026-11-20"]
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        call_command("opendata_snapshot", "--date", "20261120")
    assert snapshot_days() == ["2026-11-20"]
