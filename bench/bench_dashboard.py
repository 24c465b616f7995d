"""The office's progress dashboard (issue 8) over a year of the district at scale, on PostgreSQL.

Data: 1,000,000 registry targets (the demo generator shared with bench_list/bench_credit) and a
year of work: 250 tasks across the member departments (a fifth of them joint), 50,000
inspections with their visits, about 60,000 matter results with their result codes, the
result publications of the closed inspections, the draws, and the departments' annual plans.
The year's rows are written once with COPY and kept (`--fresh` rebuilds the database).

The figure: the whole dashboard request through Django (middleware, every figure's query,
template), signed in as the office, with the cache cleared before each request — the median
of `--repeat` runs, against the 1 s target, and as a ratio to a simple staff page (the
office's home) measured in the same run. Also printed: one department's dashboard, and the
whole district's with the cache kept (the registry's totals by risk class are cached for ten
minutes).

    DEBUG=1 DATABASE_URL=postgres://…/dsj_dashboard .venv/bin/python bench/bench_dashboard.py
"""

from __future__ import annotations

import argparse
import datetime
import io
import random
import time

import _django

TARGETS = 1_000_000
INSPECTIONS = 50_000
TASKS = 250
TARGET_SECONDS = 1.0
MARKER = "BENCH-DASH-"
# Result codes and how often each is given (clean most of the time).
CODES = [("01", 70), ("02", 10), ("06", 8), ("07", 5), ("08", 7)]


def _copy(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:  # type: ignore[no-untyped-def]
    def cell(value: object) -> str:
        if value is None:
            return r"\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(cell(value) for value in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _reset_sequence(cursor, table: str) -> None:  # type: ignore[no-untyped-def]
    # `table` is one of this script's fixed names, never input.
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"  # noqa: S608  # nosec B608
    )


def ensure_year(year: int, user) -> None:  # type: ignore[no-untyped-def]
    """A year of tasks, draws, visits, inspections, results and publications (once)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from inspections.models import Inspection, ResultCode
    from plans.models import AnnualPlan, Matter, MatterCategory, Method
    from registry.models import Department, Target

    if Inspection.objects.filter(task__code__startswith=MARKER, task__year=year).count() == INSPECTIONS:
        return
    print(f"生成 {year} 年度的任务、检查和结果（只在第一次运行时）…", flush=True)
    start = time.perf_counter()
    # Deterministic benchmark data, not a secret.
    rng = random.Random(f"dashboard-{year}")  # nosec B311
    departments = list(Department.objects.filter(is_active=True).order_by("code"))
    target_ids = list(Target.objects.order_by("pk").values_list("pk", "risk_class"))
    codes = {code.code: code.pk for code in ResultCode.objects.all()}
    code_weights = [weight for _, weight in CODES]
    tz = timezone.get_current_timezone()
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        # The benchmark's own database: every task and visit (and what hangs on them) goes.
        cursor.execute("TRUNCATE inspections_task, inspections_visit CASCADE")
        AnnualPlan.objects.filter(year=year).delete()
        matters = {}
        for department in departments:
            matters[department.pk] = Matter.objects.get_or_create(
                code=f"{department.code}-BENCH-DASH",
                defaults={
                    "department": department,
                    "source": Matter.Source.LOCAL,
                    "check_type": "基准",
                    "name": f"{department.short_name}基准事项",
                    "target_scope": "全部",
                    "category": MatterCategory.KEY,
                    "default_ratio": 5,
                    "methods": [Method.ON_SITE],
                    "inspecting_body": department.short_name,
                    "legal_basis": "基准",
                },
            )[0]
        # Plans: most departments filed on time, some late, a few missing.
        for index, department in enumerate(departments):
            if index % 7 == 6:
                continue
            submitted = datetime.datetime(year, 1, 10 + index % 5 if index % 5 else 28, 9, tzinfo=tz)
            if index % 4 == 3:
                submitted = datetime.datetime(year, 2, 12, 9, tzinfo=tz)
            AnnualPlan.objects.create(
                scope=AnnualPlan.Scope.DEPARTMENT,
                year=year,
                department=department,
                title=f"{department.short_name}{year}年度抽查计划",
                status=AnnualPlan.Status.FILED,
                submitted_at=submitted,
                first_filed_at=submitted + datetime.timedelta(days=2),
                filed_submission_at=submitted,
                created_by=user,
            )
        tasks, slots, slot_matters, draws = [], [], [], []
        per_task = INSPECTIONS // TASKS
        statuses = ["assigned"] * 6 + ["closed"] * 3 + ["drawn"]
        for number in range(1, TASKS + 1):
            initiator = departments[number % len(departments)]
            partners = [initiator]
            if number % 5 == 0:
                partners.append(departments[(number * 7 + 3) % len(departments)])
                if partners[1] == initiator:
                    partners.pop()
            start_day = datetime.date(year, 1 + number % 10, 1)
            end_day = start_day + datetime.timedelta(days=60 + number % 90)
            status = statuses[number % len(statuses)]
            tasks.append(
                (number, f"{MARKER}{number:04d}", f"基准任务{number}", year, "random" if number % 9 else "special",
                 status, initiator.pk, "", "[]", "", "[]", "[]", "ratio", "5", start_day, end_day, 12, 0, user.pk, now, now)
            )  # fmt: skip
            for order, department in enumerate(partners):
                slot_id = len(slots) + 1
                slots.append((slot_id, number, department.pk, order, 2))
                slot_matters.append((slot_id, matters[department.pk].pk))
            executed_at = datetime.datetime.combine(start_day, datetime.time(10), tz) - datetime.timedelta(
                days=3
            )
            draws.append(
                (number, number, "executed", "{}", "", "0" * 64, 10000, "", "0" * 64, "[]", "{}", per_task,
                 "s" * 64, f"{number:064d}", executed_at - datetime.timedelta(days=2), executed_at, user.pk,
                 executed_at, user.pk, "1 2 3", "其他", "a" * 64, "[]", "[]", "")
            )  # fmt: skip
        _copy(
            cursor,
            "inspections_task",
            ["id", "code", "title", "year", "kind", "status", "initiator_id", "form", "methods", "description",
             "target_kinds", "industry_prefixes", "sampling", "ratio", "start_date", "end_date", "exclusion_months",
             "expert_count", "created_by_id", "created_at", "updated_at"],
            tasks,
        )  # fmt: skip
        _copy(
            cursor,
            "inspections_taskdepartment",
            ["id", "task_id", "department_id", '"order"', "inspector_count"],
            slots,
        )
        _copy(cursor, "inspections_taskdepartment_matters", ["taskdepartment_id", "matter_id"], slot_matters)
        _copy(
            cursor,
            "inspections_draw",
            ["id", "task_id", "status", "task_snapshot", "frame_file", "frame_digest", "frame_size", "pool_file",
             "pool_digest", "strata", "exclusions", "batch_size", "server_secret", "commitment", "committed_at",
             "scheduled_for", "prepared_by_id", "executed_at", "executed_by_id", "witness_input", "witness_source",
             "seed", "selected", "teams", "cancel_reason"],
            draws,
        )  # fmt: skip
        slots_of: dict[int, list[tuple[int, int]]] = {}
        for _, task_id, department_id, _, _ in slots:
            slots_of.setdefault(task_id, []).append((department_id, matters[department_id].pk))
        visits, inspections, results, result_codes, publications = [], [], [], [], []
        # Targets drawn from a pool of 40,000 so that some businesses are visited several times.
        pool = rng.sample(target_ids, 40_000)
        inspection_id = result_id = 0
        for task in tasks:
            task_id, status, start_day, end_day = task[0], task[5], task[14], task[15]
            chosen = rng.sample(pool, per_task)
            for position, (target_id, risk) in enumerate(chosen, start=1):
                inspection_id += 1
                roll = rng.random()
                if status == "closed" or roll < 0.8:
                    state = "done" if roll < 0.95 or status == "closed" else "impossible"
                else:
                    state = "pending" if roll < 0.9 else "in_progress"
                closed_on = start_day + datetime.timedelta(days=rng.randrange(1, 60))
                closed_at = (
                    datetime.datetime.combine(closed_on, datetime.time(16), tz)
                    if state in ("done", "impossible")
                    else None
                )
                visits.append(
                    (inspection_id, target_id, start_day + datetime.timedelta(days=position % 50), now)
                )
                inspections.append(
                    (inspection_id, task_id, task_id, target_id, inspection_id, "", "", position, 1, risk, state, now,
                     "", closed_at, 0)
                )  # fmt: skip
                for department_id, matter_id in slots_of[task_id]:
                    entered = state in ("done", "impossible") or rng.random() < 0.3
                    if state == "impossible":
                        continue
                    if state == "pending" and not entered:
                        continue
                    result_id += 1
                    inspected_on = closed_on if closed_at else start_day
                    results.append(
                        (result_id, inspection_id, matter_id, department_id, target_id,
                         "approved" if entered and rng.random() < 0.5 else ("submitted" if entered else "draft"),
                         inspected_on, "", "", "", 0, "", 1, "", user.pk, now, user.pk, now,
                         user.pk if entered else None, now if entered else None)
                    )  # fmt: skip
                    code = rng.choices(CODES, weights=code_weights)[0][0]
                    result_codes.append((result_id, codes[code]))
                    if closed_at is not None:
                        due_on = closed_on + datetime.timedelta(days=28)
                        late = rng.random()
                        published_at = None
                        if late < 0.8:
                            published_at = datetime.datetime.combine(
                                closed_on + datetime.timedelta(days=10), datetime.time(9), tz
                            )
                        elif late < 0.9:
                            published_at = datetime.datetime.combine(
                                due_on + datetime.timedelta(days=5), datetime.time(9), tz
                            )
                        publications.append(
                            (len(publications) + 1, inspection_id, department_id,
                             "published" if published_at else "pending", closed_on, due_on, published_at,
                             user.pk if published_at else None, "{}", now)
                        )  # fmt: skip
        _copy(cursor, "inspections_visit", ["id", "target_id", "scheduled_date", "created_at"], visits)
        _copy(
            cursor,
            "inspections_inspection",
            ["id", "task_id", "draw_id", "target_id", "visit_id", "stratum", "ticket", "position", "batch",
             "risk_class", "status", "created_at", "summary", "closed_at", "finding_level"],
            inspections,
        )  # fmt: skip
        _copy(
            cursor,
            "inspections_matterresult",
            ["id", "inspection_id", "matter_id", "department_id", "target_id", "status", "inspected_on", "findings",
             "legal_basis", "correction_order", "finding_level", "client_token", "revision", "return_reason",
             "entered_by_id", "created_at", "updated_by_id", "updated_at", "submitted_by_id", "submitted_at"],
            results,
        )  # fmt: skip
        _copy(cursor, "inspections_matterresult_codes", ["matterresult_id", "resultcode_id"], result_codes)
        _copy(
            cursor,
            "disclosure_resultpublication",
            ["id", "inspection_id", "department_id", "status", "closed_on", "due_on", "published_at",
             "published_by_id", "content", "created_at"],
            publications,
        )  # fmt: skip
        for table in (
            "inspections_task",
            "inspections_taskdepartment",
            "inspections_draw",
            "inspections_visit",
            "inspections_inspection",
            "inspections_matterresult",
            "disclosure_resultpublication",
        ):
            _reset_sequence(cursor, table)
    with connection.cursor() as cursor:
        for table in (
            "inspections_task",
            "inspections_taskdepartment",
            "inspections_draw",
            "inspections_visit",
            "inspections_inspection",
            "inspections_matterresult",
            "inspections_matterresult_codes",
            "disclosure_resultpublication",
            "registry_target",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"  {len(tasks)} 个任务，{len(inspections)} 次检查，{len(results)} 条结果，{len(publications)} 条公开，"
        f"用时 {time.perf_counter() - start:.0f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=TARGETS)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    _django.setup(fresh=args.fresh)
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from luozhuang_dsj.lib.roles import Role
    from registry.models import Target

    _django.ensure_targets(args.targets)
    user = _django.bench_user("bench_office", "基准办公室", Role.OFFICE)
    year = timezone.localdate().year
    ensure_year(year, user)
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    dashboard_url = f"{reverse('dashboard-home')}?year={year}"
    baseline_url = reverse("office-home")

    def get(url: str, *, clear: bool = True) -> None:
        if clear:
            cache.clear()
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} 返回 {response.status_code}")

    get(dashboard_url)  # warm up: imports, templates, connection
    get(baseline_url)
    dashboard = _django.timed(lambda: get(dashboard_url), args.repeat)
    baseline = _django.timed(lambda: get(baseline_url), args.repeat)
    filtered = _django.timed(lambda: get(f"{dashboard_url}&department=SCJG"), args.repeat)
    warm = _django.timed(lambda: get(dashboard_url, clear=False), args.repeat)
    median, base, narrowed = _django.median(dashboard), _django.median(baseline), _django.median(filtered)
    print(
        f"检查对象 {Target.objects.count()} 个，{year} 年度检查 {INSPECTIONS} 次，每项 {args.repeat} 次，已清缓存"
    )
    print(f"工作进度看板（全区）：中位数 {median * 1000:.0f} ms，目标 ≤ {TARGET_SECONDS * 1000:.0f} ms，"
          f"为目标的 {median / TARGET_SECONDS:.2f} 倍")  # fmt: skip
    print(
        f"工作进度看板（单个部门）：中位数 {narrowed * 1000:.0f} ms，为目标的 {narrowed / TARGET_SECONDS:.2f} 倍"
    )
    print(
        f"工作进度看板（全区，缓存保留：名录库存续对象数 10 分钟内不重算）：中位数 {_django.median(warm) * 1000:.0f} ms，"
        f"为目标的 {_django.median(warm) / TARGET_SECONDS:.2f} 倍"
    )
    print(f"基线（办公室工作台）：中位数 {base * 1000:.0f} ms；看板为基线的 {median / base:.1f} 倍")
    if median > TARGET_SECONDS:
        raise SystemExit("工作进度看板超过 1 秒目标")


if __name__ == "__main__":
    main()
