from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from luozhuang_dsj.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "把 backup 生成的备份恢复到 DATABASE_URL 指向的空数据库，核对各表行数并校验审计链。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("dump", help="备份文件（.dump）；同名 .json 清单用于核对行数")

    def handle(self, *args: object, **options: str) -> None:
        dump = Path(options["dump"])
        try:
            report = backup_restore(dump, dump.with_suffix(".json"))
        except BackupError as error:
            raise CommandError(str(error)) from None
        for table, (expected, actual) in report.mismatches.items():
            self.stderr.write(f"{table}：备份时 {expected} 行，恢复后 {actual} 行")
        if report.chain_problem:
            self.stderr.write(f"审计链断裂：{report.chain_problem}")
        if not report.is_complete:
            raise CommandError("恢复结果与备份清单不一致，请勿使用该数据库。")
        self.stdout.write(
            f"已恢复 {report.tables} 张表、{report.rows} 行，行数与备份清单一致；审计链完整（{report.chain_checked} 条）。"
        )
