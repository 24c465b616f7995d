from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry.commands import print_batch, run_import, user_or_none
from registry.models import Department


class Command(BaseCommand):
    help = "从 .xlsx/.xls/.ods/.csv 导入一个部门的执法检查人员（按人员编号新增或更新）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--department", help="部门代码（如 SCJG）；给出 --user 时默认为该用户的部门")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--user", help="记为操作人的用户名")

    def handle(self, *args: object, **options: object) -> None:
        actor = user_or_none(options["user"])  # type: ignore[arg-type]
        code = options["department"] or (actor.department.code if actor else None)
        if not code or not Department.objects.filter(code=code).exists():
            raise CommandError("请用 --department 指定一个存在的部门代码。")
        if actor and actor.department.code != code:
            raise CommandError("只能导入操作人本部门的执法检查人员。")
        batch = run_import(
            "registry.inspectors", options["file"], actor, {"department": code}, bool(options["dry_run"])
        )  # type: ignore[arg-type]
        if not print_batch(self.stdout, batch):
            raise CommandError("导入未完成，数据库未作任何改动。")
