"""The public portal under load: 1,000,000 targets and 200,000 published results in
PostgreSQL, gunicorn with 2 workers, wrk on loopback at 32 connections.

Targets (issue 7): the business page and the search page each sustain ≥ 40 % of the
throughput of a trivial view (/healthz) of the same server measured in the same run, with
p95 latency ≤ 200 ms. The business page is requested for random businesses that have
results; the search for random parts of published names (2 to 4 characters), a few with a
department or year filter. Shares the million targets of bench_list.py (`bench_<db>`); the
published results (100,000 businesses with two results each, from four departments and
three years) are generated once, set-based in the database.

Needs wrk (Debian: `apt-get install wrk`). The server runs with DEBUG off, as in
production (a throwaway SECRET_KEY and field key, static files collected to a temporary
directory, no Redis: nothing on these pages uses the cache).
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import _django

TARGETS = 1_000_000
RESULTS = 200_000
PER_BUSINESS = 2
YEARS = (2024, 2025, 2026)
DEPARTMENTS = ("SCJG", "JYJ", "WSJK", "YJGL")
TASK_PREFIX = "BENCH-PORTAL"
RATIO_TARGET = 0.40
P95_TARGET_MS = 200.0

LUA = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
math.randomseed(7)
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d status_errors=%d socket_errors=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
"""


# ---- data ------------------------------------------------------------------------------------------


def _bench_tasks(user) -> list[tuple[int, int, int]]:
    """(task, department, matter) for each department and year: the tasks the results belong to."""
    from django.utils import timezone

    from inspections.models import Task, TaskDepartment
    from plans.models import Matter, MatterCategory, Method
    from registry.models import Department

    tasks = []
    for code in DEPARTMENTS:
        department = Department.objects.get(code=code)
        matter, _ = Matter.objects.get_or_create(
            code=f"{code}-BENCH",
            defaults={
                "department": department,
                "source": Matter.Source.LOCAL,
                "check_type": "基准",
                "name": f"{department.short_name}基准抽查事项",
                "target_scope": "全部",
                "category": MatterCategory.KEY,
                "default_ratio": 10,
                "methods": [Method.ON_SITE],
                "inspecting_body": department.name,
                "legal_basis": "基准",
            },
        )
        for year in YEARS:
            task, created = Task.objects.get_or_create(
                code=f"{TASK_PREFIX}-{code}-{year}",
                defaults={
                    "title": f"{department.short_name}{year}年度双随机抽查",
                    "year": year,
                    "kind": Task.Kind.CASE,
                    "status": Task.Status.ASSIGNED,
                    "initiator": department,
                    "sampling": "count",
                    "target_count": 1,
                    "start_date": timezone.datetime(year, 1, 1).date(),
                    "end_date": timezone.datetime(year, 12, 31).date(),
                    "created_by": user,
                },
            )
            if created:
                TaskDepartment.objects.create(
                    task=task, department=department, order=0, inspector_count=2
                ).matters.add(matter)
            tasks.append((task.pk, department.pk, matter.pk))
    return tasks


def _seed_results(results: int, user) -> None:
    """`results` published results: every tenth target (by id) a business with PER_BUSINESS
    results of different departments or years, set-based (INSERT … SELECT)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from disclosure.models import PublishedResult

    existing = PublishedResult.objects.filter(task_code__startswith=TASK_PREFIX).count()
    if existing >= results:
        return
    if existing:
        sys.exit(f"基准数据不完整（已有 {existing} 条公开结果）：请用 --fresh 重建基准数据库。")
    start = time.perf_counter()
    tasks = _bench_tasks(user)
    businesses = results // PER_BUSINESS
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_task (k int, task_id int, department_id int, matter_id int) ON COMMIT DROP"
        )
        cursor.executemany(
            "INSERT INTO bench_task VALUES (%s, %s, %s, %s)",
            [(index, *task) for index, task in enumerate(tasks)],
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_business ON COMMIT DROP AS "
            "SELECT id AS target_id, n FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM registry_target) t "
            "WHERE n %% 10 = 0 ORDER BY n LIMIT %s",
            [businesses],
        )
        cursor.execute("SELECT coalesce(max(id), 0) FROM inspections_visit")
        (last_visit,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO inspections_visit (target_id, created_at) SELECT target_id, %s FROM bench_business",
            [now],
        )
        # Each business: PER_BUSINESS tasks, none twice (k*7 steps through the 12 tasks).
        cursor.execute(
            "INSERT INTO inspections_inspection (task_id, target_id, visit_id, stratum, ticket, position, batch,"
            " risk_class, status, created_at, summary, closed_at, finding_level) "
            "SELECT bt.task_id, b.target_id, v.id, '', '', row_number() OVER (PARTITION BY bt.task_id ORDER BY b.n),"
            " 1, t.risk_class, 'done', %s, '', %s::timestamptz - (b.n %% 700) * interval '1 day', 0 "
            "FROM bench_business b CROSS JOIN generate_series(0, %s - 1) AS s(k) "
            "JOIN bench_task bt ON bt.k = ((b.n / 10 + s.k * 7) %% (SELECT count(*) FROM bench_task)) "
            "JOIN inspections_visit v ON v.target_id = b.target_id AND v.id > %s "
            "JOIN registry_target t ON t.id = b.target_id",
            [now, now, PER_BUSINESS, last_visit],
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_inspection ON COMMIT DROP AS "
            "SELECT i.id, i.task_id, i.target_id, i.closed_at, bt.department_id, bt.matter_id,"
            " CASE WHEN i.id %% 13 = 0 THEN '02' WHEN i.id %% 7 = 0 THEN '06' WHEN i.id %% 29 = 0 THEN '07'"
            "      ELSE '01' END AS code "
            "FROM inspections_inspection i JOIN bench_task bt ON bt.task_id = i.task_id",
            [],
        )
        cursor.execute(
            "INSERT INTO inspections_matterresult (inspection_id, matter_id, department_id, target_id, status,"
            " inspected_on, findings, legal_basis, correction_order, finding_level, client_token, revision,"
            " return_reason, entered_by_id, created_at, updated_by_id, updated_at, submitted_by_id, submitted_at) "
            "SELECT i.id, i.matter_id, i.department_id, i.target_id, 'submitted', (i.closed_at - interval '3 days')::date,"
            " '', '', '', CASE i.code WHEN '02' THEN 2 WHEN '06' THEN 1 WHEN '07' THEN 2 ELSE 0 END, '', 1, '',"
            " %s, %s, %s, %s, %s, %s FROM bench_inspection i",
            [user.pk, now, user.pk, now, user.pk, now],
        )
        cursor.execute(
            "INSERT INTO disclosure_resultpublication (inspection_id, department_id, status, closed_on, due_on,"
            " published_at, published_by_id, content, created_at) "
            "SELECT i.id, i.department_id, 'published', i.closed_at::date, (i.closed_at + interval '28 days')::date,"
            " i.closed_at + interval '10 days' + (i.id %% 36000) * interval '1 second', %s, '{}', %s "
            "FROM bench_inspection i",
            [user.pk, now],
        )
        cursor.execute(
            "INSERT INTO disclosure_publishedresult (publication_id, result_id, department_id, task_id, year,"
            " credit_code, target_name, search_key, target_kind, operator_masked, town_name, task_code, task_title,"
            " matter_code, matter_name, result_codes, result_label, outcome, inspected_on, published_at,"
            " corrected_label, correction_note, corrected_at) "
            "SELECT p.id, r.id, i.department_id, i.task_id, task.year, t.code, t.name,"
            " left(lower(replace(normalize(t.name, NFKC), ' ', '')) || '|' || lower(t.code), 260), t.kind,"
            " CASE WHEN t.kind = '个体工商户' AND t.legal_representative <> '' THEN left(t.legal_representative, 1) || '*'"
            "      ELSE '' END,"
            " coalesce(town.name, ''), task.code, task.title, m.code, m.name, rc.code, rc.name, rc.outcome,"
            " r.inspected_on, p.published_at, '', '', NULL "
            "FROM bench_inspection i "
            "JOIN inspections_matterresult r ON r.inspection_id = i.id "
            "JOIN disclosure_resultpublication p ON p.inspection_id = i.id "
            "JOIN inspections_task task ON task.id = i.task_id "
            "JOIN plans_matter m ON m.id = i.matter_id "
            "JOIN inspections_resultcode rc ON rc.code = i.code "
            "JOIN registry_target t ON t.id = i.target_id "
            "LEFT JOIN registry_town town ON town.id = t.town_id",
        )
    with connection.cursor() as cursor:
        for table in (
            "inspections_visit",
            "inspections_inspection",
            "inspections_matterresult",
            "disclosure_resultpublication",
            "disclosure_publishedresult",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    count = PublishedResult.objects.filter(task_code__startswith=TASK_PREFIX).count()
    print(f"生成公开检查结果 {count} 条（{businesses} 户），用时 {time.perf_counter() - start:.0f} s")


def _paths(count: int) -> tuple[list[str], list[str]]:
    """Business pages of random businesses with results; searches for random parts of
    published names (a tenth with a department or year filter)."""
    from django.db import connection

    from registry.models import Department

    # Deterministic sample (the same every run), not a secret.
    rng = random.Random(11)  # nosec B311
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credit_code, target_name FROM disclosure_publishedresult TABLESAMPLE SYSTEM (5) REPEATABLE (11) "
            "LIMIT %s",
            [count],
        )
        rows = cursor.fetchall()
    businesses = [f"/businesses/{quote(code)}/" for code, _ in rows]
    departments = list(Department.objects.filter(code__in=DEPARTMENTS).values_list("pk", flat=True))
    searches = []
    for _, name in rows:
        core = re.sub(r"^(罗庄区|临沂市|山东)", "", name)
        size = rng.choice((2, 3, 3, 4))
        start = rng.randrange(0, max(1, len(core) - size))
        params = {"q": core[start : start + size]}
        if rng.random() < 0.1:
            params["department"] = rng.choice(departments)
        elif rng.random() < 0.1:
            params["year"] = rng.choice(YEARS)
        searches.append(f"/search/?{urlencode(params)}")
    return businesses, searches


# ---- the server and the load ---------------------------------------------------------------------


def _server_env(var_dir: Path) -> dict[str, str]:
    from django.conf import settings

    database = settings.DATABASES["default"]
    name = database["TEST"]["NAME"]
    url = (
        f"postgres://{quote(database['USER'])}:{quote(database['PASSWORD'])}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{name}"
    )
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DEBUG")}
    env.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "FIELD_ENCRYPTION_KEY": "bench:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "VAR_DIR": str(var_dir),
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn 未能启动，请查看上面的输出。")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback http only
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    sys.exit("gunicorn 在 60 秒内未就绪。")


def _wrk(base: str, paths: list[str], workdir: Path, *, duration: int, connections: int) -> dict[str, float]:
    paths_file = workdir / f"paths-{secrets.token_hex(4)}.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    script = workdir / "bench.lua"
    script.write_text(LUA, encoding="utf-8")
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script), base],
        env={**os.environ, "BENCH_PATHS": str(paths_file)},
        capture_output=True,
        text=True,
        check=True,
    )
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"无法读取 wrk 的输出：\n{result.stdout}\n{result.stderr}")
    facts = {key: float(value) for key, value in (pair.split("=") for pair in line.split()[1:])}
    facts["rps"] = facts["requests"] / (facts["duration_us"] / 1e6)
    return facts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=TARGETS)
    parser.add_argument("--results", type=int, default=RESULTS)
    parser.add_argument("--duration", type=int, default=15, help="每项压测秒数")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("需要 wrk：Debian/Ubuntu 上运行 apt-get install wrk 后重试。")
    _django.setup(fresh=args.fresh)
    from luozhuang_dsj.lib.roles import Role

    _django.ensure_targets(args.targets, vacuum=("registry_target", "registry_subregistrymembership"))
    user = _django.bench_user("bench_staff", "基准", Role.DEPT_STAFF)
    _seed_results(args.results, user)
    businesses, searches = _paths(2000)
    from django.db import connections

    connections.close_all()

    base = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as temporary:
        workdir = Path(temporary)
        env = _server_env(workdir)
        python = str(Path(sys.executable))
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            check=True,
        )
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "luozhuang_dsj.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{args.port}",
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
        )
        try:
            _wait_until_up(f"{base}/healthz", server)
            for sample in (businesses[:1], searches[:1]):
                with urllib.request.urlopen(base + sample[0], timeout=30) as response:  # noqa: S310 - loopback
                    assert response.status == 200, sample
            cases = [("简单视图 /healthz", ["/healthz"]), ("企业页面", businesses), ("检索页面", searches)]
            for _, paths in cases:  # warm both workers' connections and caches
                _wrk(base, paths, workdir, duration=2, connections=args.connections)
            print(
                f"检查对象 {args.targets} 个，公开结果 {args.results} 条；gunicorn 2 个工作进程，"
                f"wrk {args.connections} 个连接，每项 {args.duration} s"
            )
            figures = {}
            for label, paths in cases:
                figures[label] = facts = _wrk(
                    base, paths, workdir, duration=args.duration, connections=args.connections
                )
                if facts["status_errors"] or facts["socket_errors"]:
                    print(
                        f"  {label}: 非 2xx/3xx 响应 {facts['status_errors']:.0f}，连接错误 {facts['socket_errors']:.0f}"
                    )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    baseline = figures["简单视图 /healthz"]["rps"]
    failed = False
    for label, facts in figures.items():
        ratio = facts["rps"] / baseline
        p95 = facts["p95_us"] / 1000
        line = f"{label}: {facts['rps']:.0f} 请求/秒，为简单视图的 {ratio:.2f} 倍；p50 {facts['p50_us'] / 1000:.0f} ms，p95 {p95:.0f} ms，p99 {facts['p99_us'] / 1000:.0f} ms"
        if label != "简单视图 /healthz":
            ok = ratio >= RATIO_TARGET and p95 <= P95_TARGET_MS and not facts["status_errors"]
            failed |= not ok
            line += f"（目标 ≥ {RATIO_TARGET:.2f} 倍、p95 ≤ {P95_TARGET_MS:.0f} ms：{'达到' if ok else '未达到'}）"
        print(line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
