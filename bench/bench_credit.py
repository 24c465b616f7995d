"""Credit risk recomputation (docs/CREDIT_RISK.md) over 1,000,000 targets in PostgreSQL.

Every tenth target has a submitted result (a mix of clean, corrected, problem and serious
findings, most in closed inspections), some have follow-ups, a few are on the
serious-dishonesty list. The figure: the full recomputation, first run (registers the
evidence rows, changes classes) and second run (idempotent: changes nothing), as a ratio to
one sequential pass over the targets table measured in the same run. Shares the million
targets of bench_list.py (`bench_<db>`); the evidence is generated once.
"""

from __future__ import annotations

import argparse
import time

import _django

TARGETS = 1_000_000
EVERY = 10


def _evidence(every: int) -> None:
    """Inspections and results for every `every`-th target, set-based (INSERT … SELECT)."""
    from django.db import connection
    from django.utils import timezone

    from inspections.models import DishonestyListing, FollowUp, Inspection, MatterResult, Task, TaskDepartment
    from luozhuang_dsj.models import User
    from plans.models import Matter, MatterCategory, Method
    from registry.models import Department

    if MatterResult.objects.exists():
        return
    scjg = Department.objects.get(code="SCJG")
    user = User.objects.get(username="bench_staff")
    matter = Matter.objects.create(
        department=scjg,
        code="SCJG-BENCH",
        source=Matter.Source.LOCAL,
        check_type="基准",
        name="基准事项",
        target_scope="全部",
        category=MatterCategory.KEY,
        default_ratio=10,
        methods=[Method.ON_SITE],
        inspecting_body="区市场监管局",
        legal_basis="基准",
    )
    today = timezone.localdate()
    task = Task.objects.create(
        code="BENCH-CREDIT",
        title="信用基准",
        year=today.year,
        kind=Task.Kind.CASE,
        status=Task.Status.ASSIGNED,
        initiator=scjg,
        sampling="count",
        target_count=1,
        start_date=today.replace(month=1, day=1),
        end_date=today,
        created_by=user,
    )
    TaskDepartment.objects.create(task=task, department=scjg, order=0, inspector_count=2).matters.add(matter)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inspections_visit (target_id, created_at) "
            "SELECT id, %s FROM registry_target WHERE id %% %s = 0",
            [now, every],
        )
        # Levels by id: 0 clean (most), 1 corrected, 2 problem, 3 serious; 1 in 8 still open.
        cursor.execute(
            f"INSERT INTO {Inspection._meta.db_table} (task_id, target_id, visit_id, stratum, ticket, position,"  # noqa: S608 - table names from the models
            " batch, risk_class, status, created_at, summary, closed_at, finding_level) "
            "SELECT %s, v.target_id, v.id, '', '', row_number() OVER (ORDER BY v.id), 1, t.risk_class,"
            " CASE WHEN v.id %% 8 = 0 THEN 'in_progress' ELSE 'done' END, %s, '',"
            " CASE WHEN v.id %% 8 = 0 THEN NULL ELSE %s::timestamptz - (v.id %% 900) * interval '1 day' END,"
            " CASE WHEN v.id %% 8 = 0 THEN 0 WHEN v.id %% 13 = 0 THEN 3 WHEN v.id %% 5 = 0 THEN 2"
            "      WHEN v.id %% 7 = 0 THEN 1 ELSE 0 END "
            "FROM inspections_visit v JOIN registry_target t ON t.id = v.target_id",
            [task.pk, now, now],
        )
        cursor.execute(
            f"INSERT INTO {MatterResult._meta.db_table} (inspection_id, matter_id, department_id, target_id, status,"  # noqa: S608 - table names from the models
            " inspected_on, findings, legal_basis, correction_order, finding_level, client_token, revision,"
            " return_reason, entered_by_id, created_at, updated_by_id, updated_at, submitted_by_id, submitted_at) "
            "SELECT i.id, %s, %s, i.target_id, 'submitted',"
            " (%s::date - (i.id %% 900) * interval '1 day')::date, '', '', '',"
            " CASE WHEN i.id %% 13 = 0 THEN 3 WHEN i.id %% 5 = 0 THEN 2 WHEN i.id %% 7 = 0 THEN 1 ELSE 0 END,"
            " '', 1, '', %s, %s, %s, %s, %s, %s FROM inspections_inspection i WHERE i.task_id = %s",
            [matter.pk, scjg.pk, today, user.pk, now, user.pk, now, user.pk, now, task.pk],
        )
        cursor.execute(
            f"INSERT INTO {FollowUp._meta.db_table} (result_id, target_id, kind, status, origin_department_id,"  # noqa: S608 - table names from the models
            " department_id, measure, document_number, external_body, handover_basis, return_reason,"
            " recheck_note, outcome, created_by_id, created_at) "
            "SELECT r.id, r.target_id, 'case', 'open', %s, %s, '立案', '', '', '', '', '', '', %s, %s "
            "FROM inspections_matterresult r WHERE r.finding_level = 3 AND r.id %% 2 = 0",
            [scjg.pk, scjg.pk, user.pk, now],
        )
        cursor.execute(
            f"INSERT INTO {DishonestyListing._meta.db_table} (target_id, source, document_number, reason,"  # noqa: S608 - table names from the models
            " listed_on, removal_reason, created_by_id, created_at) "
            "SELECT id, '信用中国', '', '基准', %s, '', %s, %s FROM registry_target WHERE id %% 997 = 0",
            [today, user.pk, now],
        )
        for table in ("inspections_inspection", "inspections_matterresult", "inspections_followup"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=TARGETS)
    parser.add_argument("--every", type=int, default=EVERY, help="每隔几户有一次检查结果")
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    _django.setup(fresh=args.fresh)

    from django.db import connection

    from inspections.models import MatterResult, TargetCredit
    from inspections.services_credit import credit_recompute
    from registry.models import Target

    _django.seed_targets(args.targets)
    _django.bench_staff()
    start = time.perf_counter()
    _evidence(args.every)
    print(f"检查结果 {MatterResult.objects.count()} 项（生成用时 {time.perf_counter() - start:.0f} s）")
    # Start from the registry's classes each run, so that the first run does real work.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_target t SET risk_class = c.base_class FROM inspections_targetcredit c "
            "WHERE c.target_id = t.id AND t.risk_class <> c.base_class"
        )
        cursor.execute("DELETE FROM registry_targetchange WHERE source = 'credit'")
    TargetCredit.objects.all().delete()

    def scan() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), max(risk_class), max(updated_at) FROM registry_target")
            cursor.fetchone()

    scan()
    baseline = _django.median(_django.timed(scan, repeat=5))
    first_time = time.perf_counter()
    first = credit_recompute(actor=None)
    first_time = time.perf_counter() - first_time
    second_time = time.perf_counter()
    second = credit_recompute(actor=None)
    second_time = time.perf_counter() - second_time
    print(f"检查对象 {Target.objects.count()} 个；基线：顺序扫描检查对象表一遍 {baseline * 1000:.0f} ms")
    print(
        f"首次计算：{first.evaluated} 户有检查记录，分类变化 {first.changed} 户 {first.by_class}；"
        f"用时为基线的 {first_time / baseline:.1f} 倍（{first_time:.1f} s）"
    )
    print(
        f"再次计算（幂等）：分类变化 {second.changed} 户；用时为基线的 {second_time / baseline:.1f} 倍"
        f"（{second_time:.1f} s）"
    )


if __name__ == "__main__":
    main()
