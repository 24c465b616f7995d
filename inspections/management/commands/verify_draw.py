"""manage.py verify_draw RECORD FRAME [POOL]: the public verifier, run from the platform."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspections.draw.verifier import run


class Command(BaseCommand):
    help = "核验抽取记录（dsj-draw/1）：输出核验过程，最后一行为 OK 或 FAIL: 第一处不一致。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("record", help="抽取记录 JSON 文件（完整版或公开版）")
        parser.add_argument("frame", help="抽取名单文件")
        parser.add_argument("pool", nargs="?", help="人员库文件（可选，核验检查组时需要）")

    def handle(self, *args: object, **options: str | None) -> None:
        paths = [path for path in (options["record"], options["frame"], options["pool"]) if path is not None]
        if not run(paths, self.stdout.write):
            raise CommandError("抽取记录核验未通过。", returncode=1)
