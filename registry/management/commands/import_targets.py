from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry.commands import print_batch, run_import, user_or_none


class Command(BaseCommand):
    help = "从 .xlsx/.xls/.ods/.csv 导入检查对象（按统一社会信用代码新增或更新）。文件有误时列出问题行、数据库不变并以非零状态退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--user", help="记为操作人的用户名（须有联席会议办公室角色）")

    def handle(self, *args: object, **options: object) -> None:
        actor = user_or_none(options["user"])  # type: ignore[arg-type]
        batch = run_import("registry.targets", options["file"], actor, {}, bool(options["dry_run"]))  # type: ignore[arg-type]
        if not print_batch(self.stdout, batch):
            raise CommandError("导入未完成，数据库未作任何改动。")
