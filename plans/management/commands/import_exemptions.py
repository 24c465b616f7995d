from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from luozhuang_dsj.models import ImportBatch
from plans.commands import run_import
from plans.imports import EXEMPTION_IMPORT


class Command(BaseCommand):
    help = (
        "从 .xlsx/.xls/.ods/.csv 文件导入轻微违法免罚清单（按编号新增或更新）。"
        "文件有误时列出问题行、不导入并以非零状态退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="电子表格文件，列：编号、实施部门、违法行为、法律依据、免罚条件"
        )
        parser.add_argument("--user", help="记为导入人的用户名（须为联席会议办公室人员）")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不导入")

    def handle(self, *args: object, **options: object) -> None:
        batch = run_import(
            schema_key=EXEMPTION_IMPORT,
            path=options["file"],  # type: ignore[arg-type]
            username=options["user"],  # type: ignore[arg-type]
            params={},
            dry_run=bool(options["dry_run"]),
            stderr=self.stderr,
        )
        if batch.status == ImportBatch.Status.APPLIED:
            counts = batch.outcome["counts"]
            self.stdout.write(
                self.style.SUCCESS(
                    f"已导入：新增 {counts['新增']} 项，更新 {counts['更新']} 项，未变 {counts['未变']} 项。"
                )
            )
        else:
            counts = batch.report["plan"]["counts"]
            self.stdout.write(
                f"校验通过：{batch.report['valid_rows']} 项，将新增 {counts['新增']} 项、更新 {counts['更新']} 项、"
                f"未变 {counts['未变']} 项。仅校验（--dry-run），未导入。"
            )
