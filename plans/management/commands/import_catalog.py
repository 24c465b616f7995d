from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans.diffs import display_value
from plans.importing import (
    CATALOG_HEADER_ALIASES,
    CATALOG_REQUIRED_COLUMNS,
    SourceError,
    catalog_validate,
    rows_from_csv,
)
from plans.services import catalog_edition_import, catalog_import_preview


class Command(BaseCommand):
    help = "从 CSV 文件导入新一版全省统一的随机抽查事项清单，并列出与现行版本相比的变化。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV 文件（UTF-8 或 GB18030 编码，表头行之上可有标题行）")
        parser.add_argument("--title", default="", help="版本名称，如“2026年版”；默认用文件名")
        parser.add_argument("--note", default="", help="说明")
        parser.add_argument("--dry-run", action="store_true", help="只校验并列出变化，不导入")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]  # type: ignore[assignment]
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            rows = rows_from_csv(path, required=CATALOG_REQUIRED_COLUMNS, aliases=CATALOG_HEADER_ALIASES)
        except SourceError as error:
            raise CommandError(str(error)) from error
        validation = catalog_validate(rows)
        if not validation.is_valid:
            for problem in validation.problems:
                self.stderr.write(problem.message)
            raise CommandError(f"共 {len(validation.problems)} 处错误，未导入任何内容。")
        preview = catalog_import_preview(rows=validation.rows)
        diff = preview.diff
        self.stdout.write(
            f"第{preview.number}版：{len(validation.rows)} 项；"
            + (
                f"与第{preview.previous.number}版相比新增 {len(diff.added)} 项、修改 {len(diff.changed)} 项、"
                f"删除 {len(diff.removed)} 项、未变 {diff.unchanged} 项。"
                if preview.previous
                else "首次导入。"
            )
        )
        if preview.previous:
            for record in diff.added:
                self.stdout.write(f"  新增  {record['check_type']}·{record['name']}")
            for change in diff.changed:
                self.stdout.write(f"  修改  {change.title}")
                for field in change.changes:
                    self.stdout.write(f"        {field.label}：{field.old} → {field.new}")
            for record in diff.removed:
                self.stdout.write(f"  删除  {record['check_type']}·{display_value(record['name'])}")
        if options["dry_run"]:
            self.stdout.write("仅校验（--dry-run），未导入。")
            return
        try:
            edition = catalog_edition_import(
                actor=None,
                title=str(options["title"]) or path.stem,
                rows=validation.rows,
                source_name=path.name,
                note=str(options["note"]),
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"已导入{edition}。"))
