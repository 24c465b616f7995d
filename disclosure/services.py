"""Writes of the disclosure app."""

from __future__ import annotations

from django.utils import timezone

from disclosure.models import PUBLICATION_WORKING_DAYS, ResultPublication
from inspections.models import Inspection
from luozhuang_dsj.lib.deadlines import deadline_after


def publications_open(*, inspection: Inspection) -> list[ResultPublication]:
    """When an inspection is closed: one pending publication per department that entered
    results on it, due 20 working days after the closing day. Call inside the closing
    transaction; idempotent."""
    closed_on = timezone.localdate(inspection.closed_at)
    due_on = deadline_after(closed_on, PUBLICATION_WORKING_DAYS)
    departments = sorted(set(inspection.results.values_list("department_id", flat=True)))
    existing = set(inspection.publications.values_list("department_id", flat=True))
    return ResultPublication.objects.bulk_create(
        [
            ResultPublication(
                inspection=inspection, department_id=department, closed_on=closed_on, due_on=due_on
            )
            for department in departments
            if department not in existing
        ]
    )
