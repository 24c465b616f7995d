from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans.importing import (
    EXEMPTION_HEADER_ALIASES,
    EXEMPTION_REQUIRED_COLUMNS,
    SourceError,
    exemption_validate,
    rows_from_csv,
)
from plans.services import exemption_import


class Command(BaseCommand):
    help = "从 CSV 文件导入轻微违法免罚清单（按编号新增或更新）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="CSV 文件，列：编号、实施部门、违法行为、法律依据、免罚条件"
        )
        parser.add_argument("--dry-run", action="store_true", help="只校验，不导入")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]  # type: ignore[assignment]
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            rows = rows_from_csv(path, required=EXEMPTION_REQUIRED_COLUMNS, aliases=EXEMPTION_HEADER_ALIASES)
        except SourceError as error:
            raise CommandError(str(error)) from error
        validation = exemption_validate(rows)
        if not validation.is_valid:
            for problem in validation.problems:
                self.stderr.write(problem.message)
            raise CommandError(f"共 {len(validation.problems)} 处错误，未导入任何内容。")
        if options["dry_run"]:
            self.stdout.write(f"校验通过：{len(validation.rows)} 项。仅校验（--dry-run），未导入。")
            return
        try:
            report = exemption_import(actor=None, rows=validation.rows, source_name=path.name)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入：新增 {report.created} 项，更新 {report.updated} 项，未变 {report.unchanged} 项。"
            )
        )
