"""A tiny draw written out by hand: every value below was computed with a few lines of
hashlib (see test_vectors.py, which recomputes them without the code under test) and the
teams were worked through §3 by hand (see the comments in test_vectors.py)."""

from __future__ import annotations

import datetime

from inspections.draw import (
    CHINA_STANDARD_TIME,
    PoolEntry,
    Slot,
    TaskInfo,
    build_frame,
    build_pool,
    build_record,
    commitment_of,
    execute_draw,
    stratum_size,
)

SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0"
WITNESS = "福彩3D 2027057期 518"
PAIRS = [
    ("B", "XM-2027-0003"),
    ("A", "92371311MA3D7Y2P54"),
    ("B", "91371311MA3C4X0K2D"),
    ("A", "91371311MA3C4X0K1A"),
    ("B", "91371311MA3C4X0K4K"),
    ("A", "91371311MA3C4X0K3G"),
]
FRAME_BYTES = (
    b"A\t91371311MA3C4X0K1A\n"
    b"A\t91371311MA3C4X0K3G\n"
    b"A\t92371311MA3D7Y2P54\n"
    b"B\t91371311MA3C4X0K2D\n"
    b"B\t91371311MA3C4X0K4K\n"
    b"B\tXM-2027-0003\n"
)
FRAME_DIGEST = "32ab2897653cf2ef8e6cd5909ef3b50919e3f5611ba9a17f90fd843555cd5646"
COMMITMENT = "b755ed18185d0448746c865d67220151f3a451b5e0cb6aa149aa2cac9448a426"
SEED = "98969851504443e9aa585166bbc2df58bf6218fdaa466dae9488ee07fc0870f6"
TICKETS = {
    "91371311MA3C4X0K1A": "7ecb5dba6b92b02dd66b0857bc76398aaecbeb45189b0f81862e12e3cfb13419",
    "91371311MA3C4X0K3G": "64555c1d3a6d2172b11bde54164adf36b3c39a741905e1d636384043bb5c3ecd",
    "92371311MA3D7Y2P54": "d3af3e1e45179da7d4868cc0e078982a314f4b3e0d0dddbf70fe2a3ce27a265f",
    "91371311MA3C4X0K2D": "7205d58136f17704046bb12829dd06c5ed48b059ee6b57ff46bb9673ff6e3fb7",
    "91371311MA3C4X0K4K": "9528bde6ee325600859e3ab2f9b4bf378499e4addc80a0dd5a83053d81c882e6",
    "XM-2027-0003": "a5d4b211a6b14cf81fbbd56a2c57fc7d8bd5419e2af8a70d73fc311c0fbc6399",
}
# A at 50 %: ceil(3 × 50 / 100) = 2; B a fixed count of 1. Batches of 2.
SELECTED = [
    ("91371311MA3C4X0K3G", "A", TICKETS["91371311MA3C4X0K3G"], 1),
    ("91371311MA3C4X0K2D", "B", TICKETS["91371311MA3C4X0K2D"], 1),
    ("91371311MA3C4X0K1A", "A", TICKETS["91371311MA3C4X0K1A"], 2),
]
POOL_LINES = [
    '{"active":true,"certified":true,"code":"JYJ-01","conflicts":["91371311MA3C4X0K2D"],"department":"JYJ","expert":false,"expertise":[],"recent_targets":[]}',
    '{"active":true,"certified":true,"code":"JYJ-02","conflicts":[],"department":"JYJ","expert":false,"expertise":[],"recent_targets":["91371311MA3C4X0K2D"]}',
    '{"active":true,"certified":true,"code":"SCJG-01","conflicts":["91371311MA3C4X0K1A"],"department":"SCJG","expert":false,"expertise":[],"recent_targets":[]}',
    '{"active":true,"certified":true,"code":"SCJG-02","conflicts":[],"department":"SCJG","expert":false,"expertise":["食品"],"recent_targets":[]}',
    '{"active":true,"certified":true,"code":"SCJG-03","conflicts":[],"department":"SCJG","expert":false,"expertise":[],"recent_targets":["91371311MA3C4X0K3G"]}',
    '{"active":true,"certified":false,"code":"SCJG-04","conflicts":[],"department":"SCJG","expert":false,"expertise":[],"recent_targets":[]}',
    '{"active":false,"certified":true,"code":"SCJG-05","conflicts":[],"department":"SCJG","expert":false,"expertise":[],"recent_targets":[]}',
    '{"active":true,"certified":false,"code":"ZJ-01","conflicts":[],"department":"SCJG","expert":true,"expertise":["特种设备"],"recent_targets":[]}',
    '{"active":true,"certified":false,"code":"ZJ-02","conflicts":[],"department":"JYJ","expert":true,"expertise":["特种设备","锅炉"],"recent_targets":[]}',
    '{"active":true,"certified":false,"code":"ZJ-03","conflicts":[],"department":"SCJG","expert":true,"expertise":["食品"],"recent_targets":[]}',
]
POOL_DIGEST = "c63522c687646b02fbbc347249d4f83a61f0152a1d85f0e108113eeff37b7578"
# Per target (ascending ticket), per slot: (inspectors in pick order, rotation relaxed).
TEAMS = [
    ("91371311MA3C4X0K3G", [(["SCJG-02", "SCJG-01"], False), (["JYJ-01"], False), (["ZJ-01"], False)]),
    ("91371311MA3C4X0K2D", [(["SCJG-03", "SCJG-01"], False), (["JYJ-02"], True), (["ZJ-02"], False)]),
    ("91371311MA3C4X0K1A", [(["SCJG-02", "SCJG-03"], False), (["JYJ-02"], False), (["ZJ-01"], False)]),
]
SLOTS = (
    Slot("SCJG", 2),
    Slot("JYJ", 1),
    Slot(None, 1, certified=False, expertise=("特种设备",)),
)
TASK = TaskInfo(
    code="LZ-2027-SJ-001",
    title="2027 年食品经营者联合抽查",
    initiator="SCJG",
    participants=("JYJ",),
    slots=SLOTS,
)
COMMITTED_AT = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=CHINA_STANDARD_TIME)
SCHEDULED_FOR = datetime.datetime(2027, 3, 2, 10, 0, tzinfo=CHINA_STANDARD_TIME)
EXECUTED_AT = datetime.datetime(2027, 3, 2, 10, 0, 7, tzinfo=CHINA_STANDARD_TIME)
DEPARTMENT_NAMES = {"SCJG": "区市场监管局", "JYJ": "区教育局"}


def pool_entries() -> list[PoolEntry]:
    """The tiny pool, in the order a query might return it (not by code)."""
    return [
        PoolEntry("ZJ-03", "SCJG", certified=False, expert=True, expertise=["食品"]),
        PoolEntry("SCJG-03", "SCJG", certified=True, recent_targets=["91371311MA3C4X0K3G"]),
        PoolEntry("SCJG-01", "SCJG", certified=True, conflicts=["91371311MA3C4X0K1A"]),
        PoolEntry("JYJ-02", "JYJ", certified=True, recent_targets=["91371311MA3C4X0K2D"]),
        PoolEntry("SCJG-02", "SCJG", certified=True, expertise=["食品"]),
        PoolEntry("SCJG-04", "SCJG", certified=False),
        PoolEntry("SCJG-05", "SCJG", active=False, certified=True),
        PoolEntry("ZJ-01", "SCJG", expert=True, expertise=["特种设备"]),
        PoolEntry("JYJ-01", "JYJ", certified=True, conflicts=["91371311MA3C4X0K2D"]),
        PoolEntry("ZJ-02", "JYJ", expert=True, expertise=["锅炉", "特种设备"]),
    ]


def sizes(frame):  # type: ignore[no-untyped-def]
    return [
        stratum_size("A", frame.sizes["A"], ratio_percent="50"),
        stratum_size("B", frame.sizes["B"], count=1),
    ]


def tiny_draw(witness: str = WITNESS):  # type: ignore[no-untyped-def]
    """(frame, pool, strata, execution, record) of the tiny draw."""
    frame = build_frame(PAIRS)
    pool = build_pool(pool_entries())
    strata = sizes(frame)
    execution = execute_draw(
        frame=frame,
        sizes=strata,
        pool=pool,
        slots=SLOTS,
        server_secret=SECRET,
        witness_input=witness,
        batch_size=2,
        executed_at=EXECUTED_AT,
    )
    record = build_record(
        task=TASK,
        committed_at=COMMITTED_AT,
        scheduled_for=SCHEDULED_FOR,
        commitment=commitment_of(SECRET),
        frame_digest=frame.digest,
        pool_digest=pool.digest,
        strata=strata,
        batch_size=2,
        execution=execution,
    )
    return frame, pool, strata, execution, record
