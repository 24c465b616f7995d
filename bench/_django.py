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

    # serialize=False: the kept database holds millions of rows; no test needs them as a string.
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
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed_targets(count: int) -> None:
    """The demo targets (and sub-registries) up to `count`, generated once per database."""
    from django.db import connection

    from registry.demo import demo_sub_registries_seed, demo_targets_seed
    from registry.models import Target

    before = Target.objects.count()
    if before >= count:
        return
    start = time.perf_counter()
    demo_targets_seed(count, seed=1, chunk=50_000)
    demo_sub_registries_seed(seed=1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE registry_target")
        cursor.execute("VACUUM ANALYZE registry_subregistrymembership")
    print(f"生成演示检查对象 {Target.objects.count() - before} 个，用时 {time.perf_counter() - start:.0f} s")


def bench_staff():  # type: ignore[no-untyped-def]
    """区市场监管局's staff account the benchmarks act as (made once, with a random password)."""
    import secrets

    from luozhuang_dsj.lib.roles import Role
    from luozhuang_dsj.models import User
    from luozhuang_dsj.services import user_create
    from registry.models import Department

    return User.objects.filter(username="bench_staff").first() or user_create(
        actor=None,
        username="bench_staff",
        name="基准",
        department=Department.objects.get(code="SCJG"),
        roles=[Role.DEPT_STAFF],
        password=secrets.token_urlsafe(24) + "Aa1!",
    )
