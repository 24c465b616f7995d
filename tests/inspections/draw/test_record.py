import datetime
import json

import pytest

from inspections.draw import (
    CHINA_STANDARD_TIME,
    ProtocolError,
    build_record,
    commitment_of,
    public_record,
    record_time,
)
from tests.inspections.draw.draws import DEPARTMENT_NAMES, medium_draw, medium_record
from tests.inspections.draw.test_adjustments import replace
from tests.inspections.draw.vectors import (
    COMMITTED_AT,
    SCHEDULED_FOR,
    SECRET,
    TASK,
    tiny_draw,
)

SECTION_4_KEYS = [
    "format",
    "task",
    "committed_at",
    "scheduled_for",
    "commitment",
    "frame_digest",
    "pool_digest",
    "strata",
    "batch_size",
    "executed_at",
    "witness_input",
    "server_secret",
    "seed",
    "selected",
    "teams",
    "adjustments",
]


def test_the_full_record_has_the_keys_of_section_4_in_order():
    _, _, _, _, record = tiny_draw()
    assert list(record) == SECTION_4_KEYS
    assert record["format"] == "dsj-draw/1"
    assert record["task"] == {
        "code": "LZ-2027-SJ-001",
        "title": "2027 年食品经营者联合抽查",
        "initiator": "SCJG",
        "participants": ["JYJ"],
        "slots": [
            {"department": "SCJG", "k": 2, "certified": True, "expertise": []},
            {"department": "JYJ", "k": 1, "certified": True, "expertise": []},
            {"department": None, "k": 1, "certified": False, "expertise": ["特种设备"]},
        ],
    }
    assert (record["committed_at"], record["scheduled_for"], record["executed_at"]) == (
        "2027-03-01T09:00:00+08:00",
        "2027-03-02T10:00:00+08:00",
        "2027-03-02T10:00:07+08:00",
    )
    assert (record["batch_size"], record["server_secret"], record["adjustments"]) == (2, SECRET, [])
    assert list(record["selected"][0]) == ["target", "stratum", "ticket", "batch"]
    assert list(record["teams"][0]["slots"][0]) == ["department", "inspectors", "rotation_relaxed"]


def test_the_record_before_execution_stops_at_the_batch_size():
    frame, pool, strata, _, _ = tiny_draw()
    record = build_record(
        task=TASK,
        committed_at=COMMITTED_AT,
        scheduled_for=SCHEDULED_FOR,
        commitment=commitment_of(SECRET),
        frame_digest=frame.digest,
        pool_digest=pool.digest,
        strata=strata,
        batch_size=2,
    )
    assert list(record) == SECTION_4_KEYS[:9]
    assert SECRET not in json.dumps(record)


def test_times_are_written_in_china_standard_time_to_the_second():
    moment = datetime.datetime(2027, 3, 2, 2, 0, 7, 999999, tzinfo=datetime.UTC)
    assert record_time(moment) == "2027-03-02T10:00:07+08:00"
    assert (
        record_time(datetime.datetime(2027, 3, 2, 10, 0, tzinfo=CHINA_STANDARD_TIME))
        == "2027-03-02T10:00:00+08:00"
    )
    with pytest.raises(ProtocolError):
        record_time(datetime.datetime(2027, 3, 2, 10, 0))  # noqa: DTZ001


def test_the_public_record_shows_departments_and_counts_but_no_identities():
    draw = medium_draw()
    adjustment = replace(draw)
    record = medium_record(draw, [adjustment])
    public = public_record(record, department_names=DEPARTMENT_NAMES)
    assert list(public) == SECTION_4_KEYS
    assert public["teams"][0] == {
        "target": record["teams"][0]["target"],
        "slots": [
            {"department": "SCJG", "department_name": "区市场监管局", "count": 2, "rotation_relaxed": False},
            {"department": "JYJ", "department_name": "区教育局", "count": 1, "rotation_relaxed": False},
            {"department": "WJJ", "department_name": "区卫生健康局", "count": 1, "rotation_relaxed": False},
            {
                "department": None,
                "department_name": "专家和第三方人员",
                "count": 1,
                "rotation_relaxed": False,
            },
        ],
    }
    assert public["adjustments"] == [
        {"target": adjustment.target, "department": "SCJG", "at": "2027-04-09T08:30:00+08:00"}
    ]
    text = json.dumps(public, ensure_ascii=False)
    assert [entry.code for entry in draw.pool.entries if entry.code in text] == []
    assert "因病" not in text
    assert "scjg_staff" not in text
    # The full record is left as it was.
    assert record["adjustments"][0]["in"] == adjustment.incoming


def test_adjustments_need_an_executed_draw():
    frame, pool, strata, _, _ = tiny_draw()
    draw = medium_draw()
    with pytest.raises(ProtocolError) as caught:
        build_record(
            task=TASK,
            committed_at=COMMITTED_AT,
            scheduled_for=SCHEDULED_FOR,
            commitment=commitment_of(SECRET),
            frame_digest=frame.digest,
            pool_digest=pool.digest,
            strata=strata,
            batch_size=2,
            adjustments=[replace(draw)],
        )
    assert caught.value.message == "尚未执行的抽取不能有调整记录。"
