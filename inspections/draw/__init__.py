"""The draw protocol dsj-draw/1 (docs/DRAW_PROTOCOL.md) as pure functions: no ORM.

`verifier.py` is the stdlib-only public verifier and the reference implementation of the
protocol's arithmetic; the modules here wrap it with typed frozen dataclasses for the
platform (frame and pool files, sizes, seed, selection, matching, adjustments, record).
Every refusal is a ProtocolError (InfeasibleError for a slot that cannot be filled) with
a Chinese message; the services turn it into a ValidationError.
"""

from .adjustments import Adjustment, current_teams, replace_inspector
from .execution import Execution, Selection, complete_execution, execute_draw, select_for_draw
from .frame import (
    Frame,
    FrameKeys,
    build_frame,
    build_frame_from_lines,
    build_frame_from_strata,
    load_committed_frame,
    parse_frame,
)
from .hashing import commitment_of, compute_seed, new_server_secret, normalise_witness_input, ticket_of
from .matching import (
    Slot,
    Team,
    TeamSlot,
    check_feasible,
    default_slots,
    fits,
    match_teams,
    match_teams_in_batches,
    validate_slots,
)
from .pool import Pool, PoolEntry, build_pool, parse_pool
from .record import TaskInfo, build_record, public_record
from .selection import Selected, check_sizes, select_targets
from .sizes import StratumSize, check_within_cap, parse_ratio_percent, stratum_size
from .timestamps import CHINA_STANDARD_TIME, record_time
from .verifier import FORMAT, InfeasibleError, ProtocolError

__all__ = [
    "CHINA_STANDARD_TIME",
    "FORMAT",
    "Adjustment",
    "Execution",
    "Frame",
    "FrameKeys",
    "InfeasibleError",
    "Pool",
    "PoolEntry",
    "ProtocolError",
    "Selected",
    "Selection",
    "Slot",
    "StratumSize",
    "TaskInfo",
    "Team",
    "TeamSlot",
    "build_frame",
    "build_frame_from_lines",
    "build_frame_from_strata",
    "build_pool",
    "build_record",
    "check_feasible",
    "check_sizes",
    "check_within_cap",
    "commitment_of",
    "complete_execution",
    "compute_seed",
    "current_teams",
    "default_slots",
    "execute_draw",
    "fits",
    "load_committed_frame",
    "match_teams",
    "match_teams_in_batches",
    "new_server_secret",
    "normalise_witness_input",
    "parse_frame",
    "parse_pool",
    "parse_ratio_percent",
    "public_record",
    "record_time",
    "replace_inspector",
    "select_for_draw",
    "select_targets",
    "stratum_size",
    "ticket_of",
    "validate_slots",
]
