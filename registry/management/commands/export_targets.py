from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luozhuang_dsj.exports import export_to_file


class Command(BaseCommand):
    help = "把检查对象名录导出为 .xlsx 或 .csv（按文件扩展名）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--status", help="只导出该登记状态（存续、注销、吊销、迁出）")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]  # type: ignore[assignment]
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in {"xlsx", "csv"}:
            raise CommandError("文件扩展名应为 .xlsx 或 .csv。")
        params = {"status": options["status"]} if options["status"] else {}
        count = export_to_file(key="registry.targets", fmt=fmt, target=path, actor=None, params=params)
        self.stdout.write(f"已导出 {count} 个检查对象到 {path}。")
