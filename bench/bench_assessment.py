"""The office's assessment pages over a district's year: 50,000 inspections in 100 tasks of
ten departments (half of them joint), 75,000 results and publications, 5,000 follow-ups.

No target is set for these pages (the issue's speed target is the dashboard's); this prints
the whole request's median (middleware, queries, template) signed in as the office, for the
assessment table, one department's largest drill-down, the duty record and the annual
summary, so a change that slows them shows. Data is generated once into `bench_<db>`.
"""

from __future__ import annotations

import argparse
import datetime
import random
import time

import _django

YEAR = 2025
AS_OF = "2026-03-01"


def _seed(inspections: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from disclosure.models import ResultPublication
    from inspections.models import FollowUp, Inspection, MatterResult, Task, TaskDepartment, Visit
    from luozhuang_dsj.models import User
    from plans.models import Matter
    from registry.models import Department, Target

    rng = random.Random(1)
    departments = list(Department.objects.filter(is_active=True).order_by("code")[:10])
    author = User.objects.get(username="bench_office")
    matters = {
        d.pk: Matter.objects.get_or_create(
            code=f"{d.code}-B01",
            defaults={
                "department": d,
                "source": Matter.Source.LOCAL,
                "check_type": "基准",
                "name": f"{d.short_name}基准事项",
                "target_scope": "基准",
                "category": "重点",
                "default_ratio": 5,
                "inspecting_body": d.name,
                "legal_basis": "基准",
            },
        )[0]
        for d in departments
    }
    per_task = inspections // 100
    local = timezone.get_default_timezone()
    with transaction.atomic():
        targets = Target.objects.bulk_create(
            [Target(code=f"BENCHA{i:09d}", name=f"基准对象{i}", risk_class="B") for i in range(inspections)],
            batch_size=5000,
        )
        visits = Visit.objects.bulk_create([Visit(target=t) for t in targets], batch_size=5000)
        tasks = []
        for i in range(100):
            initiator = departments[i % 10]
            task = Task.objects.create(
                code=f"BA{YEAR}-{i:03d}",
                title=f"基准任务{i}",
                year=YEAR,
                kind=Task.Kind.RANDOM,
                status=Task.Status.CLOSED if i % 3 else Task.Status.ASSIGNED,
                initiator=initiator,
                sampling="count",
                target_count=per_task,
                start_date=datetime.date(YEAR, 1, 1),
                end_date=datetime.date(YEAR, 1 + i % 12, 28),
                created_by=author,
            )
            slots = [initiator] + ([departments[(i + 1) % 10]] if i % 2 else [])
            for order, department in enumerate(slots):
                slot = TaskDepartment.objects.create(
                    task=task, department=department, order=order, inspector_count=2
                )
                slot.matters.set([matters[department.pk]])
            tasks.append((task, slots))
        made = Inspection.objects.bulk_create(
            [
                Inspection(
                    task=tasks[k // per_task][0],
                    target=target,
                    visit=visits[k],
                    position=k % per_task + 1,
                    risk_class="B",
                    status=Inspection.Status.DONE,
                )
                for k, target in enumerate(targets)
            ],
            batch_size=5000,
        )
        results, publications = [], []
        for k, inspection in enumerate(made):
            task, slots = tasks[k // per_task]
            for department in slots:
                day = task.end_date - datetime.timedelta(days=rng.randint(-5, 20))
                submitted = datetime.datetime.combine(day, datetime.time(10), local)
                results.append(
                    MatterResult(
                        inspection=inspection,
                        matter=matters[department.pk],
                        department=department,
                        target_id=inspection.target_id,
                        status=MatterResult.Status.SUBMITTED,
                        inspected_on=day,
                        submitted_at=submitted,
                        submitted_by=author,
                        entered_by=author,
                        updated_by=author,
                    )
                )
                due = task.end_date + datetime.timedelta(days=28)
                published = datetime.datetime.combine(
                    due + datetime.timedelta(days=rng.randint(-10, 3)), datetime.time(9), local
                )
                publications.append(
                    ResultPublication(
                        inspection=inspection,
                        department=department,
                        status=ResultPublication.Status.PUBLISHED,
                        closed_on=task.end_date,
                        due_on=due,
                        published_at=published,
                        published_by=author,
                    )
                )
        results = MatterResult.objects.bulk_create(results, batch_size=5000)
        ResultPublication.objects.bulk_create(publications, batch_size=5000)
        FollowUp.objects.bulk_create(
            [
                FollowUp(
                    result=result,
                    target_id=result.target_id,
                    kind=FollowUp.Kind.CORRECTION,
                    status=FollowUp.Status.DONE if n % 2 else FollowUp.Status.OPEN,
                    origin_department_id=result.department_id,
                    department_id=result.department_id,
                    measure="责令改正",
                    deadline=datetime.date(YEAR, 6, 30),
                    closed_at=datetime.datetime(YEAR, 6, 20, 10, tzinfo=local) if n % 2 else None,
                    closed_by=author if n % 2 else None,
                    outcome="已改正" if n % 2 else "",
                    created_by=author,
                )
                for n, result in enumerate(results[::15])
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inspections", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _django.setup(prefix="bench_assess")
    from django.test import Client

    from inspections.models import Inspection, MatterResult
    from luozhuang_dsj.lib.roles import Role
    from registry.models import Department

    office = _django.bench_user("bench_office", "基准办公室", Role.OFFICE)
    if not Inspection.objects.filter(task__code__startswith="BA").exists():
        start = time.perf_counter()
        _seed(args.inspections)
        print(f"生成基准数据用时 {time.perf_counter() - start:.0f} s")
    client = Client(SERVER_NAME="localhost")
    client.force_login(office)
    first = Department.objects.filter(is_active=True).order_by("code").first()
    pages = [
        ("考核评估（全区各部门）", "/work/office/assessment/"),
        ("考核明细：结果按时录入（一个部门）", f"/work/office/assessment/{first.code}/entry/"),
        ("履职记录（全区）", "/work/office/duty/"),
        ("年度工作总结报表", "/work/office/reports/summary/"),
    ]
    # Baseline: reading the year's results once (id and submission time), the least any
    # assessment of result entry must do; each page is printed as a ratio to it.
    baseline = _django.median(
        _django.timed(
            lambda: list(
                MatterResult.objects.filter(inspection__task__year=YEAR).values_list("pk", "submitted_at")
            ),
            repeat=args.repeat,
        )
    )
    print(
        f"检查 {Inspection.objects.filter(task__year=YEAR).count()} 户次；每页请求 {args.repeat} 次取中位数；"
        f"基线（读取全年检查结果一次）{baseline:.2f} s"
    )
    for label, path in pages:
        params = {"year": YEAR, "as_of": AS_OF}
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(path, params)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)
        median = _django.median(times)
        print(f"  {label:<24} {median:6.2f} s  比值 {median / baseline:.1f}")


if __name__ == "__main__":
    main()
