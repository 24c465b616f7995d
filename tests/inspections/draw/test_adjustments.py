import datetime
import hashlib
from collections import Counter

import pytest

from inspections.draw import (
    CHINA_STANDARD_TIME,
    InfeasibleError,
    PoolEntry,
    ProtocolError,
    Slot,
    build_pool,
    current_teams,
    match_teams,
    replace_inspector,
)
from tests.inspections.draw.draws import SLOTS, medium_draw

AT = datetime.datetime(2027, 4, 9, 8, 30, tzinfo=CHINA_STANDARD_TIME)


def replace(draw, adjustments=(), **kwargs):
    team = draw.execution.teams[0]
    arguments = {
        "seed": draw.execution.seed,
        "slots": SLOTS,
        "pool": draw.pool,
        "teams": draw.execution.teams,
        "adjustments": list(adjustments),
        "target": team.target,
        "out": team.slots[0].inspectors[0],
        "reason": "因病住院，无法参加检查",
        "at": AT,
        "by": "scjg_staff",
    }
    arguments.update(kwargs)
    return replace_inspector(**arguments)


def test_the_replacement_is_the_eligible_inspector_with_the_smallest_load_hash_and_code():
    draw = medium_draw()
    team = draw.execution.teams[0]
    out = team.slots[0].inspectors[0]
    adjustment = replace(draw)
    loads = Counter(code for drawn in draw.execution.teams for code in drawn.inspectors)
    eligible = [
        entry.code
        for entry in draw.pool.entries
        if entry.department == "SCJG"
        and not entry.expert
        and entry.certified
        and entry.active
        and team.target not in entry.conflicts
        and team.target not in entry.recent_targets
        and entry.code not in team.inspectors
    ]
    expected = min(
        eligible,
        key=lambda code: (
            loads[code],
            hashlib.sha256(f"{draw.execution.seed}|{team.target}|{code}".encode()).hexdigest(),
            code,
        ),
    )
    assert adjustment.as_record() == {
        "target": team.target,
        "department": "SCJG",
        "out": out,
        "in": expected,
        "reason": "因病住院，无法参加检查",
        "at": "2027-04-09T08:30:00+08:00",
        "by": "scjg_staff",
    }


def test_adjustments_never_rewrite_the_drawn_teams_and_build_on_each_other():
    draw = medium_draw()
    before = draw.execution.teams
    first = replace(draw)
    second = replace(draw, [first], out=first.incoming, reason="临时申报回避")
    assert draw.execution.teams == before
    team = current_teams(draw.execution.teams, [first, second])[first.target]
    assert team[0] == [second.incoming, before[0].slots[0].inspectors[1]]
    # Somebody who was taken out of this team (could not serve) is never brought back.
    assert second.incoming not in (first.out, first.incoming)


def test_a_named_substitute_approved_by_the_office_is_taken_if_it_fits():
    draw = medium_draw()
    team = draw.execution.teams[0]
    substitute = next(
        entry.code
        for entry in draw.pool.entries
        if entry.department == "SCJG"
        and entry.certified
        and team.target not in entry.conflicts
        and entry.code not in team.inspectors
    )
    assert replace(draw, substitute=substitute).incoming == substitute


@pytest.mark.parametrize(
    ("substitute", "message"),
    [
        ("JYJ-01", "指定替补人员 JYJ-01 不属于区市场监管局，不能调入“区市场监管局”名额。"),
        ("SCJG-12", "指定替补人员 SCJG-12 没有有效执法证，不能调入“区市场监管局”名额。"),
        (
            "ZJ-01",
            "指定替补人员 ZJ-01 是专家或第三方人员，不能占用部门执法人员名额，不能调入“区市场监管局”名额。",
        ),
        ("NOBODY", "指定替补人员 NOBODY 不在本次抽取冻结的人员库中。"),
    ],
)
def test_a_named_substitute_that_does_not_fit_is_refused(substitute, message):
    draw = medium_draw()
    with pytest.raises(ProtocolError) as caught:
        replace(draw, substitute=substitute, department_names={"SCJG": "区市场监管局"})
    assert caught.value.message == message


def test_a_named_substitute_with_a_conflict_or_already_on_the_team_is_refused():
    target = "91371311MA0000001X"
    entries = [
        PoolEntry("SCJG-01", "SCJG", certified=True),
        PoolEntry("SCJG-02", "SCJG", certified=True),
        PoolEntry("SCJG-03", "SCJG", certified=True, conflicts=[target]),
    ]
    pool = build_pool(entries)
    seed = "ab" * 32
    teams = match_teams(seed=seed, targets=[target], slots=(Slot("SCJG", 2),), pool=pool)
    arguments = {"seed": seed, "slots": (Slot("SCJG", 2),), "pool": pool, "teams": teams, "adjustments": []}
    arguments |= {"target": target, "out": "SCJG-01", "reason": "出差", "at": AT, "by": "office"}
    with pytest.raises(ProtocolError) as caught:
        replace_inspector(**arguments, substitute="SCJG-03")
    assert caught.value.message == "指定替补人员 SCJG-03 与该检查对象有回避关系，不能调入“SCJG”名额。"
    with pytest.raises(ProtocolError) as caught:
        replace_inspector(**arguments, substitute="SCJG-02")
    assert caught.value.message == "指定替补人员 SCJG-02 已在该检查组中，不能调入“SCJG”名额。"
    with pytest.raises(ProtocolError) as caught:
        replace_inspector(**arguments)
    assert (
        caught.value.message
        == "检查对象 91371311MA0000001X 的“SCJG”名额没有可替补的人员：按“不在本组且本次可以参加”规则筛选后无人符合条件。"
    )
    assert not isinstance(caught.value, InfeasibleError)


def test_the_caller_can_rule_out_inspectors_who_are_unavailable_now():
    draw = medium_draw()
    first_choice = replace(draw).incoming
    assert replace(draw, unavailable=[first_choice]).incoming != first_choice


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason": "  "}, "调整检查人员必须写明理由。"),
        ({"by": ""}, "必须记录调整人。"),
        ({"target": "NOT-SELECTED"}, "检查对象 NOT-SELECTED 不在本次抽中名单中。"),
        ({"out": "ZJ-99"}, None),
        ({"at": datetime.datetime(2027, 4, 9, 8, 30)}, "时间必须带时区。"),  # noqa: DTZ001
    ],
)
def test_a_bad_adjustment_request_is_refused(kwargs, message):
    draw = medium_draw()
    with pytest.raises(ProtocolError) as caught:
        replace(draw, **kwargs)
    expected = message or f"ZJ-99 不在检查对象 {draw.execution.teams[0].target} 的检查组中。"
    assert caught.value.message == expected
