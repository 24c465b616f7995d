"""A hand-built year (2025) for the dashboard tests, every figure known in advance.

Departments: SCJG (区市场监管局) and JYJ (区教育局); matter M1 is SCJG's, M2 JYJ's.

Tasks of 2025 (random kinds; T4 is a case check, T5 belongs to 2024: both are out of scope):
- T1 SCJG, 已派员, ends 2025-06-30: I1 t1 done, I2 t2 done, I3 t3 pending, I4 t4 in progress
  (a draft result only) — I3 and I4 are SCJG's overdue result entries on 2025-11-20;
- T2 SCJG + JYJ (专项), 已派员, ends 2025-12-31: I5 t1 done (on I1's visit), I6 t5 无法检查;
- T3 JYJ, 待抽取: a draw scheduled for 2025-12-05 and a cancelled one;
- T6 SCJG, 已完成: I9 t2, I10 t3; T7 JYJ, 已完成: I11 t2.

Targets: t1 A (F 零售业, 罗庄街道), t2 B (H 住宿业, 傅庄街道), t3 B (no industry, no town),
t4 C 注销 (C 制造业), t5 D 产品, t6 A and t8 C never inspected in scope.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from disclosure.models import ResultPublication
from inspections.models import Draw, Inspection, MatterResult, ResultCode, Task, TaskDepartment, Visit
from luozhuang_dsj.models import User
from plans.models import AnnualPlan, Matter, MatterCategory, Method, PlanItem
from registry.models import Department, Target, Town
from tests.inspections.helpers import credit_code

YEAR = 2025
TODAY = datetime.date(2025, 11, 20)
ZONE = ZoneInfo("Asia/Shanghai")
_counter = itertools.count(1)


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


@dataclass
class World:
    scjg: Department
    jyj: Department
    targets: dict[str, Target]
    tasks: dict[str, Task]
    inspections: dict[str, Inspection]
    results: dict[str, MatterResult]
    publications: dict[str, ResultPublication]


def _matter(department: Department, code: str) -> Matter:
    return Matter.objects.create(
        department=department,
        code=code,
        source=Matter.Source.LOCAL,
        check_type="看板测试",
        name=f"{department.short_name}看板事项",
        target_scope="测试对象",
        category=MatterCategory.KEY,
        default_ratio=Decimal("5"),
        methods=[Method.ON_SITE],
        inspecting_body=department.short_name,
        legal_basis="测试依据",
    )


def _task(
    code: str,
    user: User,
    slots: list[tuple[Department, Matter]],
    *,
    status: str,
    end: datetime.date,
    kind: str = Task.Kind.RANDOM,
    year: int = YEAR,
) -> Task:
    task = Task.objects.create(
        code=code,
        title=f"看板测试任务{code}",
        year=year,
        kind=kind,
        status=status,
        initiator=slots[0][0],
        form=PlanItem.Form.COMPREHENSIVE,
        methods=[Method.ON_SITE],
        sampling=PlanItem.Sampling.RATIO,
        ratio=Decimal("5"),
        start_date=datetime.date(year, 1, 1),
        end_date=end,
        created_by=user,
    )
    for order, (department, matter) in enumerate(slots):
        TaskDepartment.objects.create(
            task=task, department=department, order=order, inspector_count=2
        ).matters.add(matter)
    return task


def _draw(
    task: Task, user: User, *, status: str, scheduled: datetime.date, executed: datetime.date | None = None
) -> Draw:
    number = next(_counter)
    return Draw.objects.create(
        task=task,
        status=status,
        task_snapshot={},
        frame_digest="0" * 64,
        frame_size=10,
        pool_digest="0" * 64,
        strata=[{"stratum": "ALL", "sample_size": 2}],
        batch_size=2,
        server_secret="s" * 64,
        commitment=f"{number:064d}",
        committed_at=moment(scheduled) - datetime.timedelta(days=3),
        scheduled_for=moment(scheduled),
        prepared_by=user,
        executed_at=moment(executed) if executed else None,
        executed_by=user if executed else None,
        seed="a" * 64 if executed else "",
        witness_input="1 2 3" if executed else "",
        cancel_reason="测试取消" if status == Draw.Status.CANCELLED else "",
        cancelled_at=moment(scheduled) if status == Draw.Status.CANCELLED else None,
    )


def _inspection(task: Task, target: Target, status: str, visit: Visit | None = None) -> Inspection:
    visit = visit or Visit.objects.create(target=target, scheduled_date=task.start_date)
    return Inspection.objects.create(
        task=task,
        target=target,
        visit=visit,
        position=next(_counter),
        risk_class=target.risk_class,
        status=status,
    )


def _result(
    inspection: Inspection, matter: Matter, status: str, codes: list[str], user: User
) -> MatterResult:
    entered = status != MatterResult.Status.DRAFT
    result = MatterResult.objects.create(
        inspection=inspection,
        matter=matter,
        department=matter.department,
        target=inspection.target,
        status=status,
        inspected_on=datetime.date(YEAR, 3, 15) if entered else None,
        submitted_at=moment(datetime.date(YEAR, 3, 16)) if entered else None,
        entered_by=user,
        updated_by=user,
    )
    result.codes.set(ResultCode.objects.filter(code__in=codes))
    return result


def _publication(
    inspection: Inspection, department: Department, due: datetime.date, published: datetime.date | None
) -> ResultPublication:
    return ResultPublication.objects.create(
        inspection=inspection,
        department=department,
        status=ResultPublication.Status.PUBLISHED if published else ResultPublication.Status.PENDING,
        closed_on=due - datetime.timedelta(days=28),
        due_on=due,
        published_at=moment(published) if published else None,
    )


def _plan(department: Department, user: User, status: str, submitted: datetime.date | None) -> AnnualPlan:
    filed = status == AnnualPlan.Status.FILED
    return AnnualPlan.objects.create(
        scope=AnnualPlan.Scope.DEPARTMENT,
        year=YEAR,
        department=department,
        title=f"{department.short_name}{YEAR}年度抽查计划",
        status=status,
        submitted_at=moment(submitted) if submitted else None,
        first_filed_at=moment(submitted + datetime.timedelta(days=2)) if filed and submitted else None,
        filed_submission_at=moment(submitted) if filed and submitted else None,
        created_by=user,
    )


def build(user: User) -> World:
    scjg, jyj = Department.objects.get(code="SCJG"), Department.objects.get(code="JYJ")
    m1, m2 = _matter(scjg, "SCJG-DB1"), _matter(jyj, "JYJ-DB1")
    luozhuang, fuzhuang = Town.objects.get(name="罗庄街道"), Town.objects.get(name="傅庄街道")

    def target(number: int, risk: str, **values: object) -> Target:
        return Target.objects.create(
            code=credit_code(900 + number), name=f"看板测试对象{number}", risk_class=risk, **values
        )

    targets = {
        "t1": target(1, "A", industry_code="5211", town=luozhuang),
        "t2": target(2, "B", industry_code="6110", town=fuzhuang),
        "t3": target(3, "B"),
        "t4": target(4, "C", industry_code="1310", status=Target.Status.DEREGISTERED),
        "t5": Target.objects.create(
            code="CP-DB-5", name="看板测试产品5", kind=Target.Kind.PRODUCT, risk_class="D"
        ),
        "t6": target(6, "A"),
        "t8": target(8, "C"),
    }
    done, pending = Inspection.Status.DONE, Inspection.Status.PENDING
    tasks = {
        "T1": _task("DB-T1", user, [(scjg, m1)], status=Task.Status.ASSIGNED, end=datetime.date(YEAR, 6, 30)),
        "T2": _task(
            "DB-T2",
            user,
            [(scjg, m1), (jyj, m2)],
            status=Task.Status.ASSIGNED,
            end=datetime.date(YEAR, 12, 31),
            kind=Task.Kind.SPECIAL,
        ),
        "T3": _task("DB-T3", user, [(jyj, m2)], status=Task.Status.DRAFT, end=datetime.date(YEAR, 12, 31)),
        "T4": _task(
            "DB-T4",
            user,
            [(jyj, m2)],
            status=Task.Status.ASSIGNED,
            end=datetime.date(YEAR, 3, 31),
            kind=Task.Kind.CASE,
        ),
        "T5": _task(
            "DB-T5",
            user,
            [(scjg, m1)],
            status=Task.Status.ASSIGNED,
            end=datetime.date(2024, 6, 30),
            year=2024,
        ),
        "T6": _task("DB-T6", user, [(scjg, m1)], status=Task.Status.CLOSED, end=datetime.date(YEAR, 5, 31)),
        "T7": _task("DB-T7", user, [(jyj, m2)], status=Task.Status.CLOSED, end=datetime.date(YEAR, 5, 31)),
    }
    executed = Draw.Status.EXECUTED
    _draw(
        tasks["T1"],
        user,
        status=executed,
        scheduled=datetime.date(YEAR, 3, 9),
        executed=datetime.date(YEAR, 3, 10),
    )
    _draw(
        tasks["T2"],
        user,
        status=executed,
        scheduled=datetime.date(YEAR, 4, 15),
        executed=datetime.date(YEAR, 4, 15),
    )
    _draw(tasks["T3"], user, status=Draw.Status.CANCELLED, scheduled=datetime.date(YEAR, 11, 1))
    _draw(tasks["T3"], user, status=Draw.Status.PREPARED, scheduled=datetime.date(YEAR, 12, 5))
    _draw(
        tasks["T6"],
        user,
        status=executed,
        scheduled=datetime.date(YEAR, 2, 3),
        executed=datetime.date(YEAR, 2, 3),
    )
    _draw(
        tasks["T7"],
        user,
        status=executed,
        scheduled=datetime.date(YEAR, 2, 20),
        executed=datetime.date(YEAR, 2, 20),
    )

    t = targets
    i1 = _inspection(tasks["T1"], t["t1"], done)
    inspections = {
        "I1": i1,
        "I2": _inspection(tasks["T1"], t["t2"], done),
        "I3": _inspection(tasks["T1"], t["t3"], pending),
        "I4": _inspection(tasks["T1"], t["t4"], Inspection.Status.IN_PROGRESS),
        "I5": _inspection(tasks["T2"], t["t1"], done, visit=i1.visit),
        "I6": _inspection(tasks["T2"], t["t5"], Inspection.Status.IMPOSSIBLE),
        "I7": _inspection(tasks["T4"], t["t6"], done),
        "I8": _inspection(tasks["T5"], t["t8"], done),
        "I9": _inspection(tasks["T6"], t["t2"], done),
        "I10": _inspection(tasks["T6"], t["t3"], done),
        "I11": _inspection(tasks["T7"], t["t2"], done),
    }
    i = inspections
    submitted, approved = MatterResult.Status.SUBMITTED, MatterResult.Status.APPROVED
    results = {
        "R1": _result(i["I1"], m1, submitted, ["02"], user),
        "R2": _result(i["I2"], m1, submitted, ["01"], user),
        "R4": _result(i["I4"], m1, MatterResult.Status.DRAFT, ["02"], user),
        "R5a": _result(i["I5"], m1, submitted, ["06"], user),
        "R5b": _result(i["I5"], m2, submitted, ["01"], user),
        "R7": _result(i["I7"], m2, submitted, ["02"], user),
        "R9": _result(i["I9"], m1, submitted, ["01"], user),
        "R10": _result(i["I10"], m1, approved, ["07"], user),
        "R11": _result(i["I11"], m2, submitted, ["08"], user),
    }
    publications = {
        "P1": _publication(i["I1"], scjg, datetime.date(YEAR, 4, 17), datetime.date(YEAR, 4, 10)),
        "P2": _publication(i["I2"], scjg, datetime.date(YEAR, 4, 17), datetime.date(YEAR, 5, 6)),
        "P3": _publication(i["I5"], scjg, datetime.date(YEAR, 11, 10), None),
        "P4": _publication(i["I5"], jyj, datetime.date(YEAR, 12, 1), None),
    }
    _plan(scjg, user, AnnualPlan.Status.FILED, datetime.date(YEAR, 1, 20))
    _plan(jyj, user, AnnualPlan.Status.FILED, datetime.date(YEAR, 2, 10))
    _plan(Department.objects.get(code="WSJK"), user, AnnualPlan.Status.DRAFT, None)
    return World(scjg, jyj, targets, tasks, inspections, results, publications)
