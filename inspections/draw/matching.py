"""Department slots, inspector matching and the prepare-time feasibility check (§3)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from .pool import Pool, PoolEntry
from .verifier import (
    EXPERT_LABEL,
    InfeasibleError,
    Matcher,
    ProtocolError,
    check_slots,
    index_by_target,
    slot_label,
    slot_stages,
)
from .verifier import fits as _fits

DEFAULT_INITIATOR_K = 2
DEFAULT_PARTICIPANT_K = 1


@dataclass(frozen=True)
class Slot:
    """A team slot: a department's enforcement officers, or (department None) the expert pool."""

    department: str | None
    k: int
    certified: bool = True
    expertise: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "expertise", tuple(sorted(set(self.expertise))))

    def as_json(self) -> dict:
        return {
            "department": self.department,
            "k": self.k,
            "certified": self.certified,
            "expertise": list(self.expertise),
        }

    @classmethod
    def from_json(cls, slot: dict) -> Slot:
        return cls(
            department=slot["department"],
            k=slot["k"],
            certified=slot["certified"],
            expertise=tuple(slot["expertise"]),
        )


@dataclass(frozen=True)
class TeamSlot:
    department: str | None
    inspectors: tuple[str, ...]
    rotation_relaxed: bool

    def as_record(self) -> dict:
        return {
            "department": self.department,
            "inspectors": list(self.inspectors),
            "rotation_relaxed": self.rotation_relaxed,
        }


@dataclass(frozen=True)
class Team:
    target: str
    slots: tuple[TeamSlot, ...]

    def as_record(self) -> dict:
        return {"target": self.target, "slots": [slot.as_record() for slot in self.slots]}

    @property
    def inspectors(self) -> tuple[str, ...]:
        return tuple(code for slot in self.slots for code in slot.inspectors)


def default_slots(
    initiator: str, participants: Sequence[str], *, experts: int = 0, expert_expertise: Iterable[str] = ()
) -> tuple[Slot, ...]:
    """Two certified officers of the initiator, one of each participant, then any experts."""
    slots = [Slot(initiator, DEFAULT_INITIATOR_K)]
    slots += [Slot(department, DEFAULT_PARTICIPANT_K) for department in participants]
    if experts:
        slots.append(Slot(None, experts, certified=False, expertise=tuple(expert_expertise)))
    return tuple(slots)


def validate_slots(slots: Sequence[Slot], *, initiator: str, participants: Sequence[str]) -> None:
    """Initiator first, then the participants in order, then expert slots; at least two
    certified enforcement officers per team, experts never counted (两名以上执法人员)."""
    check_slots([slot.as_json() for slot in slots], initiator, list(participants))


def fits(entry: PoolEntry, slot: Slot) -> bool:
    return _fits(entry.as_json(), slot.as_json())


def match_teams(
    *,
    seed: str,
    targets: Sequence[str],
    slots: Sequence[Slot],
    pool: Pool,
    department_names: Mapping[str, str] | None = None,
) -> tuple[Team, ...]:
    """Teams for the selected targets, given in ascending ticket order. Raises
    InfeasibleError naming the target, the department and the rule that ran dry."""
    batches = match_teams_in_batches(
        seed=seed, targets=targets, slots=slots, pool=pool, department_names=department_names
    )
    return tuple(team for batch in batches for team in batch)


def match_teams_in_batches(
    *,
    seed: str,
    targets: Sequence[str],
    slots: Sequence[Slot],
    pool: Pool,
    department_names: Mapping[str, str] | None = None,
    batch_size: int | None = None,
) -> Iterator[tuple[Team, ...]]:
    """`match_teams`, `batch_size` targets at a time (all at once by default): the same
    teams in the same order, since the loads carry over from batch to batch. A caller can
    store one batch while the next is being matched."""
    slot_dicts = [slot.as_json() for slot in slots]
    matcher = Matcher(seed, slot_dicts, pool.json_entries, dict(department_names or {}))
    size = batch_size or max(1, len(targets))
    for start in range(0, len(targets), size):
        yield tuple(
            Team(
                target=target,
                slots=tuple(
                    TeamSlot(department=slot.department, inspectors=tuple(codes), rotation_relaxed=relaxed)
                    for slot, (codes, relaxed) in zip(slots, matcher.team_for(target), strict=True)
                ),
            )
            for target in targets[start : start + size]
        )


def check_feasible(
    *,
    targets: Collection[str],
    slots: Sequence[Slot],
    pool: Pool,
    department_names: Mapping[str, str] | None = None,
) -> None:
    """The prepare-time check: every slot can be filled for every target that could be
    drawn (pass every key of every stratum with a non-zero sample size), whatever the
    seed. Rotation can always be relaxed, so it never blocks; conflicts do, and so do
    earlier slots that could use up inspectors a later slot needs (only expert slots
    overlap). Raises InfeasibleError for the first target (in key order) that fails, or
    with target None when no target at all could be served.
    """
    if not targets:
        return
    names = dict(department_names or {})
    entries = pool.json_entries
    slot_dicts = [slot.as_json() for slot in slots]
    fitting = [frozenset(entry["code"] for entry in entries if _fits(entry, slot)) for slot in slot_dicts]
    overlaps = [[len(fitting[j] & fitting[s]) for j in range(len(slots))] for s in range(len(slots))]
    wanted = targets if isinstance(targets, AbstractSet) else set(targets)
    conflicts = index_by_target(entries, "conflicts", wanted)

    def check(target: str | None, conflicted: set | frozenset) -> None:
        available = [
            len(fitting[s]) - sum(1 for code in conflicted if code in fitting[s]) for s in range(len(slots))
        ]
        for s, slot in enumerate(slot_dicts):
            if available[s] < slot["k"]:
                stages = slot_stages(slot, entries, conflicted)
                rule, codes = next((rule, codes) for rule, codes in stages if len(codes) < slot["k"])
                raise _infeasible(target, slot, rule, len(codes), names)
            loss = 0
            for j in range(s):
                if overlaps[s][j]:
                    shared = overlaps[s][j] - sum(
                        1 for code in conflicted if code in fitting[s] and code in fitting[j]
                    )
                    loss += min(slot_dicts[j]["k"], shared)
            if available[s] - loss < slot["k"]:
                raise _infeasible(target, slot, "team", available[s] - loss, names)

    if len(wanted) > len(conflicts):
        check(None, frozenset())
    for target in sorted(conflicts):
        check(target, conflicts[target])


def _infeasible(target: str | None, slot: dict, rule: str, available: int, names: dict) -> InfeasibleError:
    return InfeasibleError(
        target=target,
        department=slot["department"],
        label=slot_label(slot["department"], names),
        rule=rule,
        needed=slot["k"],
        available=available,
    )


__all__ = [
    "EXPERT_LABEL",
    "InfeasibleError",
    "ProtocolError",
    "Slot",
    "Team",
    "TeamSlot",
    "check_feasible",
    "default_slots",
    "fits",
    "match_teams",
    "match_teams_in_batches",
    "validate_slots",
]
