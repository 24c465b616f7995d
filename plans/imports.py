"""The office's imports of the provincial list and the no-penalty list.

Both plug into the shared flow of `luozhuang_dsj.imports` (upload → validation job →
preview of every bad row and of what would change → confirm → one transaction with the
batch's audit event). Rows are cleaned by `plans.importing`.

- 全省统一的随机抽查事项清单: each file is a whole new edition. Items are matched with the
  current edition by 抽查类别 + 抽查事项 (`plans.services.catalog_import_preview`), and the
  preview lists what is added, changed (old → new) and removed, and which departments
  claimed an item that changes. The edition is written by `catalog_edition_write`.
- 轻微违法免罚清单: items are added or updated by 编号; items the file does not list stay
  as they are (the office deactivates them by hand).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError

from luozhuang_dsj.imports import Column, ImportSchema, Row, register_import
from luozhuang_dsj.jobs import Progress
from luozhuang_dsj.models import ImportBatch, User
from plans import permissions as perms
from plans.diffs import display_value
from plans.importing import (
    CATALOG_HEADER_ALIASES,
    CATALOG_REQUIRED_COLUMNS,
    EXEMPTION_HEADER_ALIASES,
    CatalogRow,
    catalog_row_clean,
    department_lookup,
    exemption_row_clean,
    is_blank_row,
)
from plans.models import ExemptionItem, Matter, methods_display
from plans.services import catalog_edition_write, catalog_import_preview, current_catalog_edition
from registry.models import Department

CATALOG_IMPORT = "plans.catalog"
EXEMPTION_IMPORT = "plans.exemptions"
SAMPLES = 500


def _synonyms(header: str, aliases: Mapping[str, str], *, leave_out: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(alias for alias, name in aliases.items() if name == header and alias not in leave_out)


def _item_label(record: Mapping[str, Any]) -> str:
    return f"{record['check_type']}·{record['name']}"


# ---- the provincial list ------------------------------------------------------------------------

# Column key → the header `catalog_row_clean` reads (and reports errors under).
CATALOG_HEADERS = {
    "position": "序号",
    "check_type": "抽查类别",
    "name": "抽查事项",
    "target_scope": "检查对象",
    "category": "事项类别",
    "methods": "检查方式",
    "inspecting_body": "检查主体",
    "legal_basis": "检查依据",
    "ratio_frequency": "抽查比例和频次",
    "note": "备注",
}
CATALOG_KEYS = {header: key for key, header in CATALOG_HEADERS.items()}
CATALOG_HELP = {
    "position": "仅供核对：事项的顺序以文件中的行序为准。",
    "category": "重点或一般（也接受“重点检查事项”“一般检查事项”）。",
    "methods": "实地核查、书面检查、网络监测，可填多种，用顿号分隔；也接受现场检查、书面审查、网络检查等说法。",
    "ratio_frequency": "如“不高于5%，每年1次”“不设上限”。一般检查事项的比例上限由各部门认领时确定，此处供参考。",
}


def _catalog_rows(rows: list[dict[str, Any]]) -> list[CatalogRow]:
    return [CatalogRow(**row) for row in rows]


class CatalogImport(ImportSchema):
    key = CATALOG_IMPORT
    title = "全省统一的随机抽查事项清单"
    columns = tuple(
        Column(
            key,
            header,
            _synonyms(header, CATALOG_HEADER_ALIASES),
            required=header in CATALOG_REQUIRED_COLUMNS,
            help=CATALOG_HELP.get(key, ""),
        )
        for key, header in CATALOG_HEADERS.items()
    )
    notes = (
        "每个文件是完整的一个新版本：现行版本中有、文件中没有的事项即为本版删除。系统按“抽查类别 + 抽查事项”"
        "把文件中的事项与现行版本对应，预览列出新增、修改（原内容 → 新内容）和删除的事项，以及已认领相关事项的部门；确认后才生成新版本。",
        "跨多行合并的单元格（如合并的抽查类别、检查主体）按其覆盖的每一行读取；空白行、只有序号的行和分段标题行自动跳过；"
        "同一抽查类别下的同名事项只能出现一次。",
    )
    fill_merged_down = True

    def may_use(self, user: User, params: dict[str, Any]) -> bool:
        return perms.is_office(user)

    def describe(self, params: dict[str, Any]) -> str:
        title = str(params.get("title") or "").strip()
        return f"{self.title}“{title}”" if title else self.title

    def prepare(self, batch: ImportBatch) -> dict[str, Any]:
        return {"seen": {}, "error_rows": 0}

    def clean(self, context: dict[str, Any], row: Row) -> dict[str, Any] | None:
        values = {header: row[key] for key, header in CATALOG_HEADERS.items()}
        if is_blank_row({header: value for header, value in values.items() if header != "序号"}):
            return None
        result = catalog_row_clean(values)
        if isinstance(result, list):
            for error in result:
                row.error(CATALOG_KEYS[error.column], error.reason, value=error.value)
        else:
            first = context["seen"].setdefault((result.check_type, result.name), row.number)
            if first != row.number:
                row.error("name", f"与第 {first} 行重复（同一抽查类别下的同名事项）。", value=result.name)
        if row.errors:
            context["error_rows"] += 1
            return None
        return asdict(result)

    def verify(self, context: dict[str, Any], rows: list[dict[str, Any]]) -> list[tuple[int, str, str, str]]:
        # A new edition replaces the whole list: compared without its bad rows, a file would
        # seem to remove them. The comparison is made only for a file without errors.
        if context["error_rows"] or not rows:
            return []
        preview = catalog_import_preview(rows=_catalog_rows(rows))
        if preview.previous and not preview.diff.has_changes:
            raise ValidationError(f"与现行版本（第{preview.previous.number}版）相比没有任何变化，无需导入。")
        context["preview"] = preview
        return []

    def plan(self, context: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
        preview = context.get("preview")
        if preview is None:
            return {"counts": {}, "samples": []}
        if preview.previous is None:
            return {
                "counts": {"首次导入事项": len(rows)},
                "samples": [],
                "edition": preview.number,
                "based_on": None,
            }
        diff = preview.diff
        old_records = {record["key"]: record for record in diff.removed}
        new_records = {key: asdict(row) for row, key in zip(preview.rows, preview.keys, strict=True)}
        claims = _claiming_departments([change.key for change in diff.changed] + list(old_records))
        samples: list[dict[str, Any]] = [
            {
                "key": _item_label(record),
                "action": "新增",
                "detail": f"{record['category']}检查事项；检查主体：{record['inspecting_body']}；"
                f"检查方式：{display_value(methods_display(record['methods']))}",
            }
            for record in diff.added
        ]
        for change in diff.changed:
            detail = "；".join(f"{field.label}：{field.old} → {field.new}" for field in change.changes)
            samples.append(
                {
                    "key": _item_label(new_records[change.key]),
                    "action": "修改",
                    "detail": detail + _claims_text(claims.get(change.key)),
                    "changes": [[field.label, field.old, field.new] for field in change.changes],
                }
            )
        samples += [
            {
                "key": _item_label(record),
                "action": "删除",
                "detail": "新版本不再列出该事项" + _claims_text(claims.get(key)),
            }
            for key, record in old_records.items()
        ]
        return {
            "counts": {
                "新增": len(diff.added),
                "修改": len(diff.changed),
                "删除": len(diff.removed),
                "未变": diff.unchanged,
            },
            "samples": samples[:SAMPLES],
            "samples_truncated": len(samples) > SAMPLES,
            "edition": preview.number,
            "based_on": preview.previous.number,
        }

    def apply(
        self,
        context: dict[str, Any],
        rows: list[dict[str, Any]],
        *,
        batch: ImportBatch,
        actor: User | None,
        progress: Progress | None,
    ) -> dict[str, Any]:
        if actor is not None:
            perms.require(perms.is_office(actor), "只有联席会议办公室可以导入省级抽查事项清单。")
        current = current_catalog_edition()
        based_on = ((batch.report or {}).get("plan") or {}).get("based_on")
        if (current.number if current else None) != based_on:
            raise ValidationError(
                f"校验之后省级清单已导入了新版本（现行为第{current.number if current else 0}版），"
                "请重新上传该文件，核对变化后再导入。"
            )
        edition = catalog_edition_write(
            actor=actor,
            title=str(batch.params.get("title") or ""),
            rows=_catalog_rows(rows),
            source_name=batch.original_filename,
            note=str(batch.params.get("note") or ""),
        )
        summary = edition.summary
        counts = (
            {
                "新增": summary["added"],
                "修改": summary["changed"],
                "删除": summary["removed"],
                "未变": summary["unchanged"],
            }
            if current
            else {"首次导入事项": len(rows)}
        )
        return {"counts": counts, "edition": edition.number, "title": edition.title}


def _claiming_departments(keys: list[str]) -> dict[str, list[str]]:
    """Item key → short names of the departments whose lists hold a claim of that item."""
    claims: dict[str, list[str]] = defaultdict(list)
    rows = (
        Matter.objects.filter(is_active=True, catalog_item__key__in=keys)
        .order_by("department__code")
        .values_list("catalog_item__key", "department__short_name")
        .distinct()
    )
    for key, department in rows:
        claims[key].append(department)
    return claims


def _claims_text(departments: list[str] | None) -> str:
    return f"。已认领此事项的部门：{'、'.join(departments)}" if departments else ""


# ---- the no-penalty list ------------------------------------------------------------------------

EXEMPTION_HEADERS = {
    "code": "编号",
    "department": "实施部门",
    "description": "违法行为",
    "legal_basis": "法律依据",
    "conditions": "免罚条件",
}
EXEMPTION_KEYS = {header: key for key, header in EXEMPTION_HEADERS.items()}
EXEMPTION_LABELS = {
    "department": "实施部门",
    "description": "违法行为",
    "legal_basis": "法律依据",
    "conditions": "免罚条件",
    "is_active": "状态",
}
# The order of a cleaned row (a JSON list in the staged file).
E_CODE, E_DEPARTMENT, E_DESCRIPTION, E_LEGAL_BASIS, E_CONDITIONS = range(5)


class ExemptionImport(ImportSchema):
    key = EXEMPTION_IMPORT
    title = "轻微违法免罚清单"
    key_column = "code"
    columns = (
        Column(
            "code",
            "编号",
            ("事项编号", "清单编号"),
            help="字母、数字和连字符，如 SCJG-001。按编号新增或更新；文件没有编号列时以序号作编号。",
        ),
        Column("position", "序号", help="仅在没有编号列时作为编号。"),
        *(
            Column(
                key,
                header,
                _synonyms(header, EXEMPTION_HEADER_ALIASES),
                required=True,
                help="在用成员单位的全称或简称，如“区市场监管局”。" if key == "department" else "",
            )
            for key, header in EXEMPTION_HEADERS.items()
            if key != "code"
        ),
    )
    notes = (
        "按编号新增或更新事项；导入的事项均为有效。清单中有、文件中没有的事项保持不变，停用请在清单页面逐项编辑。",
        "跨多行合并的单元格（如合并的实施部门）按其覆盖的每一行读取。",
    )
    fill_merged_down = True

    def may_use(self, user: User, params: dict[str, Any]) -> bool:
        return perms.may_edit_exemptions(user)

    def prepare(self, batch: ImportBatch) -> dict[str, Any]:
        return {"departments": department_lookup()}

    def clean(self, context: dict[str, Any], row: Row) -> list[Any] | None:
        code = row["code"] if "code" in row else row["position"]
        values = {"编号": code} | {
            header: row[key] for key, header in EXEMPTION_HEADERS.items() if key != "code"
        }
        if is_blank_row(values):
            return None
        result = exemption_row_clean(values, departments=context["departments"])
        if isinstance(result, list):
            for error in result:
                row.error(EXEMPTION_KEYS[error.column], error.reason, value=error.value)
            return None
        return [result.code, result.department.pk, result.description, result.legal_basis, result.conditions]

    def row_key(self, cleaned: list[Any]) -> str:
        return cleaned[E_CODE]

    def _diff(
        self, rows: list[list[Any]], *, lock: bool = False
    ) -> tuple[list[list[Any]], list[tuple[ExemptionItem, list[Any], list[tuple[str, str, str]]]], int, int]:
        """(new rows, (item, row, changes) of changed items, unchanged count, items left alone)."""
        items = ExemptionItem.objects.select_related("department")
        if lock:
            items = items.select_for_update(of=("self",))
        existing = {item.code: item for item in items}
        departments = {department.pk: department for department in Department.objects.all()}
        created: list[list[Any]] = []
        updated = []
        unchanged = 0
        for row in rows:
            item = existing.get(row[E_CODE])
            if item is None:
                created.append(row)
                continue
            pairs = (
                ("department", item.department.short_name, departments[row[E_DEPARTMENT]].short_name),
                ("description", item.description, row[E_DESCRIPTION]),
                ("legal_basis", item.legal_basis, row[E_LEGAL_BASIS]),
                ("conditions", item.conditions, row[E_CONDITIONS]),
                ("is_active", "有效" if item.is_active else "已失效", "有效"),
            )
            changes = [(EXEMPTION_LABELS[name], old, new) for name, old, new in pairs if old != new]
            if changes:
                updated.append((item, row, changes))
            else:
                unchanged += 1
        return created, updated, unchanged, len(existing) - len(updated) - unchanged

    def plan(self, context: dict[str, Any], rows: list[list[Any]]) -> dict[str, Any]:
        created, updated, unchanged, left_alone = self._diff(rows)
        departments = dict(Department.objects.values_list("pk", "short_name"))
        samples = [
            {
                "key": row[E_CODE],
                "action": "新增",
                "detail": f"{departments[row[E_DEPARTMENT]]}：{row[E_DESCRIPTION]}",
            }
            for row in created
        ]
        samples += [
            {
                "key": item.code,
                "action": "更新",
                "detail": "；".join(f"{label}：{old} → {new}" for label, old, new in changes),
            }
            for item, _, changes in updated
        ]
        return {
            "counts": {
                "新增": len(created),
                "更新": len(updated),
                "未变": unchanged,
                "清单中文件未列出、保持不变": left_alone,
            },
            "samples": samples[:SAMPLES],
            "samples_truncated": len(samples) > SAMPLES,
        }

    def apply(
        self,
        context: dict[str, Any],
        rows: list[list[Any]],
        *,
        batch: ImportBatch,
        actor: User | None,
        progress: Progress | None,
    ) -> dict[str, Any]:
        if actor is not None:
            perms.require(perms.may_edit_exemptions(actor), "只有联席会议办公室可以导入轻微违法免罚清单。")
        created, updated, unchanged, _ = self._diff(rows, lock=True)
        ExemptionItem.objects.bulk_create(
            [
                ExemptionItem(
                    code=row[E_CODE],
                    department_id=row[E_DEPARTMENT],
                    description=row[E_DESCRIPTION],
                    legal_basis=row[E_LEGAL_BASIS],
                    conditions=row[E_CONDITIONS],
                    is_active=True,
                )
                for row in created
            ]
        )
        for item, row, _ in updated:
            item.department_id = row[E_DEPARTMENT]
            item.description, item.legal_basis, item.conditions = row[E_DESCRIPTION:]
            item.is_active = True
            item.save()
        return {"counts": {"新增": len(created), "更新": len(updated), "未变": unchanged}}


register_import(CatalogImport())
register_import(ExemptionImport())
