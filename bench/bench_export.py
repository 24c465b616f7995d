"""Export of 100,000 targets to .xlsx against a bare openpyxl write-only loop writing the same rows.

Target: the export (database read, formula neutralisation, openpyxl write-only) takes
≤ 1.5× the bare loop, measured in the same run. Uses the benchmark database (`bench_<db>`);
seeds 100,000 demo targets there if it has fewer.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import _django

ROWS = 100_000


def main() -> None:
    _django.setup()
    from openpyxl import Workbook

    from luozhuang_dsj.exports import export_to_file, get_exporter
    from registry.demo import demo_targets_seed
    from registry.exports import TARGET_COLUMNS
    from registry.models import Target

    if Target.objects.count() < ROWS:
        demo_targets_seed(ROWS, seed=5)
    first = Target.objects.order_by("code").values_list("code", flat=True)[ROWS - 1]
    params = {"q": ""}
    # The same 100,000 rows for both: the first ROWS codes.
    exporter = get_exporter("registry.targets")
    rows = [
        (*row[:5], row[5] or "", *row[6:9], "是" if row[9] else "否")
        for row in Target.objects.filter(code__lte=first).order_by("code").values_list(*TARGET_COLUMNS)
    ]
    assert len(rows) == ROWS

    with tempfile.TemporaryDirectory() as directory:

        def bare() -> None:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("检查对象名录")
            sheet.append(list(exporter.headers))
            for row in rows:
                sheet.append(row)
            workbook.save(Path(directory) / "bare.xlsx")

        from registry import exports as registry_exports

        original = registry_exports.target_list

        def first_rows(filters, ordering=("code",)):  # the same rows as the baseline
            return original(filters, ordering).filter(code__lte=first)

        registry_exports.target_list = first_rows

        def export() -> None:
            count = export_to_file(
                key="registry.targets",
                fmt="xlsx",
                target=Path(directory) / "export.xlsx",
                actor=None,
                params=params,
            )
            assert count == ROWS

        def export_csv() -> None:
            export_to_file(
                key="registry.targets",
                fmt="csv",
                target=Path(directory) / "export.csv",
                actor=None,
                params=params,
            )

        baseline, measured = [], []
        for _ in range(3):  # interleaved, so that a busy machine slows both alike
            baseline += _django.timed(bare)
            measured += _django.timed(export)
        csv_time = _django.median(_django.timed(export_csv, repeat=3))
    base, took = _django.median(baseline), _django.median(measured)
    print(f"基线  openpyxl 只写模式直接写 {ROWS} 行：{base:.2f} s（3 次取中位数）")
    print(f"导出  读库 + 防公式注入 + 写 .xlsx：{took:.2f} s，比值 {took / base:.2f}（目标 ≤ 1.5）")
    print(f"导出 .csv：{csv_time:.2f} s（比值 {csv_time / base:.2f}）")
    ok = took / base <= 1.5
    print("结果：" + ("达标" if ok else "未达标"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
