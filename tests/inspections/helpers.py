"""A small district for draw tests: two departments' matters, a sub-registry of targets in
four risk classes, certified officers in both departments and two experts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from inspections import services
from inspections.models import Draw, Task
from luozhuang_dsj.models import User
from plans.models import Matter, Method, PlanItem
from plans.services import PlanItemData
from registry.credit_code import with_check_character
from registry.models import ConflictOfInterest, Department, ExpertiseTag, Inspector, SubRegistry, Target
from tests.plans.helpers import claim, import_sample

YEAR = timezone.localdate().year
VALID_UNTIL = datetime.date(YEAR + 3, 12, 31)


def credit_code(number: int) -> str:
    return with_check_character(f"91371311MA{number:07d}")


def make_targets(count: int, *, start: int = 1, risk_classes: str = "AABBBBCCDD") -> list[Target]:
    return Target.objects.bulk_create(
        [
            Target(
                code=credit_code(number),
                name=f"罗庄测试商贸有限公司{number}号",
                risk_class=risk_classes[number % len(risk_classes)],
            )
            for number in range(start, start + count)
        ]
    )


def make_inspector(
    code: str,
    department: Department,
    *,
    certified: bool = True,
    category: str = Inspector.Category.CIVIL_SERVANT,
    expertise: tuple[str, ...] = (),
    name: str | None = None,
) -> Inspector:
    inspector = Inspector.objects.create(
        code=code,
        name=name or f"检查员{code}",
        department=department,
        category=category,
        certificate_number=f"证{code}" if certified else "",
        certificate_valid_until=VALID_UNTIL if certified else None,
    )
    inspector.expertise.set([ExpertiseTag.objects.get_or_create(name=tag)[0] for tag in expertise])
    return inspector


@dataclass
class World:
    scjg: Department
    jyj: Department
    food: Matter
    schools: Matter
    registry: SubRegistry
    targets: list[Target]


def build_world(office_user: User, staff: User, outsider: User, *, targets: int = 40) -> World:
    import_sample(office_user)
    food = claim(staff, "食品经营者的监督检查", cap=None, default="20")
    schools = claim(outsider, "民办学校办学行为的检查", cap="10")
    scjg, jyj = staff.department, outsider.department
    sub = SubRegistry.objects.create(department=scjg, name="食品经营者")
    made = make_targets(targets)
    sub.targets.add(*made)
    for number in range(1, 5):
        make_inspector(f"SCJG-{number:02d}", scjg)
    for number in range(1, 3):
        make_inspector(f"JYJ-{number:02d}", jyj)
    make_inspector("EXP-01", scjg, certified=False, category=Inspector.Category.EXPERT, name="专家甲")
    make_inspector("EXP-02", jyj, certified=False, category=Inspector.Category.THIRD_PARTY, name="专家乙")
    return World(scjg, jyj, food, schools, sub, made)


def task_data(world: World, **values: object) -> PlanItemData:
    data = PlanItemData(
        title="食品经营者和民办学校联合抽查",
        initiator=world.scjg,
        initiator_matters=[world.food],
        participants=[(world.jyj, [world.schools])],
        form=PlanItem.Form.RISK_BASED,
        methods=[Method.ON_SITE],
        sub_registries=[world.registry],
        sampling=PlanItem.Sampling.RISK_RATIO,
        ratio_a=Decimal("10"),
        ratio_b=Decimal("10"),
        ratio_c=Decimal("10"),
        ratio_d=Decimal("10"),
        start_date=datetime.date(YEAR, 1, 1),
        end_date=datetime.date(YEAR, 12, 31),
    )
    for name, value in values.items():
        setattr(data, name, value)
    return data


def special_task(world: World, staff: User, **values: object) -> Task:
    return services.task_create_special(actor=staff, data=task_data(world, **values))


def prepared(task: Task, staff: User, *, minutes: int = 0) -> Draw:
    return services.draw_prepare(
        actor=staff, task=task, scheduled_for=timezone.now() + datetime.timedelta(minutes=minutes)
    )


def executed(draw: Draw, staff: User, witness: str = "07 12 19 23 28 31 + 05") -> Draw:
    return services.draw_execute_run(
        draw_id=draw.pk,
        actor=staff,
        witness_input=witness,
        witness_source=Draw.WitnessSource.LOTTERY,
        executed_at=timezone.now(),
    )


def declare_conflict(inspector_code: str, target: Target, user: User) -> None:
    ConflictOfInterest.objects.create(
        inspector=Inspector.objects.get(code=inspector_code),
        target=target,
        reason="近亲属任职",
        declared_by=user,
    )


# ---- doing the inspection -----------------------------------------------------------------------


def drawn_task(world: World, staff: User, **values: object) -> Task:
    """A joint task of 区市场监管局 and 区教育局, drawn: its inspections and teams exist."""
    task = special_task(world, staff, **values)
    executed(prepared(task, staff), staff)
    return Task.objects.get(pk=task.pk)


def serve_as(user: User, inspection, department: Department) -> Inspector:  # type: ignore[no-untyped-def]
    """Link `user` to a serving team member of `department` on the inspection."""
    assignment = (
        inspection.assignments.filter(department=department, is_active=True)
        .select_related("inspector")
        .order_by("slot", "inspector__code")
        .first()
    )
    Inspector.objects.filter(user=user).exclude(pk=assignment.inspector_id).update(user=None)
    inspector = assignment.inspector
    inspector.user = user
    inspector.save(update_fields=["user"])
    return inspector


def result_code(code: str):  # type: ignore[no-untyped-def]
    from inspections.models import ResultCode

    return ResultCode.objects.get(code=code)


def result_data(*codes: str, **values: object):  # type: ignore[no-untyped-def]
    from inspections.services_results import ResultData

    data = ResultData(codes=[result_code(code) for code in codes], inspected_on=timezone.localdate())
    for name, value in values.items():
        setattr(data, name, value)
    return data


def enter(user: User, inspection, matter: Matter, *codes: str, submit: bool = True, **values: object):  # type: ignore[no-untyped-def]
    from inspections.services_results import result_save

    return result_save(
        actor=user, inspection=inspection, matter=matter, data=result_data(*codes, **values), submit=submit
    )
