"""The draw record (§4): full, before execution, and public.

Key order follows §4. Before execution the keys from `executed_at` on are absent. The
public record is the full record with every team slot reduced to its department (code
and name) and head count, and every adjustment reduced to its target, department and
time: no inspector codes, no free-text reasons (they may name a person), no user.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .adjustments import Adjustment
from .execution import Execution
from .matching import Slot
from .sizes import StratumSize
from .timestamps import record_time
from .verifier import FORMAT, ProtocolError, slot_label


@dataclass(frozen=True)
class TaskInfo:
    code: str
    title: str
    initiator: str
    participants: tuple[str, ...]
    slots: tuple[Slot, ...]

    def as_record(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "initiator": self.initiator,
            "participants": list(self.participants),
            "slots": [slot.as_json() for slot in self.slots],
        }


def build_record(
    *,
    task: TaskInfo,
    committed_at: datetime.datetime,
    scheduled_for: datetime.datetime,
    commitment: str,
    frame_digest: str,
    pool_digest: str,
    strata: Sequence[StratumSize],
    batch_size: int,
    execution: Execution | None = None,
    adjustments: Sequence[Adjustment] = (),
) -> dict:
    """The full record; without `execution`, the record published at prepare time."""
    record = {
        "format": FORMAT,
        "task": task.as_record(),
        "committed_at": record_time(committed_at),
        "scheduled_for": record_time(scheduled_for),
        "commitment": commitment,
        "frame_digest": frame_digest,
        "pool_digest": pool_digest,
        "strata": [stratum.as_record() for stratum in sorted(strata, key=lambda stratum: stratum.name)],
        "batch_size": batch_size,
    }
    if execution is None:
        if adjustments:
            raise ProtocolError("尚未执行的抽取不能有调整记录。")
        return record
    record.update(
        {
            "executed_at": record_time(execution.executed_at),
            "witness_input": execution.witness_input,
            "server_secret": execution.server_secret,
            "seed": execution.seed,
            "selected": [entry.as_record() for entry in execution.selected],
            "teams": [team.as_record() for team in execution.teams],
            "adjustments": [adjustment.as_record() for adjustment in adjustments],
        }
    )
    return record


def public_record(record: dict, *, department_names: Mapping[str, str]) -> dict:
    """The record as the public sees it; the verifier checks it like the full one."""
    names = dict(department_names)
    public = dict(record)
    if "teams" in record:
        public["teams"] = [
            {
                "target": team["target"],
                "slots": [
                    {
                        "department": slot["department"],
                        "department_name": slot_label(slot["department"], names),
                        "count": len(slot["inspectors"]),
                        "rotation_relaxed": slot["rotation_relaxed"],
                    }
                    for slot in team["slots"]
                ],
            }
            for team in record["teams"]
        ]
    if "adjustments" in record:
        public["adjustments"] = [
            {"target": adjustment["target"], "department": adjustment["department"], "at": adjustment["at"]}
            for adjustment in record["adjustments"]
        ]
    return public
