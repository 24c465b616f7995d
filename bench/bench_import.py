"""Import of a 100,000-row target .xlsx (validate + apply, PostgreSQL) against a bare python-calamine read.

Target: total ≤ 3× the time python-calamine takes just to read the same file's rows, and a
peak memory ≤ 400 MB. The file is generated first (not timed) in a child process so that
its memory does not count.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _django

ROWS = 100_000


def make_file(path: Path, rows: int) -> None:
    """Written by a child process: openpyxl's memory must not count towards the import's peak."""
    code = f"""
import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})
import _django; _django.setup()
from openpyxl import Workbook
from registry.demo import demo_targets
from registry.models import Town
towns = list(Town.objects.order_by("code").values_list("pk", "name"))
names = dict(towns)
wb = Workbook(write_only=True); ws = wb.create_sheet("检查对象")
ws.append(["罗庄区市场主体名录（基准测试）"]); ws.append(["说明：由登记系统导出"])
ws.append(["统一社会信用代码", "企业名称", "市场主体类型", "法定代表人（负责人）", "住所", "所属镇街", "行业代码", "登记状态", "信用风险分类", "登记住所无法联系"])
for t in demo_targets({rows}, 99, towns):
    ws.append([t.code, t.name, t.kind, t.legal_representative, t.address, names[t.town], t.industry_code, t.status, t.risk_class, "是" if t.address_unreachable else "否"])
wb.save({str(path)!r})
"""
    subprocess.run([sys.executable, "-c", code], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    _django.setup(prefix="bench_import")
    import python_calamine
    from django.db import connection

    from luozhuang_dsj.imports import _create_batch, get_schema, import_apply, import_validate
    from luozhuang_dsj.models import ImportBatch
    from registry.models import Target, TargetChange

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "targets.xlsx"
        make_file(path, args.rows)
        size = path.stat().st_size

        def calamine_read() -> None:
            sheet = python_calamine.load_workbook(str(path)).get_sheet_by_index(0)
            for _ in sheet.iter_rows():
                pass

        baseline = _django.median(_django.timed(calamine_read, repeat=3))

        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE registry_targetchange, registry_subregistrymembership, registry_conflictofinterest, registry_target CASCADE"
            )
        schema = get_schema("registry.targets")

        phases: dict[str, float] = {}

        def run_import() -> ImportBatch:
            with open(path, "rb") as handle:
                from django.core.files import File

                batch = _create_batch(
                    actor=None,
                    schema=schema,
                    upload=File(handle, name="targets.xlsx"),
                    filename="targets.xlsx",
                    params={},
                )
            start = time.perf_counter()
            batch = import_validate(batch)
            phases["validate"] = time.perf_counter() - start
            assert batch.status == "ready", (batch.status, batch.error, batch.report.get("error_count"))
            ImportBatch.objects.filter(pk=batch.pk).update(status="confirmed")
            start = time.perf_counter()
            batch = import_apply(batch)
            phases["apply"] = time.perf_counter() - start
            return batch

        first = _django.timed(run_import)[0]
        first_phases = dict(phases)
        created = Target.objects.count()
        again = _django.timed(run_import)[0]  # the same file again: every row compared, nothing written
        peak = _django.peak_rss_mb()
    print(f"文件：{args.rows} 行 .xlsx，{size / 1024 / 1024:.1f} MB")
    print(f"基线  python-calamine 只读取全部行：{baseline:.2f} s（3 次取中位数）")
    print(
        f"导入  校验 + 写入（全部新增 {created} 个、变更记录 {TargetChange.objects.count()} 条）：{first:.2f} s，比值 {first / baseline:.2f}（目标 ≤ 3）"
    )
    print(
        f"      其中校验（读取、逐行校验、与库比对、暂存）{first_phases['validate']:.2f} s，写入（一个事务）{first_phases['apply']:.2f} s"
    )
    print(f"再导入同一文件（全部无变化）：{again:.2f} s，比值 {again / baseline:.2f}")
    print(f"峰值内存：{peak:.0f} MB（目标 ≤ 400 MB）")
    ok = first / baseline <= 3 and peak <= 400
    print("结果：" + ("达标" if ok else "未达标"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
