"""Adjustments after the draw (§3): one inspector on one target's slot is replaced.

Teams are never rewritten; each adjustment is appended to the record's list. The state
an adjustment starts from is the drawn teams with every earlier adjustment applied, and
the loads are counted from that state (the draw's loads, minus one for each inspector
taken out, plus one for each brought in). Without a named substitute the replacement is
the eligible inspector with the smallest (load, H(seed|key|code), code): fits the slot,
no conflict with the target, not on the team, not taken out of this target's team
before (they could not serve it), not listed by the caller as unavailable now, and — if
anyone else is left — not on the target's previous inspection (rotation). A named
substitute approved by the office must still fit the slot, have no conflict and not be
on the team.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from .matching import Slot, Team
from .pool import Pool
from .timestamps import record_time
from .verifier import RULE_NAMES, ProtocolError, misfit_reason, slot_label, slot_stages


@dataclass(frozen=True)
class Adjustment:
    target: str
    department: str | None
    out: str
    incoming: str
    reason: str
    at: datetime.datetime
    by: str

    def as_record(self) -> dict:
        return {
            "target": self.target,
            "department": self.department,
            "out": self.out,
            "in": self.incoming,
            "reason": self.reason,
            "at": record_time(self.at),
            "by": self.by,
        }


def current_teams(teams: Sequence[Team], adjustments: Sequence[Adjustment]) -> dict[str, list[list[str]]]:
    """target -> per slot, the inspectors serving now (the drawn teams with adjustments applied)."""
    current = {team.target: [list(slot.inspectors) for slot in team.slots] for team in teams}
    for adjustment in adjustments:
        for codes in current[adjustment.target]:
            if adjustment.out in codes:
                codes[codes.index(adjustment.out)] = adjustment.incoming
                break
    return current


def replace_inspector(
    *,
    seed: str,
    slots: Sequence[Slot],
    pool: Pool,
    teams: Sequence[Team],
    adjustments: Sequence[Adjustment],
    target: str,
    out: str,
    reason: str,
    at: datetime.datetime,
    by: str,
    substitute: str | None = None,
    unavailable: Collection[str] = (),
    department_names: Mapping[str, str] | None = None,
) -> Adjustment:
    """The adjustment replacing `out` on `target`'s team; raises ProtocolError (Chinese) if
    the request is invalid or nobody eligible is left."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ProtocolError("调整检查人员必须写明理由。")
    if not isinstance(by, str) or not by.strip():
        raise ProtocolError("必须记录调整人。")
    record_time(at)
    current = current_teams(teams, adjustments)
    if target not in current:
        raise ProtocolError(f"检查对象 {target} 不在本次抽中名单中。")
    team = current[target]
    index = next((index for index, codes in enumerate(team) if out in codes), None)
    if index is None:
        raise ProtocolError(f"{out} 不在检查对象 {target} 的检查组中。")
    slot = slots[index].as_json()
    names = dict(department_names or {})
    label = slot_label(slot["department"], names)
    on_team = {code for codes in team for code in codes}

    if substitute is not None:
        entry = pool.by_code.get(substitute)
        if entry is None:
            raise ProtocolError(f"指定替补人员 {substitute} 不在本次抽取冻结的人员库中。")
        problem = misfit_reason(entry.as_json(), slot, names)
        if problem is None and target in entry.conflicts:
            problem = "与该检查对象有回避关系"
        if problem is None and substitute in on_team:
            problem = "已在该检查组中"
        if problem is not None:
            raise ProtocolError(f"指定替补人员 {substitute} {problem}，不能调入“{label}”名额。")
        incoming = substitute
    else:
        incoming = _next_in_line(
            seed=seed,
            slot=slot,
            pool=pool,
            target=target,
            excluded=on_team | {a.out for a in adjustments if a.target == target} | set(unavailable),
            loads=_loads(current),
            label=label,
        )
    return Adjustment(
        target=target,
        department=slot["department"],
        out=out,
        incoming=incoming,
        reason=reason,
        at=at,
        by=by.strip(),
    )


def _loads(current: dict[str, list[list[str]]]) -> dict[str, int]:
    loads: dict[str, int] = {}
    for team in current.values():
        for codes in team:
            for code in codes:
                loads[code] = loads.get(code, 0) + 1
    return loads


def _next_in_line(
    *, seed: str, slot: dict, pool: Pool, target: str, excluded: set[str], loads: dict[str, int], label: str
) -> str:
    entries = pool.json_entries
    stages = slot_stages(slot, entries, {entry.code for entry in pool.entries if target in entry.conflicts})
    eligible = [code for code in stages[-1][1] if code not in excluded]
    if not eligible:
        stages.append(("team", eligible))
        rule = next(rule for rule, codes in stages if not codes)
        rule_name = "不在本组且本次可以参加" if rule == "team" else RULE_NAMES[rule]
        raise ProtocolError(
            f"检查对象 {target} 的“{label}”名额没有可替补的人员：按“{rule_name}”规则筛选后无人符合条件。"
        )
    fresh = [code for code in eligible if target not in pool.by_code[code].recent_targets]
    candidates = fresh or eligible
    prefix = seed + "|" + target + "|"
    return min(
        candidates,
        key=lambda code: (
            loads.get(code, 0),
            hashlib.sha256((prefix + code).encode("utf-8")).hexdigest(),
            code,
        ),
    )
