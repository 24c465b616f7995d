"""The pure draw core (inspections/draw) on a 1,000,000-target frame.

Four strata (A 40 %, B 30 %, C 20 %, D 10 %) at 1 % → 10,000 targets; three department
slots (2 + 1 + 1 certified officers) and one expert slot. Every figure is a ratio against
a bare baseline measured in the same run: compute every ticket H(seed|key) and take each
stratum's bottom-k with heapq.nsmallest, nothing else. Two baselines are shown: the
naive one (hexdigest per key in a generator) and a tight one (raw digests in C-level
map()); the core itself goes further (the SHA-256 state after `seed|` copied for each key,
and candidates above the k-th smallest ticket never kept).

Run: DEBUG=1 .venv/bin/python bench/bench_draw_core.py [--targets N] [--no-tracemalloc]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import heapq
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspections.draw import (
    CHINA_STANDARD_TIME,
    Execution,
    PoolEntry,
    TaskInfo,
    build_frame,
    build_pool,
    build_record,
    check_feasible,
    commitment_of,
    compute_seed,
    default_slots,
    match_teams,
    new_server_secret,
    select_targets,
    stratum_size,
)
from inspections.draw.verifier import verify_record

STRATA = (("A", 0.4), ("B", 0.3), ("C", 0.2), ("D", 0.1))
POOLS = (("SCJG", 300), ("JYJ", 200), ("WJJ", 150))
EXPERTS = 80
WITNESS = "福彩3D 2027057期 518"


def timed(function: Callable[[], object], repeats: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def make_pairs(count: int, rng: random.Random) -> list[tuple[str, str]]:
    names = [name for name, _ in STRATA]
    weights = [weight for _, weight in STRATA]
    pairs = [
        (stratum, f"91371311{number:09d}X")
        for number, stratum in enumerate(rng.choices(names, weights, k=count))
    ]
    rng.shuffle(pairs)  # the order rows come out of a database, not the frame's order
    return pairs


def make_pool(keys: list[str], rng: random.Random) -> list[PoolEntry]:
    entries = []
    for department, size in POOLS:
        for number in range(size):
            entries.append(
                PoolEntry(
                    f"{department}-{number:04d}",
                    department,
                    certified=number % 20 != 0,
                    conflicts=rng.sample(keys, 20),
                    recent_targets=rng.sample(keys, 50),
                )
            )
    for number in range(EXPERTS):
        expertise = ["特种设备"] if number % 4 else ["会计"]
        entries.append(
            PoolEntry(
                f"ZJ-{number:04d}", "SCJG", expert=True, expertise=expertise, conflicts=rng.sample(keys, 20)
            )
        )
    return entries


def baseline_naive(grouped: dict[str, list[str]], sample_sizes: dict[str, int], seed: str) -> list:
    sha256 = hashlib.sha256
    return [
        heapq.nsmallest(
            sample_sizes[name], ((sha256((seed + "|" + key).encode()).hexdigest(), key) for key in keys)
        )
        for name, keys in grouped.items()
    ]


def baseline_tight(grouped: dict[str, list[str]], sample_sizes: dict[str, int], seed: str) -> list:
    prefix = seed + "|"
    digest = type(hashlib.sha256()).digest
    result = []
    for name, keys in grouped.items():
        tickets = map(digest, map(hashlib.sha256, map(str.encode, map(prefix.__add__, keys))))
        result.append(heapq.nsmallest(sample_sizes[name], zip(tickets, keys, strict=True)))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", type=int, default=1_000_000)
    parser.add_argument("--no-tracemalloc", action="store_true")
    arguments = parser.parse_args()

    rng = random.Random(20270302)
    pairs = make_pairs(arguments.targets, rng)
    grouped: dict[str, list[str]] = {}
    for stratum, key in pairs:
        grouped.setdefault(stratum, []).append(key)
    sorted_pairs = sorted(pairs)
    secret = new_server_secret()

    def core() -> tuple:
        frame = build_frame(pairs)
        sizes = [stratum_size(name, size, ratio_percent="1") for name, size in frame.sizes.items()]
        seed = compute_seed(server_secret=secret, witness_input=WITNESS, frame_digest=frame.digest)
        return frame, sizes, seed, select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=50)

    # The phases run in the order a draw runs them (prepare: frame, pool, feasibility;
    # execute: selection, matching), each timed on its own, best of three: other
    # processes share this machine. The baselines come after, in the same process.
    frame_seconds, frame = timed(lambda: build_frame(pairs), repeats=3)
    keys = [key for _, key in pairs]
    pool = build_pool(make_pool(keys, rng))
    slots = default_slots("SCJG", ["JYJ", "WJJ"], experts=1, expert_expertise=["特种设备"])
    feasible_seconds, _ = timed(lambda: check_feasible(targets=keys, slots=slots, pool=pool))
    sizes = [stratum_size(name, size, ratio_percent="1") for name, size in frame.sizes.items()]
    seed = compute_seed(server_secret=secret, witness_input=WITNESS, frame_digest=frame.digest)
    selection_seconds, selected = timed(
        lambda: select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=50), 3
    )
    core_seconds = frame_seconds + selection_seconds
    targets = [entry.target for entry in selected]
    match_seconds, teams = timed(
        lambda: match_teams(seed=seed, targets=targets, slots=slots, pool=pool), repeats=3
    )
    ordered_frame_seconds, _ = timed(lambda: build_frame(sorted_pairs), repeats=3)
    sample_sizes = {stratum.name: stratum.sample_size for stratum in sizes}
    naive_seconds, naive = timed(lambda: baseline_naive(grouped, sample_sizes, seed), repeats=3)
    tight_seconds, _ = timed(lambda: baseline_tight(grouped, sample_sizes, seed), repeats=3)
    assert sorted(key for bottom in naive for _, key in bottom) == sorted(entry.target for entry in selected)
    relaxed = sum(slot.rotation_relaxed for team in teams for slot in team.slots)

    execution = Execution(
        executed_at=datetime.datetime(2027, 3, 2, 10, 0, 5, tzinfo=CHINA_STANDARD_TIME),
        witness_input=WITNESS,
        server_secret=secret,
        seed=seed,
        selected=selected,
        teams=teams,
    )
    record = build_record(
        task=TaskInfo("BENCH", "基准测试", "SCJG", ("JYJ", "WJJ"), slots),
        committed_at=datetime.datetime(2027, 3, 1, 9, 0, tzinfo=CHINA_STANDARD_TIME),
        scheduled_for=datetime.datetime(2027, 3, 2, 10, 0, tzinfo=CHINA_STANDARD_TIME),
        commitment=commitment_of(secret),
        frame_digest=frame.digest,
        pool_digest=pool.digest,
        strata=sizes,
        batch_size=50,
        execution=execution,
    )
    verify_seconds, findings = timed(lambda: list(verify_record(record, frame.content, pool.content)))
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    total = core_seconds + match_seconds
    print(
        f"dsj-draw/1 core: {arguments.targets:,} targets in {len(sizes)} strata at 1 % → {len(selected):,} selected"
    )
    print(
        f"  pools: {', '.join(f'{d} {n}' for d, n in POOLS)}, experts {EXPERTS}; slots 2+1+1 officers + 1 expert"
    )
    print(f"  baseline, naive (hexdigest per key, nsmallest):      {naive_seconds:6.2f} s = 1.00")
    print(
        f"  baseline, tight (raw digests via map(), nsmallest):  {tight_seconds:6.2f} s = {tight_seconds / naive_seconds:.2f}"
    )
    print(
        f"  frame + digest + tickets + selection:                {core_seconds:6.2f} s = {core_seconds / naive_seconds:.2f}"
        f"  ({core_seconds / tight_seconds:.2f}× tight)"
    )
    print(
        f"    frame file and digest:                             {frame_seconds:6.2f} s = {frame_seconds / naive_seconds:.2f}"
    )
    print(
        f"    tickets and selection (given the frame):           {selection_seconds:6.2f} s = "
        f"{selection_seconds / naive_seconds:.2f}  ({selection_seconds / tight_seconds:.2f}× tight)"
    )
    print(
        f"    (frame from rows already in (stratum, key) order:  {ordered_frame_seconds:6.2f} s = "
        f"{ordered_frame_seconds / naive_seconds:.2f})"
    )
    print(
        f"  matching ({len(targets):,} targets × {len(slots)} slots, {relaxed} rotations relaxed): "
        f"{match_seconds:6.2f} s = {match_seconds / naive_seconds:.2f}"
    )
    print(
        f"  total, frame to teams:                               {total:6.2f} s = {total / naive_seconds:.2f}"
    )
    print(
        f"  prepare-time feasibility check over every key:       {feasible_seconds:6.2f} s = {feasible_seconds / naive_seconds:.2f}"
    )
    print(
        f"  verifier, full record + pool ({len(findings)} findings):       {verify_seconds:6.2f} s = {verify_seconds / naive_seconds:.2f}"
    )
    print(f"  peak RSS of this whole process (data, baselines included): {peak_rss:.0f} MB")

    if not arguments.no_tracemalloc:
        del frame, selected, teams, record, execution, naive, sorted_pairs
        tracemalloc.start()
        frame, sizes, seed, selected = core()
        match_teams(seed=seed, targets=[entry.target for entry in selected], slots=slots, pool=pool)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"  tracemalloc peak of frame + selection + matching (input pairs not counted): {peak / 2**20:.0f} MB"
        )


if __name__ == "__main__":
    main()
