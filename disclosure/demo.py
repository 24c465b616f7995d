"""Demo data for the portal: the demo task's closed inspection published by both
departments' heads (区教育局's head approves its result first), and an objection to the
published result of 区市场监管局, still to be decided."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from disclosure.models import Objection, PublishedResult, ResultPublication
from disclosure.services import (
    ObjectionData,
    objection_file,
    publication_problems,
    publication_publish,
)
from inspections.demo import DEMO_TITLE
from inspections.models import MatterResult, Task
from inspections.services_results import result_approve
from luozhuang_dsj.models import User


@dataclass(frozen=True)
class DisclosureDemoReport:
    published: int = 0
    objections: int = 0


@transaction.atomic
def disclosure_demo_seed() -> DisclosureDemoReport:
    task = Task.objects.filter(title=DEMO_TITLE).first()
    if task is None:
        return DisclosureDemoReport()
    heads = {
        user.department.code: user for user in User.objects.filter(username__in=["scjg_head", "jyj_head"])
    }
    published = 0
    publications = ResultPublication.objects.filter(
        inspection__task=task, status=ResultPublication.Status.PENDING
    ).select_related("department", "inspection")
    for publication in publications:
        head = heads.get(publication.department.code)
        if head is None:
            continue
        waiting = list(
            MatterResult.objects.filter(
                inspection=publication.inspection,
                department=publication.department,
                status=MatterResult.Status.SUBMITTED,
            )
        )
        if waiting:
            result_approve(actor=head, results=waiting)
        if not publication_problems(publication):
            publication_publish(actor=head, publication=publication)
            published += 1
    objections = 0
    row = PublishedResult.objects.filter(task=task, department__code="SCJG").order_by("pk").first()
    if row is not None and not Objection.objects.filter(published_result=row).exists():
        objection_file(
            row=row,
            data=ObjectionData(
                contact_name="演示联系人",
                contact_phone="0539-8000000",
                reason="检查当日食堂负责人不在场，所录进货查验记录为另一家供货商的，请核实。",
            ),
        )
        objections = 1
    return DisclosureDemoReport(published=published, objections=objections)
