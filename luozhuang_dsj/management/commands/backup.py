from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from luozhuang_dsj.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "用 pg_dump（自定义格式）备份数据库，并写出记录各表行数和审计链末端的清单文件。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--output", default="backups", help="备份目录（缺省为 ./backups）")

    def handle(self, *args: object, **options: str) -> None:
        try:
            dump, manifest = backup_create(Path(options["output"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"已备份到 {dump}（清单 {manifest}）。")
