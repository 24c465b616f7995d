"""A medium-sized, deterministic draw for the tests that need more than the tiny vectors."""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from inspections.draw import (
    CHINA_STANDARD_TIME,
    Adjustment,
    Execution,
    Frame,
    Pool,
    PoolEntry,
    Slot,
    StratumSize,
    TaskInfo,
    build_frame,
    build_pool,
    build_record,
    commitment_of,
    execute_draw,
    stratum_size,
)

SLOTS = (
    Slot("SCJG", 2),
    Slot("JYJ", 1),
    Slot("WJJ", 1),
    Slot(None, 1, certified=False, expertise=("特种设备",)),
)
TASK = TaskInfo(
    code="LZ-2027-LC-002",
    title="2027 年特种设备使用单位联合抽查",
    initiator="SCJG",
    participants=("JYJ", "WJJ"),
    slots=SLOTS,
)
DEPARTMENT_NAMES = {"SCJG": "区市场监管局", "JYJ": "区教育局", "WJJ": "区卫生健康局"}
SECRET = "5e" * 32


@dataclass(frozen=True)
class Draw:
    frame: Frame
    pool: Pool
    strata: list[StratumSize]
    execution: Execution
    record: dict


def credit_code(number: int) -> str:
    return f"91371311MA{number:07d}X"


def medium_pool(keys: list[str], rng: random.Random) -> list[PoolEntry]:
    entries = []
    for department, size in (("SCJG", 12), ("JYJ", 6), ("WJJ", 5)):
        for number in range(1, size + 1):
            entries.append(
                PoolEntry(
                    f"{department}-{number:02d}",
                    department,
                    certified=number != size,
                    conflicts=rng.sample(keys, 3),
                    recent_targets=rng.sample(keys, 12),
                )
            )
    for number in range(1, 7):
        expertise = ["特种设备"] if number % 3 else ["食品"]
        entries.append(
            PoolEntry(
                f"ZJ-{number:02d}", "SCJG", expert=True, expertise=expertise, conflicts=rng.sample(keys, 2)
            )
        )
    return entries


def medium_draw(witness: str = "第 2027057 期 03 11 19 24 30") -> Draw:
    rng = random.Random("dsj-draw medium")
    keys = [credit_code(number) for number in range(400)]
    pairs = [("ABCD"[number % 4], key) for number, key in enumerate(keys)]
    frame = build_frame(pairs)
    pool = build_pool(medium_pool(keys, rng))
    strata = [
        stratum_size("A", 100, ratio_percent="5"),
        stratum_size("B", 100, count=9),
        stratum_size("C", 100, ratio_percent="12.5"),
        stratum_size("D", 100, ratio_percent="30.01"),
    ]
    execution = execute_draw(
        frame=frame,
        sizes=strata,
        pool=pool,
        slots=SLOTS,
        server_secret=SECRET,
        witness_input=witness,
        batch_size=10,
        executed_at=datetime.datetime(2027, 4, 8, 10, 0, 2, tzinfo=CHINA_STANDARD_TIME),
    )
    draw = Draw(frame=frame, pool=pool, strata=strata, execution=execution, record={})
    return Draw(frame=frame, pool=pool, strata=strata, execution=execution, record=medium_record(draw))


def medium_record(draw: Draw, adjustments: Sequence[Adjustment] = ()) -> dict:
    return build_record(
        task=TASK,
        committed_at=datetime.datetime(2027, 4, 7, 16, 30, tzinfo=CHINA_STANDARD_TIME),
        scheduled_for=datetime.datetime(2027, 4, 8, 10, 0, tzinfo=CHINA_STANDARD_TIME),
        commitment=commitment_of(SECRET),
        frame_digest=draw.frame.digest,
        pool_digest=draw.pool.digest,
        strata=draw.strata,
        batch_size=10,
        execution=draw.execution,
        adjustments=adjustments,
    )


def write_files(directory: Path, record: dict, frame: bytes, pool: bytes | None = None) -> list[str]:
    """The verifier's arguments for these contents, written into `directory`."""
    (directory / "record.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    (directory / "frame.txt").write_bytes(frame)
    paths = [str(directory / "record.json"), str(directory / "frame.txt")]
    if pool is not None:
        (directory / "pool.jsonl").write_bytes(pool)
        paths.append(str(directory / "pool.jsonl"))
    return paths
