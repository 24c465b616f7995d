import hashlib
import random
from collections import Counter

import pytest

from inspections.draw import (
    InfeasibleError,
    PoolEntry,
    ProtocolError,
    Slot,
    build_frame,
    build_pool,
    check_feasible,
    default_slots,
    match_teams,
    validate_slots,
)
from tests.inspections.draw.draws import credit_code

SEED = hashlib.sha256(b"matching").hexdigest()
NAMES = {"SCJG": "区市场监管局", "JYJ": "区教育局", "WJJ": "区卫生健康局"}


def literal_matching(seed, targets, slots, entries):
    """§3 read word by word, with no shortcuts: the reference for the optimised matcher."""

    def fits(entry, slot):
        return (
            entry.active
            and entry.expert == (slot.department is None)
            and (slot.department is None or entry.department == slot.department)
            and (entry.certified or not slot.certified)
            and all(item in entry.expertise for item in slot.expertise)
        )

    loads = Counter()
    teams = []
    for target in targets:
        team, row = [], []
        for slot in slots:
            hard = [e for e in entries if fits(e, slot) and target not in e.conflicts and e.code not in team]
            strict = [e for e in hard if target not in e.recent_targets]
            relaxed = len(strict) < slot.k
            eligible = hard if relaxed else strict
            assert len(eligible) >= slot.k
            picked = []
            for _ in range(slot.k):
                best = min(
                    (e.code for e in eligible if e.code not in picked),
                    key=lambda code, target=target: (
                        loads[code],
                        hashlib.sha256(f"{seed}|{target}|{code}".encode()).hexdigest(),
                        code,
                    ),
                )
                picked.append(best)
                loads[best] += 1
            team += picked
            row.append((picked, relaxed))
        teams.append(row)
    return teams


def as_rows(teams):
    return [[(list(slot.inspectors), slot.rotation_relaxed) for slot in team.slots] for team in teams]


def random_pool(rng, targets, *, scjg=9, jyj=4, experts=7):
    entries = []
    for department, size in (("SCJG", scjg), ("JYJ", jyj)):
        for number in range(size):
            entries.append(
                PoolEntry(
                    f"{department}-{number:02d}",
                    department,
                    active=rng.random() > 0.1,
                    certified=rng.random() > 0.2,
                    expertise=rng.sample(["食品", "药品", "特种设备"], rng.randint(0, 2)),
                    conflicts=rng.sample(targets, rng.randint(0, 6)),
                    recent_targets=rng.sample(targets, rng.randint(0, 15)),
                )
            )
    for number in range(experts):
        entries.append(
            PoolEntry(
                f"ZJ-{number:02d}",
                rng.choice(["SCJG", "JYJ"]),
                active=rng.random() > 0.1,
                expert=True,
                expertise=rng.sample(["特种设备", "锅炉", "会计"], rng.randint(1, 2)),
                conflicts=rng.sample(targets, rng.randint(0, 6)),
                recent_targets=rng.sample(targets, rng.randint(0, 10)),
            )
        )
    return entries


@pytest.mark.parametrize("case", range(12))
def test_the_optimised_matching_equals_a_literal_reading_of_section_3(case):
    rng = random.Random(case)
    targets = [credit_code(number) for number in range(60)]
    entries = random_pool(rng, targets)
    # Two expert slots whose fitting experts overlap: the "not already on this team" rule bites.
    slots = (
        Slot("SCJG", 2),
        Slot("JYJ", 1),
        Slot(None, 1, certified=False),
        Slot(None, 1, certified=False, expertise=("特种设备",)),
    )
    pool = build_pool(entries)
    try:
        expected = literal_matching(SEED, targets, slots, pool.entries)
    except (AssertionError, ValueError):
        with pytest.raises(InfeasibleError):
            match_teams(seed=SEED, targets=targets, slots=slots, pool=pool)
        return
    assert as_rows(match_teams(seed=SEED, targets=targets, slots=slots, pool=pool)) == expected


def test_the_literal_comparison_covers_feasible_cases_with_rotation_relaxed():
    feasible = relaxed = 0
    for case in range(12):
        rng = random.Random(case)
        targets = [credit_code(number) for number in range(60)]
        slots = (
            Slot("SCJG", 2),
            Slot("JYJ", 1),
            Slot(None, 1, certified=False),
            Slot(None, 1, certified=False, expertise=("特种设备",)),
        )
        try:
            teams = literal_matching(SEED, targets, slots, build_pool(random_pool(rng, targets)).entries)
        except (AssertionError, ValueError):
            continue
        feasible += 1
        relaxed += sum(flag for row in teams for _, flag in row)
    assert feasible >= 6
    assert relaxed >= 5


def test_the_teams_do_not_depend_on_the_order_of_the_pool_entries():
    rng = random.Random(99)
    targets = [credit_code(number) for number in range(40)]
    entries = random_pool(rng, targets, scjg=14, jyj=8)
    for entry in list(entries):
        if entry.department == "SCJG" and not entry.expert:
            entries.append(PoolEntry(entry.code + "A", "SCJG", certified=True))
    slots = (Slot("SCJG", 2), Slot("JYJ", 1, certified=False))
    results = set()
    for _shuffle_seed in range(3):
        rng.shuffle(entries)
        results.add(match_teams(seed=SEED, targets=targets, slots=slots, pool=build_pool(entries)))
    assert len(results) == 1


def officers(department, count, **kwargs):
    return [
        PoolEntry(f"{department}-{number:02d}", department, certified=True, **kwargs)
        for number in range(1, count + 1)
    ]


def test_nobody_inspects_a_target_they_declared_a_conflict_with():
    targets = [credit_code(number) for number in range(30)]
    entries = [*officers("SCJG", 3), PoolEntry("SCJG-04", "SCJG", certified=True, conflicts=targets[::2])]
    teams = match_teams(seed=SEED, targets=targets, slots=(Slot("SCJG", 2),), pool=build_pool(entries))
    assert [team.target for team in teams if "SCJG-04" in team.inspectors] != []
    assert all("SCJG-04" not in team.inspectors for team in teams if team.target in targets[::2])


def test_certified_slots_take_only_certified_officers_and_never_experts():
    targets = [credit_code(number) for number in range(20)]
    entries = [
        *officers("SCJG", 2),
        PoolEntry("SCJG-03", "SCJG", certified=False),
        PoolEntry("SCJG-04", "SCJG", certified=True, expert=True),
        PoolEntry("SCJG-05", "SCJG", certified=True, active=False),
    ]
    teams = match_teams(seed=SEED, targets=targets, slots=(Slot("SCJG", 2),), pool=build_pool(entries))
    assert {team.inspectors for team in teams} == {("SCJG-01", "SCJG-02"), ("SCJG-02", "SCJG-01")}


def test_an_uncertified_slot_takes_staff_without_certificates_but_still_no_experts():
    targets = [credit_code(number) for number in range(20)]
    entries = [
        PoolEntry("JYJ-01", "JYJ"),
        PoolEntry("JYJ-02", "JYJ", certified=True),
        PoolEntry("JYJ-03", "JYJ", expert=True),
    ]
    teams = match_teams(
        seed=SEED, targets=targets, slots=(Slot("JYJ", 1, certified=False),), pool=build_pool(entries)
    )
    assert Counter(code for team in teams for code in team.inspectors) == {"JYJ-01": 10, "JYJ-02": 10}


def test_expert_slots_take_experts_of_any_department_with_every_listed_expertise():
    targets = [credit_code(number) for number in range(12)]
    entries = [
        PoolEntry("ZJ-01", "SCJG", expert=True, expertise=["特种设备", "锅炉"]),
        PoolEntry("ZJ-02", "JYJ", expert=True, expertise=["锅炉", "特种设备", "会计"]),
        PoolEntry("ZJ-03", "JYJ", expert=True, expertise=["特种设备"]),
        PoolEntry("SCJG-01", "SCJG", certified=True, expertise=["特种设备", "锅炉"]),
    ]
    slot = Slot(None, 1, certified=False, expertise=("锅炉", "特种设备"))
    teams = match_teams(seed=SEED, targets=targets, slots=(slot,), pool=build_pool(entries))
    assert Counter(code for team in teams for code in team.inspectors) == {"ZJ-01": 6, "ZJ-02": 6}


def test_rotation_keeps_last_times_inspector_away_while_anyone_else_is_left():
    target = credit_code(1)
    entries = [*officers("SCJG", 2), PoolEntry("SCJG-03", "SCJG", certified=True, recent_targets=[target])]
    (team,) = match_teams(seed=SEED, targets=[target], slots=(Slot("SCJG", 2),), pool=build_pool(entries))
    assert sorted(team.inspectors) == ["SCJG-01", "SCJG-02"]
    assert team.slots[0].rotation_relaxed is False


def test_rotation_is_relaxed_and_flagged_when_too_few_others_are_left():
    target = credit_code(1)
    entries = [
        PoolEntry("SCJG-01", "SCJG", certified=True),
        PoolEntry("SCJG-02", "SCJG", certified=True, recent_targets=[target]),
        PoolEntry("SCJG-03", "SCJG", certified=True, recent_targets=[target], conflicts=[target]),
    ]
    (team,) = match_teams(seed=SEED, targets=[target], slots=(Slot("SCJG", 2),), pool=build_pool(entries))
    assert sorted(team.inspectors) == ["SCJG-01", "SCJG-02"]
    assert team.slots[0].rotation_relaxed is True


def test_loads_stay_within_one_of_each_other_where_the_pool_allows():
    targets = [credit_code(number) for number in range(101)]
    rng = random.Random(5)
    entries = officers("SCJG", 7) + [
        PoolEntry(f"JYJ-{number:02d}", "JYJ", certified=True, recent_targets=rng.sample(targets, 10))
        for number in range(5)
    ]
    teams = match_teams(
        seed=SEED, targets=targets, slots=(Slot("SCJG", 2), Slot("JYJ", 1)), pool=build_pool(entries)
    )
    loads = Counter(code for team in teams for code in team.inspectors)
    scjg = [loads[f"SCJG-{number:02d}"] for number in range(1, 8)]
    jyj = [loads[f"JYJ-{number:02d}"] for number in range(5)]
    assert (sum(scjg), sum(jyj)) == (202, 101)
    assert max(scjg) - min(scjg) <= 1
    assert max(jyj) - min(jyj) <= 1


def test_the_inspectors_are_listed_in_the_order_they_were_picked():
    target = credit_code(3)
    entries = officers("SCJG", 4)
    (team,) = match_teams(seed=SEED, targets=[target], slots=(Slot("SCJG", 4),), pool=build_pool(entries))
    hashes = {
        code: hashlib.sha256(f"{SEED}|{target}|{code}".encode()).hexdigest() for code in team.inspectors
    }
    assert list(team.inspectors) == sorted(hashes, key=hashes.get)


def test_a_slot_that_runs_dry_during_the_draw_is_refused_naming_target_department_and_rule():
    targets = [credit_code(1), credit_code(2)]
    entries = [*officers("SCJG", 2), PoolEntry("JYJ-01", "JYJ", certified=True, conflicts=[credit_code(2)])]
    pool = build_pool(entries)
    with pytest.raises(InfeasibleError) as caught:
        match_teams(
            seed=SEED,
            targets=targets,
            slots=(Slot("SCJG", 2), Slot("JYJ", 1)),
            pool=pool,
            department_names=NAMES,
        )
    assert caught.value.message == (
        "检查对象 91371311MA0000002X 无法配齐“区教育局”名额的检查人员：需要 1 名，按“回避”规则筛选后只剩 0 名。"
    )
    assert (caught.value.target, caught.value.department, caught.value.rule) == (
        credit_code(2),
        "JYJ",
        "conflict",
    )


@pytest.mark.parametrize(
    ("entries", "slots", "message"),
    [
        (
            [
                *officers("SCJG", 1),
                PoolEntry("SCJG-02", "SCJG", certified=False),
                PoolEntry("JYJ-01", "JYJ", certified=True),
            ],
            (Slot("SCJG", 2), Slot("JYJ", 1)),
            "任何检查对象都无法配齐“区市场监管局”名额的检查人员：需要 2 名，按“持有效执法证”规则筛选后只剩 1 名。",
        ),
        (
            [*officers("SCJG", 2), PoolEntry("JYJ-01", "JYJ", certified=True, active=False)],
            (Slot("SCJG", 2), Slot("JYJ", 1)),
            "任何检查对象都无法配齐“区教育局”名额的检查人员：需要 1 名，按“在岗”规则筛选后只剩 0 名。",
        ),
        (
            officers("SCJG", 2),
            (Slot("SCJG", 2), Slot("WJJ", 1)),
            "任何检查对象都无法配齐“区卫生健康局”名额的检查人员：需要 1 名，按“部门人员”规则筛选后只剩 0 名。",
        ),
        (
            [*officers("SCJG", 2), PoolEntry("ZJ-01", "SCJG", expert=True, expertise=["会计"])],
            (Slot("SCJG", 2), Slot(None, 1, certified=False, expertise=("特种设备",))),
            "任何检查对象都无法配齐“专家和第三方人员”名额的检查人员：需要 1 名，按“业务专长”规则筛选后只剩 0 名。",
        ),
        (
            [*officers("SCJG", 2), PoolEntry("ZJ-01", "SCJG", expert=True, expertise=["会计", "特种设备"])],
            (
                Slot("SCJG", 2),
                Slot(None, 1, certified=False),
                Slot(None, 1, certified=False, expertise=("特种设备",)),
            ),
            "任何检查对象都无法配齐“专家和第三方人员”名额的检查人员：需要 1 名，按“同组不重复”规则筛选后只剩 0 名。",
        ),
        (
            [
                *officers("SCJG", 2),
                PoolEntry("SCJG-03", "SCJG", certified=True, conflicts=[credit_code(7)]),
                PoolEntry("SCJG-04", "SCJG", certified=True, conflicts=[credit_code(5), credit_code(7)]),
            ],
            (Slot("SCJG", 3),),
            "检查对象 91371311MA0000007X 无法配齐“区市场监管局”名额的检查人员：需要 3 名，按“回避”规则筛选后只剩 2 名。",
        ),
    ],
)
def test_the_prepare_time_check_refuses_the_worst_case_naming_department_and_rule(entries, slots, message):
    targets = {credit_code(number) for number in range(10)}
    with pytest.raises(InfeasibleError) as caught:
        check_feasible(targets=targets, slots=slots, pool=build_pool(entries), department_names=NAMES)
    assert caught.value.message == message


def test_the_prepare_time_check_ignores_conflicts_with_targets_outside_the_frame_and_rotation():
    inside = [credit_code(number) for number in range(5)]
    entries = [
        *officers("SCJG", 2, recent_targets=inside),
        PoolEntry("SCJG-03", "SCJG", certified=True, conflicts=[credit_code(99)]),
        PoolEntry("JYJ-01", "JYJ", certified=True, recent_targets=inside),
    ]
    slots = (Slot("SCJG", 3), Slot("JYJ", 1))
    check_feasible(targets=inside, slots=slots, pool=build_pool(entries))
    with pytest.raises(InfeasibleError):
        check_feasible(targets=[*inside, credit_code(99)], slots=slots, pool=build_pool(entries))


def test_the_prepare_time_check_passes_when_every_seed_can_be_served():
    rng = random.Random(3)
    targets = [credit_code(number) for number in range(200)]
    entries = (
        officers("SCJG", 6)
        + officers("JYJ", 3)
        + [
            PoolEntry(
                f"ZJ-{number}", "SCJG", expert=True, expertise=["特种设备"], conflicts=targets[number::4][:20]
            )
            for number in range(4)
        ]
    )
    slots = default_slots("SCJG", ["JYJ"], experts=2, expert_expertise=["特种设备"])
    pool = build_pool(entries)
    check_feasible(targets=targets, slots=slots, pool=pool)
    for number in range(5):
        seed = hashlib.sha256(f"any seed {number}".encode()).hexdigest()
        assert len(match_teams(seed=seed, targets=rng.sample(targets, 50), slots=slots, pool=pool)) == 50


def test_default_slots_are_two_initiator_officers_and_one_per_participant():
    assert default_slots("SCJG", ["JYJ", "WJJ"], experts=1, expert_expertise=["锅炉", "特种设备"]) == (
        Slot("SCJG", 2),
        Slot("JYJ", 1),
        Slot("WJJ", 1),
        Slot(None, 1, certified=False, expertise=("特种设备", "锅炉")),
    )


def test_valid_slots_pass():
    validate_slots(default_slots("SCJG", ["JYJ"], experts=2), initiator="SCJG", participants=["JYJ"])
    validate_slots((Slot("SCJG", 1), Slot("JYJ", 1)), initiator="SCJG", participants=["JYJ"])


@pytest.mark.parametrize(
    ("slots", "participants", "message"),
    [
        (
            (Slot("SCJG", 1), Slot("JYJ", 1, certified=False)),
            ["JYJ"],
            "每个检查组至少需要两名持有效执法证的执法人员（两名以上执法人员），专家和第三方人员不计入；当前名额设置只保证 1 名。",
        ),
        (
            (Slot("SCJG", 1), Slot(None, 3, certified=False)),
            [],
            "每个检查组至少需要两名持有效执法证的执法人员（两名以上执法人员），专家和第三方人员不计入；当前名额设置只保证 1 名。",
        ),
        ((Slot("SCJG", 2), Slot(None, 1)), [], "专家和第三方人员不持执法证，专家名额不能要求持证。"),
        (
            (Slot("JYJ", 1), Slot("SCJG", 2)),
            ["JYJ"],
            "部门名额应依次为发起部门和各参与部门（按任务所列顺序），每个部门一个名额。",
        ),
        (
            (Slot("SCJG", 2),),
            ["JYJ"],
            "部门名额应依次为发起部门和各参与部门（按任务所列顺序），每个部门一个名额。",
        ),
        (
            (Slot("SCJG", 2), Slot("SCJG", 1)),
            [],
            "部门名额应依次为发起部门和各参与部门（按任务所列顺序），每个部门一个名额。",
        ),
        (
            (Slot("SCJG", 2), Slot(None, 1, certified=False), Slot("JYJ", 1)),
            ["JYJ"],
            "部门名额应排在专家名额之前。",
        ),
        ((Slot("SCJG", 0), Slot("JYJ", 2)), ["JYJ"], "第 1 个名额的人数应为正整数。"),
        ((Slot("SCJG", 2),), ["SCJG"], "参与部门不能重复，也不能包含发起部门。"),
        ((), [], "检查组至少需要一个名额设置。"),
    ],
)
def test_bad_slots_are_refused(slots, participants, message):
    with pytest.raises(ProtocolError) as caught:
        validate_slots(slots, initiator="SCJG", participants=participants)
    assert caught.value.message == message


def test_the_prepare_time_check_takes_the_frame_keys_as_they_are():
    """The service passes the sampled strata's keys as a FrameKeys view (no million-key set):
    same verdict, same message, as with a plain set."""
    keys = [credit_code(number) for number in range(40)]
    frame = build_frame([("A" if number % 3 else "B", key) for number, key in enumerate(keys)])
    entries = [
        *officers("SCJG", 2),
        PoolEntry("SCJG-03", "SCJG", certified=True, conflicts=[keys[3], keys[4]]),
        PoolEntry("JYJ-01", "JYJ", certified=True, conflicts=[keys[7]]),
    ]
    pool = build_pool(entries)
    slots = (Slot("SCJG", 2), Slot("JYJ", 1))
    messages = []
    for strata in ({"A"}, {"B"}, {"A", "B"}):
        plain = {key for name, stratum_keys in frame.strata if name in strata for key in stratum_keys}
        verdicts = []
        for targets in (plain, frame.keys_in(strata)):
            try:
                check_feasible(targets=targets, slots=slots, pool=pool, department_names=NAMES)
            except InfeasibleError as error:
                verdicts.append(error.message)
            else:
                verdicts.append(None)
        assert verdicts[0] == verdicts[1]
        messages.append(verdicts[0])
    assert messages[0] is not None and keys[7] in messages[0]  # key 7 is in A; JYJ-01 is the only one
    assert messages[1] is None  # B holds keys 0, 3, 6, …: conflicts there leave enough officers
