"""Shared setup for the benchmarks: Django on its own throwaway PostgreSQL database.

The benchmark database is `bench_<DATABASE_URL's name>` (`bench_import_…` for the import,
which empties its table), created and migrated here and kept
between runs (seeding a million targets takes a while); `--fresh` recreates it.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luozhuang_dsj.settings")
os.environ.setdefault("DEBUG", "1")


def setup(*, fresh: bool = False, prefix: str = "bench") -> None:
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("基准测试需要 PostgreSQL：请设置 DATABASE_URL=postgres://…")
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{prefix}_{database['NAME']}"}
    from django.db import connection

    # serialize=False: no test case rolls back to it, and dumping a million targets takes minutes.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=not fresh)
    from registry.services import reference_data_load

    reference_data_load()


def timed(function: Callable[[], object], repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def peak_rss_mb() -> float:
    """This program's peak resident memory: Linux's VmHWM, which starts afresh at exec.
    (ru_maxrss does not: a child started by a process that had grown large reports the
    parent's size, as bench_draw's measuring child did after the data was generated.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_targets(count: int, *, vacuum: tuple[str, ...] = ("registry_target",)) -> None:
    """At least `count` demo targets (deterministic, seed 1) with their sub-registries;
    generated on the first run only, then the tables are analysed."""
    from django.db import connection

    from registry.demo import demo_sub_registries_seed, demo_targets_seed
    from registry.models import Target

    existing = Target.objects.count()
    if existing >= count:
        return
    start = time.perf_counter()
    demo_targets_seed(count, seed=1, chunk=50_000)
    demo_sub_registries_seed(seed=1)
    with connection.cursor() as cursor:
        for table in vacuum:
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"生成演示检查对象 {Target.objects.count() - existing} 个，用时 {time.perf_counter() - start:.0f} s"
    )


def bench_user(username: str, name: str, role: str):  # type: ignore[no-untyped-def]
    """The benchmark's signed-in user of 区市场监管局 with one role, created once."""
    import secrets

    from luozhuang_dsj.models import User
    from luozhuang_dsj.services import user_create
    from registry.models import Department

    return User.objects.filter(username=username).first() or user_create(
        actor=None,
        username=username,
        name=name,
        department=Department.objects.get(code="SCJG"),
        roles=[role],
        password=secrets.token_urlsafe(24) + "Aa1!",
    )
