from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from luozhuang_dsj.models import ImportBatch
from plans.commands import run_import
from plans.imports import CATALOG_IMPORT


class Command(BaseCommand):
    help = (
        "从 .xlsx/.xls/.ods/.csv 文件导入新一版全省统一的随机抽查事项清单，并列出与现行版本相比的变化。"
        "文件有误时列出问题行、不导入并以非零状态退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="电子表格文件（表头行之上可有标题行、说明行）")
        parser.add_argument("--title", default="", help="版本名称，如“2026年版”；默认用文件名")
        parser.add_argument("--note", default="", help="说明")
        parser.add_argument("--user", help="记为导入人的用户名（须为联席会议办公室人员）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并列出变化，不导入")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]  # type: ignore[assignment]
        params = {"title": str(options["title"]) or path.stem, "note": str(options["note"])}
        batch = run_import(
            schema_key=CATALOG_IMPORT,
            path=path,
            username=options["user"],  # type: ignore[arg-type]
            params=params,
            dry_run=bool(options["dry_run"]),
            stderr=self.stderr,
        )
        report = batch.report or {}
        plan = report["plan"]
        counts = plan["counts"]
        if plan["based_on"] is None:
            self.stdout.write(f"第{plan['edition']}版：{report['valid_rows']} 项；首次导入。")
        else:
            self.stdout.write(
                f"第{plan['edition']}版：{report['valid_rows']} 项；与第{plan['based_on']}版相比"
                f"新增 {counts['新增']} 项、修改 {counts['修改']} 项、删除 {counts['删除']} 项、未变 {counts['未变']} 项。"
            )
        for sample in plan["samples"]:
            self.stdout.write(f"  {sample['action']}  {sample['key']}")
            for label, old, new in sample.get("changes", ()):
                self.stdout.write(f"        {label}：{old} → {new}")
        if batch.status == ImportBatch.Status.APPLIED:
            self.stdout.write(
                self.style.SUCCESS(f"已导入第{batch.outcome['edition']}版 {batch.outcome['title']}。")
            )
        else:
            self.stdout.write("仅校验（--dry-run），未导入。")
