"""A small published world for open-data tests: results of two departments (published,
pending, never published), an individual business whose operator is a person, named
inspectors with certificate numbers and phones, a published and a filed-only plan, a
published matter list and an unpublished one. The personal values are listed in
`PERSONAL` so that tests can assert none of them leaves the staff side."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from disclosure.models import PublishedResult, ResultPublication, search_key
from inspections.models import Inspection, MatterResult, Task, TaskDepartment, Visit
from luozhuang_dsj.models import User
from plans.models import AnnualPlan, Matter, MatterListVersion
from registry.models import Department, Inspector, Target
from tests.inspections.helpers import build_world, result_code
from tests.plans.helpers import department_plan_at, published_matter_list

TZ = timezone.get_fixed_timezone(8 * 60)

PERSONAL = {
    "operator": "王小明",
    "operator_phone": "13912345678",
    "operator_id": "371311198001011234",
    "address": "罗庄街道沂河路88号",
    "inspector": "张建国",
    "inspector_phone": "13788889999",
    "certificate": "鲁执1234567",
}


def at(day: str, clock: str = "10:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=TZ)


@dataclass
class OpenWorld:
    scjg: Department
    jyj: Department
    results: dict[str, PublishedResult] = field(default_factory=dict)
    unpublished: MatterResult | None = None
    plan: AnnualPlan | None = None
    filed_plan: AnnualPlan | None = None
    matter_list: MatterListVersion | None = None
    base: object = None  # tests.inspections.helpers.World


def _task(department: Department, user: User, number: int, year: int) -> Task:
    task = Task.objects.create(
        code=f"{department.code}-{year}-{number:03d}",
        title=f"{department.short_name}{year}年第{number}次抽查",
        year=year,
        kind=Task.Kind.CASE,
        status=Task.Status.ASSIGNED,
        initiator=department,
        sampling="count",
        target_count=1,
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 12, 31),
        created_by=user,
    )
    return task


def _result(task: Task, target: Target, matter: Matter, user: User, code: str) -> MatterResult:
    TaskDepartment.objects.get_or_create(
        task=task, department=task.initiator, defaults={"order": 0, "inspector_count": 2}
    )[0].matters.add(matter)
    inspection = Inspection.objects.create(
        task=task,
        target=target,
        visit=Visit.objects.create(target=target),
        position=Inspection.objects.filter(task=task).count() + 1,
        risk_class=target.risk_class,
        status=Inspection.Status.DONE,
        closed_at=timezone.now(),
    )
    result = MatterResult.objects.create(
        inspection=inspection,
        matter=matter,
        department=task.initiator,
        target=target,
        status=MatterResult.Status.SUBMITTED,
        inspected_on=datetime.date(task.year, 10, 10),
        findings=f"检查人员{PERSONAL['inspector']}现场核查，经营者{PERSONAL['operator']}（电话{PERSONAL['operator_phone']}）在场",
        entered_by=user,
        updated_by=user,
        submitted_by=user,
        submitted_at=timezone.now(),
    )
    result.codes.set([result_code(code)])
    return result


def publish_row(
    result: MatterResult, *, status: str, published_at: datetime.datetime, **values
) -> PublishedResult:
    """The public row as the publication writes it (the portal's publish service)."""
    inspection = result.inspection
    publication, _ = ResultPublication.objects.get_or_create(
        inspection=inspection,
        department=result.department,
        defaults={
            "closed_on": published_at.date() - datetime.timedelta(days=10),
            "due_on": published_at.date() + datetime.timedelta(days=20),
        },
    )
    publication.status = status
    publication.published_at = published_at if status == ResultPublication.Status.PUBLISHED else None
    publication.save()
    target = result.target
    code = result.codes.get()
    row = {
        "publication": publication,
        "result": result,
        "department": result.department,
        "task": inspection.task,
        "year": inspection.task.year,
        "credit_code": target.code,
        "target_name": target.name,
        "search_key": search_key(target.name, target.code),
        "target_kind": target.kind,
        "operator_masked": "",
        "town_name": "罗庄街道",
        "task_code": inspection.task.code,
        "task_title": inspection.task.title,
        "matter_code": result.matter.code,
        "matter_name": result.matter.name,
        "result_codes": code.code,
        "result_label": code.name,
        "outcome": code.outcome,
        "inspected_on": result.inspected_on,
        "published_at": published_at,
    }
    row.update(values)
    return PublishedResult.objects.create(**row)


def build_open_world(office_user: User, staff: User, outsider: User, head: User) -> OpenWorld:
    world = build_world(office_user, staff, outsider, targets=4)
    scjg, jyj = world.scjg, world.jyj
    enterprise, shop, school, other = world.targets
    Target.objects.filter(pk=shop.pk).update(
        name="罗庄区小明烧烤店",
        kind=Target.Kind.INDIVIDUAL,
        legal_representative=PERSONAL["operator"],
        address=PERSONAL["address"],
    )
    Target.objects.filter(pk=school.pk).update(name='=HYPERLINK("http://example.com")培训学校')
    shop.refresh_from_db()
    school.refresh_from_db()
    Inspector.objects.filter(code="SCJG-01").update(
        name=PERSONAL["inspector"],
        phone=PERSONAL["inspector_phone"],
        certificate_number=PERSONAL["certificate"],
    )
    open_world = OpenWorld(scjg=scjg, jyj=jyj, base=world)
    t1 = _task(scjg, staff, 1, 2026)
    t2 = _task(jyj, outsider, 1, 2025)
    published = ResultPublication.Status.PUBLISHED
    open_world.results["clean"] = publish_row(
        _result(t1, enterprise, world.food, staff, "01"), status=published, published_at=at("2026-11-02")
    )
    open_world.results["shop"] = publish_row(
        _result(t1, shop, world.food, staff, "02"),
        status=published,
        published_at=at("2026-11-05", "09:30"),
        operator_masked="王*",
        corrected_label="已改正",
        correction_note="经复核，该户已于期限内改正",
        corrected_at=at("2026-11-10", "15:00"),
    )
    open_world.results["school"] = publish_row(
        _result(t2, school, world.schools, outsider, "06"), status=published, published_at=at("2026-11-03")
    )
    # A publication still pending (its row must not show) and a result never published.
    publish_row(
        _result(_task(scjg, staff, 2, 2026), other, world.food, staff, "02"),
        status=ResultPublication.Status.PENDING,
        published_at=at("2026-11-06"),
    )
    open_world.unpublished = _result(_task(jyj, outsider, 2, 2026), other, world.schools, outsider, "01")
    open_world.plan = department_plan_at(scjg, AnnualPlan.Status.PUBLISHED)
    open_world.filed_plan = department_plan_at(jyj, AnnualPlan.Status.FILED)
    open_world.matter_list = published_matter_list(scjg)
    return open_world
