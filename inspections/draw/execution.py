"""Executing a prepared draw: seed, selection, batches and teams, all pure."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .frame import Frame
from .hashing import compute_seed, normalise_witness_input
from .matching import Slot, Team, match_teams
from .pool import Pool
from .selection import Selected, select_targets
from .sizes import StratumSize
from .timestamps import record_time


@dataclass(frozen=True)
class Selection:
    """The first half of an execution: the seed and the selected targets with their batches."""

    executed_at: datetime.datetime
    witness_input: str
    server_secret: str
    seed: str
    selected: tuple[Selected, ...]

    @property
    def targets(self) -> list[str]:
        """The selected keys in ascending ticket order: the order teams are matched in."""
        return [entry.target for entry in self.selected]


@dataclass(frozen=True)
class Execution:
    executed_at: datetime.datetime
    witness_input: str
    server_secret: str
    seed: str
    selected: tuple[Selected, ...]
    teams: tuple[Team, ...]


def select_for_draw(
    *,
    frame: Frame,
    sizes: Sequence[StratumSize],
    server_secret: str,
    witness_input: str,
    batch_size: int,
    executed_at: datetime.datetime,
) -> Selection:
    """Seed, selection and batches. Raises ProtocolError for invalid inputs."""
    record_time(executed_at)
    witness = normalise_witness_input(witness_input)
    seed = compute_seed(server_secret=server_secret, witness_input=witness, frame_digest=frame.digest)
    selected = select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=batch_size)
    return Selection(
        executed_at=executed_at,
        witness_input=witness,
        server_secret=server_secret,
        seed=seed,
        selected=selected,
    )


def complete_execution(selection: Selection, teams: Sequence[Team]) -> Execution:
    """The execution made of a selection and the teams matched for it (see `execute_draw`)."""
    return Execution(
        executed_at=selection.executed_at,
        witness_input=selection.witness_input,
        server_secret=selection.server_secret,
        seed=selection.seed,
        selected=selection.selected,
        teams=tuple(teams),
    )


def execute_draw(
    *,
    frame: Frame,
    sizes: Sequence[StratumSize],
    pool: Pool,
    slots: Sequence[Slot],
    server_secret: str,
    witness_input: str,
    batch_size: int,
    executed_at: datetime.datetime,
    department_names: Mapping[str, str] | None = None,
) -> Execution:
    """Everything the draw decides. Deterministic: the same inputs give the same result,
    so a retried job reproduces the same draw. Raises ProtocolError / InfeasibleError
    before anything should be stored.

    The same as `select_for_draw` followed by `match_teams` over the selected targets
    (`complete_execution`), which is how the service runs it: the matching in a thread
    while the inspections are written."""
    selection = select_for_draw(
        frame=frame,
        sizes=sizes,
        server_secret=server_secret,
        witness_input=witness_input,
        batch_size=batch_size,
        executed_at=executed_at,
    )
    teams = match_teams(
        seed=selection.seed,
        targets=selection.targets,
        slots=slots,
        pool=pool,
        department_names=department_names,
    )
    return complete_execution(selection, teams)
