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
class Execution:
    executed_at: datetime.datetime
    witness_input: str
    server_secret: str
    seed: str
    selected: tuple[Selected, ...]
    teams: tuple[Team, ...]


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
    before anything should be stored."""
    record_time(executed_at)
    witness = normalise_witness_input(witness_input)
    seed = compute_seed(server_secret=server_secret, witness_input=witness, frame_digest=frame.digest)
    selected = select_targets(seed=seed, frame=frame, sizes=sizes, batch_size=batch_size)
    teams = match_teams(
        seed=seed,
        targets=[entry.target for entry in selected],
        slots=slots,
        pool=pool,
        department_names=department_names,
    )
    return Execution(
        executed_at=executed_at,
        witness_input=witness,
        server_secret=server_secret,
        seed=seed,
        selected=selected,
        teams=teams,
    )
