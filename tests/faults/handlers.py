"""A job kind for the fault tests, loaded by their worker with `--include tests.faults.handlers`.

It works slowly (so a test can kill its worker mid-way), writes a line to a file each time
it starts, and applies its one effect with a conditional update, as a real handler must
(STYLE.md: once-only steps are protected by the database, not by "check, then create").
Each applied effect is also written to a file, so the test can count them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from luozhuang_dsj.jobs import job_handler
from luozhuang_dsj.models import Job

KIND = "fault.slow"


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


@job_handler(KIND)
def slow_job(job: Job, progress) -> None:  # type: ignore[no-untyped-def]
    folder = Path(job.params["folder"])
    _append(folder / f"{job.pk}.starts", str(time.time()))
    steps = int(job.params.get("steps", 30))
    for step in range(steps):
        time.sleep(float(job.params.get("pause", 0.1)))
        progress(step + 1, total=steps, stage="处理中")
    applied = Job.objects.filter(pk=job.pk, result__isnull=True).update(result={"effect": "applied"})
    if applied:
        _append(folder / f"{job.pk}.effects", "applied")


# A draw that pauses after writing its inspections and before its transaction commits, so
# that a test can kill the worker exactly there (see test_draw_worker_killed.py).
if os.environ.get("FAULT_DRAW_PAUSE"):
    from inspections import services as _draw_services

    _create_inspections = _draw_services._create_inspections

    def _create_inspections_then_pause(draw, selection):  # type: ignore[no-untyped-def]
        inspection_ids = _create_inspections(draw, selection)
        _append(Path(os.environ["FAULT_DRAW_FOLDER"]) / "draw.written", str(time.time()))
        time.sleep(float(os.environ["FAULT_DRAW_PAUSE"]))
        return inspection_ids

    _draw_services._create_inspections = _create_inspections_then_pause
