import datetime

import pytest

from opendata.snapshots import snapshot_write
from tests.opendata.helpers import build_open_world

DAY = datetime.date(2026, 11, 26)


@pytest.fixture
def open_world(office_user, staff, outsider, head, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.OPENDATA_ROOT = None
    settings.OPENDATA_KEEP_DAYS = 100_000  # the fixed test days never expire, whenever this runs
    return build_open_world(office_user, staff, outsider, head)


@pytest.fixture
def snapshot(open_world):
    return snapshot_write(day=DAY)
