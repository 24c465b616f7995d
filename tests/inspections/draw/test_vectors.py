"""The tiny draw of vectors.py, value by value."""

import hashlib
import json
import math
import random

from inspections.draw import (
    build_frame,
    build_pool,
    commitment_of,
    complete_execution,
    compute_seed,
    match_teams,
    select_for_draw,
    select_targets,
    ticket_of,
)
from tests.inspections.draw.vectors import (
    COMMITMENT,
    FRAME_BYTES,
    FRAME_DIGEST,
    PAIRS,
    POOL_DIGEST,
    POOL_LINES,
    SECRET,
    SEED,
    SELECTED,
    SLOTS,
    TEAMS,
    TICKETS,
    WITNESS,
    pool_entries,
    sizes,
    tiny_draw,
)


def test_the_hand_computed_values_follow_from_a_few_lines_of_hashlib():
    def h(text):
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    lines = sorted(f"{stratum}\t{key}\n" for stratum, key in PAIRS)
    assert "".join(lines).encode("utf-8") == FRAME_BYTES
    assert hashlib.sha256(FRAME_BYTES).hexdigest() == FRAME_DIGEST
    assert h(SECRET) == COMMITMENT
    assert h(SECRET + "|" + WITNESS + "|" + FRAME_DIGEST) == SEED
    assert {key: h(SEED + "|" + key) for _, key in PAIRS} == TICKETS
    assert math.ceil(3 * 50 / 100) == 2
    bottom_a = sorted((TICKETS[key], key) for stratum, key in PAIRS if stratum == "A")[:2]
    bottom_b = sorted((TICKETS[key], key) for stratum, key in PAIRS if stratum == "B")[:1]
    assert [key for _, key in sorted(bottom_a + bottom_b)] == [key for key, _, _, _ in SELECTED]
    assert (
        hashlib.sha256("".join(line + "\n" for line in POOL_LINES).encode("utf-8")).hexdigest() == POOL_DIGEST
    )


def test_the_teams_follow_section_3_step_by_step():
    # Hashes H(seed|key|code), first 4 hex digits, worked through by hand:
    # 3G: SCJG-03 served 3G last time (rotation), SCJG-04 uncertified, SCJG-05 inactive, so
    #     SCJG-02 (1ce6) then SCJG-01 (bd03); JYJ-01 (b6eb) < JYJ-02 (fc66); ZJ-01 (1fe1) <
    #     ZJ-02 (24d5), ZJ-03 lacks 特种设备.
    # 2D: SCJG-03 has load 0, then load 1: SCJG-01 (0ec8) < SCJG-02 (5660). JYJ-01 has a
    #     conflict and JYJ-02 served 2D last time: rotation relaxed, JYJ-02. ZJ-02 has load 0.
    # 1A: SCJG-01 has a conflict; SCJG-02 (6f19) < SCJG-03 (c738), both load 1;
    #     JYJ-02 (7eca) < JYJ-01 (bcf1); ZJ-01 (4f32) < ZJ-02 (6254).
    def h4(key, code):
        return hashlib.sha256(f"{SEED}|{key}|{code}".encode()).hexdigest()[:4]

    assert [h4("91371311MA3C4X0K3G", code) for code in ("SCJG-02", "SCJG-01", "JYJ-01", "JYJ-02")] == [
        "1ce6",
        "bd03",
        "b6eb",
        "fc66",
    ]
    assert [h4("91371311MA3C4X0K3G", code) for code in ("ZJ-01", "ZJ-02")] == ["1fe1", "24d5"]
    assert [h4("91371311MA3C4X0K2D", code) for code in ("SCJG-01", "SCJG-02")] == ["0ec8", "5660"]
    assert [h4("91371311MA3C4X0K1A", code) for code in ("SCJG-02", "SCJG-03", "JYJ-01", "JYJ-02")] == [
        "6f19",
        "c738",
        "bcf1",
        "7eca",
    ]
    assert [h4("91371311MA3C4X0K1A", code) for code in ("ZJ-01", "ZJ-02")] == ["4f32", "6254"]


def test_the_frame_file_is_exactly_the_hand_written_bytes_whatever_the_input_order():
    for shuffle_seed in range(5):
        pairs = list(PAIRS)
        random.Random(shuffle_seed).shuffle(pairs)
        frame = build_frame(pairs)
        assert (frame.content, frame.digest) == (FRAME_BYTES, FRAME_DIGEST)
        assert frame.sizes == {"A": 3, "B": 3}


def test_commitment_seed_and_tickets_are_the_hand_computed_values():
    assert commitment_of(SECRET) == COMMITMENT
    assert compute_seed(server_secret=SECRET, witness_input=WITNESS, frame_digest=FRAME_DIGEST) == SEED
    assert {key: ticket_of(SEED, key) for key in TICKETS} == TICKETS


def test_selection_and_batches_are_the_hand_computed_ones():
    frame = build_frame(PAIRS)
    selected = select_targets(seed=SEED, frame=frame, sizes=sizes(frame), batch_size=2)
    assert [(entry.target, entry.stratum, entry.ticket, entry.batch) for entry in selected] == SELECTED


def test_the_pool_file_is_exactly_the_hand_written_lines_whatever_the_input_order():
    entries = pool_entries()
    for shuffle_seed in range(3):
        random.Random(shuffle_seed).shuffle(entries)
        pool = build_pool(entries)
        assert pool.content.decode("utf-8").split("\n") == [*POOL_LINES, ""]
        assert pool.digest == POOL_DIGEST


def test_the_teams_are_the_hand_computed_ones():
    teams = match_teams(
        seed=SEED, targets=[key for key, _, _, _ in SELECTED], slots=SLOTS, pool=build_pool(pool_entries())
    )
    assert [
        (team.target, [(list(slot.inspectors), slot.rotation_relaxed) for slot in team.slots])
        for team in teams
    ] == TEAMS


def test_the_executed_draw_and_its_record_carry_every_vector():
    _, _, _, execution, record = tiny_draw(witness=f"  {WITNESS}\u3000\n")
    assert execution.witness_input == WITNESS
    assert record["witness_input"] == WITNESS
    assert (record["commitment"], record["frame_digest"], record["pool_digest"], record["seed"]) == (
        COMMITMENT,
        FRAME_DIGEST,
        POOL_DIGEST,
        SEED,
    )
    assert record["strata"] == [
        {"name": "A", "size": 3, "ratio_percent": "50.00", "sample_size": 2},
        {"name": "B", "size": 3, "ratio_percent": None, "sample_size": 1},
    ]
    assert record["selected"] == [
        {"target": key, "stratum": stratum, "ticket": ticket, "batch": batch}
        for key, stratum, ticket, batch in SELECTED
    ]
    assert json.loads(json.dumps(record["teams"])) == [
        {
            "target": target,
            "slots": [
                {"department": department, "inspectors": codes, "rotation_relaxed": relaxed}
                for department, (codes, relaxed) in zip(["SCJG", "JYJ", None], slots, strict=True)
            ],
        }
        for target, slots in TEAMS
    ]


def test_selection_then_matching_is_the_whole_execution():
    """The service runs the two halves apart (the matching in a thread): together they are
    exactly `execute_draw`."""
    frame, pool, strata, execution, _ = tiny_draw()
    selection = select_for_draw(
        frame=frame,
        sizes=strata,
        server_secret=SECRET,
        witness_input=f"  {WITNESS} ",
        batch_size=2,
        executed_at=execution.executed_at,
    )
    assert (selection.seed, selection.witness_input, selection.selected) == (
        SEED,
        WITNESS,
        execution.selected,
    )
    assert selection.targets == [entry.target for entry in execution.selected]
    teams = match_teams(seed=selection.seed, targets=selection.targets, slots=SLOTS, pool=pool)
    assert complete_execution(selection, teams) == execution
