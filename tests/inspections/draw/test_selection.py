import hashlib
import random
from collections import Counter

import pytest

from inspections.draw import ProtocolError, build_frame, select_targets, selection, stratum_size, ticket_of
from inspections.draw.verifier import bottom_k
from tests.inspections.draw.draws import credit_code

# Critical values of the chi-square distribution at significance 0.01 (upper tail).
CHI_SQUARE_001 = {4: 13.277, 9: 21.666, 11: 24.725, 19: 36.191}
SEEDS = [hashlib.sha256(f"uniformity {number}".encode()).hexdigest() for number in range(4000)]


def inclusion_statistic(counts: Counter, candidates: list[str], sample: int, draws: int) -> float:
    """Pearson's statistic for inclusion counts of sampling without replacement.

    Each draw includes a candidate with p = k/N; inclusions within one draw are negatively
    correlated, so the counts' covariance is n·p(1−p)·N/(N−1)·(I − J/N) and the scaled
    statistic below is chi-square with N − 1 degrees of freedom.
    """
    size = len(candidates)
    p = sample / size
    expected = draws * p
    scale = draws * p * (1 - p) * size / (size - 1)
    return sum((counts[key] - expected) ** 2 for key in candidates) / scale


def test_inclusion_is_uniform_within_each_stratum_over_many_seeds():
    a_keys = [credit_code(number) for number in range(20)]
    b_keys = [f"XM-{number:04d}" for number in range(12)]
    frame = build_frame([("A", key) for key in a_keys] + [("B", key) for key in b_keys])
    sizes = [stratum_size("A", 20, count=5), stratum_size("B", 12, ratio_percent="25")]
    counts: Counter = Counter()
    for seed in SEEDS:
        counts.update(
            entry.target for entry in select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=10)
        )
    assert sum(counts[key] for key in a_keys) == 4000 * 5
    assert sum(counts[key] for key in b_keys) == 4000 * 3
    assert inclusion_statistic(counts, a_keys, 5, 4000) < CHI_SQUARE_001[19]
    assert inclusion_statistic(counts, b_keys, 3, 4000) < CHI_SQUARE_001[11]


def test_the_uniformity_statistic_would_catch_a_biased_draw():
    keys = [credit_code(number) for number in range(20)]
    rng = random.Random(7)
    counts: Counter = Counter()
    for _ in range(4000):
        # Biased: the first candidate by key is twice as likely to be in the sample.
        sample = set(rng.sample(keys, 5))
        if keys[0] not in sample and rng.random() < 0.3:
            sample.pop()
            sample.add(keys[0])
        counts.update(sample)
    assert inclusion_statistic(counts, keys, 5, 4000) > CHI_SQUARE_001[19]


def test_every_k_subset_is_equally_likely():
    keys = ["P-1", "P-2", "P-3", "P-4", "P-5"]
    frame = build_frame([("ALL", key) for key in keys])
    sizes = [stratum_size("ALL", 5, count=2)]
    subsets = Counter(
        tuple(
            sorted(
                entry.target for entry in select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=1)
            )
        )
        for seed in SEEDS
    )
    assert len(subsets) == 10
    expected = 4000 / 10
    statistic = sum((count - expected) ** 2 / expected for count in subsets.values())
    assert statistic < CHI_SQUARE_001[9]


def test_the_selection_does_not_depend_on_the_order_rows_arrive_in():
    pairs = [("ABCD"[number % 4], credit_code(number)) for number in range(200)]
    seed = SEEDS[0]
    results = set()
    for shuffle_seed in range(4):
        random.Random(shuffle_seed).shuffle(pairs)
        frame = build_frame(pairs)
        sizes = [stratum_size(name, 50, ratio_percent="10") for name in "ABCD"]
        results.add(select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=7))
    assert len(results) == 1


def test_selection_is_bottom_k_by_ticket_and_batches_follow_ascending_tickets():
    keys = [credit_code(number) for number in range(300)]
    frame = build_frame([("A" if number < 200 else "B", key) for number, key in enumerate(keys)])
    seed = SEEDS[1]
    # A large sample and a small one (whose candidates are cut back many times): both bottom-k.
    sizes = [stratum_size("A", 200, ratio_percent="40"), stratum_size("B", 100, count=3)]
    selected = select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=20)
    expected_a = sorted((ticket_of(seed, key), key) for key in keys[:200])[:80]
    expected_b = sorted((ticket_of(seed, key), key) for key in keys[200:])[:3]
    expected = sorted(expected_a + expected_b)
    assert [(entry.ticket, entry.target) for entry in selected] == expected
    assert [entry.batch for entry in selected] == [1 + index // 20 for index in range(83)]
    assert [entry.stratum for entry in selected].count("B") == 3


@pytest.mark.parametrize(
    ("size", "count"), [(1, 1), (5, 1), (50, 7), (50, 49), (50, 50), (50, 80), (2000, 3)]
)
def test_bottom_k_equals_sorting_every_ticket(size, count):
    keys = [credit_code(number) for number in range(size)]
    random.Random(size * count).shuffle(keys)
    seed = SEEDS[2]
    expected = sorted((ticket_of(seed, key), key) for key in keys)[:count]
    assert [(digest.hex(), key) for digest, key in bottom_k(seed, keys, count)] == expected


def test_adding_a_candidate_never_changes_another_candidates_ticket():
    seed = SEEDS[2]
    before = {key: ticket_of(seed, key) for key in ("X-1", "X-2")}
    frame = build_frame([("ALL", "X-1"), ("ALL", "X-2"), ("ALL", "X-3")])
    selected = select_targets(seed=seed, frame=frame, sizes=[stratum_size("ALL", 3, count=3)], batch_size=5)
    assert {entry.target: entry.ticket for entry in selected if entry.target != "X-3"} == before


@pytest.mark.parametrize(
    ("sizes", "batch_size", "message"),
    [
        ([stratum_size("A", 2, count=1)], 5, "B 层没有设置抽取数量。"),
        (
            [stratum_size("A", 3, count=1), stratum_size("B", 1, count=1)],
            5,
            "A 层在抽取名单中有 2 个对象，抽取数量却按 3 个计算。",
        ),
        ([stratum_size("A", 2, count=1), stratum_size("A", 2, count=1)], 5, "A 层的抽取数量重复设置。"),
        ([stratum_size("A", 2, count=1), stratum_size("B", 1, count=1)], 0, "每批数量必须是正整数。"),
    ],
)
def test_selection_refuses_sizes_that_do_not_match_the_frame(sizes, batch_size, message):
    frame = build_frame([("A", "X-1"), ("A", "X-2"), ("B", "X-3")])
    with pytest.raises(ProtocolError) as caught:
        select_targets(seed=SEEDS[0], frame=frame, sizes=sizes, batch_size=batch_size)
    assert caught.value.message == message


def test_a_size_for_an_empty_stratum_is_allowed():
    frame = build_frame([("A", "X-1")])
    sizes = [stratum_size("A", 1, count=1), stratum_size("D", 0, ratio_percent="30")]
    assert [
        entry.target for entry in select_targets(seed=SEEDS[0], frame=frame, sizes=sizes, batch_size=1)
    ] == ["X-1"]


def _large_frame_and_sizes():  # type: ignore[no-untyped-def]
    keys = {"A": 700, "B": 1301, "C": 3, "D": 0}
    frame = build_frame(
        [
            (stratum, credit_code(stratum_index * 10_000 + number))
            for stratum_index, (stratum, count) in enumerate(keys.items())
            for number in range(count)
        ]
    )
    sizes = [
        stratum_size("A", 700, ratio_percent="3"),
        stratum_size("B", 1301, count=40),
        stratum_size("C", 3, count=0),
        stratum_size("D", 0, count=0),
    ]
    return frame, sizes


def test_a_large_frame_hashed_in_two_processes_selects_the_same(monkeypatch):
    frame, sizes = _large_frame_and_sizes()
    seed = SEEDS[7]
    alone = select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=7)
    monkeypatch.setattr(selection, "TWO_PROCESSES_FROM", 100)
    forks = []
    real_fork = selection.os.fork
    monkeypatch.setattr(selection.os, "fork", lambda: forks.append(1) or real_fork())
    assert select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=7) == alone
    assert forks == [1]
    assert [entry.stratum for entry in alone].count("A") == 21
    assert [entry.stratum for entry in alone].count("B") == 40


def test_a_failed_second_process_leaves_its_half_to_the_first(monkeypatch):
    frame, sizes = _large_frame_and_sizes()
    seed = SEEDS[8]
    alone = select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=7)
    monkeypatch.setattr(selection, "TWO_PROCESSES_FROM", 100)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise MemoryError  # in the child only: the parent never pickles

    monkeypatch.setattr(selection.pickle, "dumps", broken)
    assert select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=7) == alone
