"""The registry's imports: targets (the office), sub-registry members and inspectors (departments).

Each is an `ImportSchema` for the shared flow in `luozhuang_dsj.imports`. Targets are
upserted by credit code and never deleted: a target that left the market arrives as a
status change (注销、吊销、迁出). A blank cell leaves the stored value as it is, so a file
with only 统一社会信用代码, 企业名称 and 信用风险分类 updates just the risk class.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from luozhuang_dsj.imports import Column, ImportSchema, Row, register_import
from luozhuang_dsj.jobs import Progress
from luozhuang_dsj.lib.access import user_has_role
from luozhuang_dsj.lib.bulk import bulk_insert, bulk_update_by_key, fetch_by_keys
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.lib.spreadsheets import cell_text
from luozhuang_dsj.models import ImportBatch, User
from registry import credit_code, values
from registry.models import (
    Department,
    Inspector,
    SubRegistry,
    SubRegistryMembership,
    Target,
    TargetChange,
    Town,
)
from registry.permissions import DEPARTMENT_EDITORS
from registry.services import expertise_tags

CHUNK = 5000
SAMPLES = 200
CODE_SYNONYMS = (
    "统一社会信用代码（对象标识）",
    "社会信用代码",
    "信用代码",
    "统一代码",
    "对象标识",
    "统一社会信用代码/注册号",
)

# The order of a cleaned target row (a JSON list in the staged file).
T_CODE, T_NAME, T_KIND, T_LEGAL, T_ADDRESS, T_TOWN, T_INDUSTRY, T_STATUS, T_RISK, T_UNREACHABLE = range(10)
STORED = (
    "name",
    "kind",
    "legal_representative",
    "address",
    "town_id",
    "industry_code",
    "status",
    "risk_class",
    "address_unreachable",
)
DEFAULTS = {
    "kind": None,
    "legal_representative": "",
    "address": "",
    "town_id": None,
    "industry_code": "",
    "status": Target.Status.ACTIVE,
    "risk_class": "B",
    "address_unreachable": False,
}
INSERTED = tuple(name.removesuffix("_id") for name in STORED)
LABELS = {
    "name": "名称",
    "kind": "对象类型",
    "legal_representative": "法定代表人",
    "address": "住所",
    "town_id": "所属镇街",
    "industry_code": "行业代码",
    "status": "登记状态",
    "risk_class": "信用风险分类",
    "address_unreachable": "登记住所无法联系",
}


def _chunks(items: list[Any], size: int = CHUNK) -> Any:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_targets(codes: list[str]) -> dict[str, tuple[Any, ...]]:
    """code → (pk, *STORED) for the codes that are already in the registry."""
    return {row[0]: row[1:] for row in fetch_by_keys(Target, "code", ("id", *STORED), codes)}


class TargetImport(ImportSchema):
    key = "registry.targets"
    title = "检查对象"
    key_column = "code"
    columns = (
        Column(
            "code",
            "统一社会信用代码",
            CODE_SYNONYMS,
            required=True,
            help="18 位，校验位按 GB 32100-2015 核验；产品、项目、场所填对象标识（不得为 18 位）。",
        ),
        Column(
            "name",
            "企业名称",
            ("名称", "主体名称", "市场主体名称", "单位名称", "对象名称", "检查对象名称", "企业（单位）名称"),
            required=True,
        ),
        Column(
            "kind",
            "市场主体类型",
            ("主体类型", "企业类型", "对象类型", "类型", "企业类型（市场主体类型）"),
            help="企业、个体工商户、农民专业合作社、其他组织、产品、项目、场所；也接受“有限责任公司（自然人投资或控股）”等登记类型。空白时按信用代码推断。",
        ),
        Column(
            "legal_representative",
            "法定代表人（负责人）",
            (
                "法定代表人",
                "负责人",
                "经营者",
                "法定代表人/负责人",
                "法定代表人（负责人、经营者）",
                "法人代表",
                "投资人",
            ),
        ),
        Column(
            "address",
            "住所",
            ("地址", "住所（经营场所）", "经营场所", "注册地址", "经营地址", "住所/经营场所"),
        ),
        Column(
            "town",
            "所属镇街",
            ("镇街", "所属街道", "乡镇（街道）", "街道（镇）", "所在镇街", "属地", "所属乡镇"),
        ),
        Column(
            "industry",
            "行业代码",
            ("国民经济行业代码", "行业分类代码", "国民经济行业分类代码", "行业门类代码"),
        ),
        Column("status", "登记状态", ("经营状态", "企业状态", "状态", "登记状态（存续/注销/吊销/迁出）")),
        Column(
            "risk", "信用风险分类", ("风险分类", "信用风险等级", "风险等级", "风险类别", "信用风险分类结果")
        ),
        Column("unreachable", "登记住所无法联系", ("住所无法联系", "通过登记住所无法联系", "无法联系")),
    )
    notes = (
        "按统一社会信用代码新增或更新；空白单元格表示不修改该项。导入不会删除检查对象：歇业、注销请将登记状态改为注销、吊销或迁出。",
        "每次导入的文件、校验报告、操作人和结果都会保存，每个检查对象的变更都记入其变更记录。",
    )

    def may_use(self, user: User, params: dict[str, Any]) -> bool:
        return user_has_role(user, Role.OFFICE)

    def prepare(self, batch: ImportBatch) -> dict[str, Any]:
        towns: dict[str, int] = {}
        for town in Town.objects.all():
            for name in {town.name, town.name.removesuffix("街道").removesuffix("镇"), town.code}:
                towns[name] = town.pk
        return {"towns": towns, "town_names": dict(Town.objects.values_list("pk", "name"))}

    @staticmethod
    def _parsers(context: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
        """The columns that hold a few distinct values over many rows, with their parsers:
        each distinct text is parsed once per file."""
        parsers = context.get("parsers")
        if parsers is None:
            towns = context["towns"]

            def town(text: str) -> int:
                town_id = towns.get(values.compact(text))
                if town_id is None:
                    raise ValueError("不是本区的镇街：请填写镇街全称，如“罗庄街道”“褚墩镇”。")
                return town_id

            parsers = context["parsers"] = (
                ("kind", values.parse_kind),
                ("town", town),
                ("industry", values.parse_industry),
                ("status", values.parse_status),
                ("risk", values.parse_risk),
                ("unreachable", values.parse_flag),
            )
        return parsers

    def clean(self, context: dict[str, Any], row: Row) -> list[Any] | None:
        memo = context.setdefault("memo", {})
        parsed: dict[str, Any] = {}
        for key, parse in self._parsers(context):
            text = row[key]
            if not text:
                parsed[key] = None
                continue
            known = memo.get((key, text))
            if known is None:
                try:
                    known = (parse(text), None)
                except ValueError as error:
                    known = (None, str(error))
                memo[(key, text)] = known
            parsed[key], problem = known
            if problem:
                row.error(key, problem)
        try:
            code = values.parse_code(row["code"], parsed["kind"] or "")
        except ValueError as error:
            row.error("code", str(error))
            return None
        name = " ".join(row["name"].split())
        if not name:
            row.error("name", "名称不能为空。")
        elif len(name) > 200:
            row.error("name", "名称不超过 200 个字符。")
        legal = " ".join(row["legal_representative"].split()) or None
        address = " ".join(row["address"].split()) or None
        if legal and len(legal) > 100:
            row.error("legal_representative", "不超过 100 个字符。")
        if address and len(address) > 300:
            row.error("address", "不超过 300 个字符。")
        if row.errors:
            return None
        return [
            code,
            name,
            parsed["kind"],
            legal,
            address,
            parsed["town"],
            parsed["industry"],
            parsed["status"],
            parsed["risk"],
            parsed["unreachable"],
        ]

    def clean_block(
        self,
        context: dict[str, Any],
        block: list[tuple[int, list[Any]]],
        positions: Sequence[tuple[str, int]],
    ) -> list[tuple[int, Any, Sequence[tuple[str, str, str]]]]:
        """`clean` column by column: a registry export of a hundred thousand rows is mostly
        good, and a column's work done in one pass costs a fraction of a call per row. A
        row that any check here doubts (a value that does not parse, a code that does not
        check, a product's, project's or site's key, an over-long text) goes through `clean`
        itself, so every row gives exactly what `clean` gives, with `clean`'s messages."""
        index_of = dict(positions)
        width = max(index_of.values()) + 1
        # A short row (a .csv line without its trailing empty fields) is read as if padded
        # with empty cells, as `Row.of_cells` reads a missing cell.
        all_cells = [
            cells if len(cells) >= width else [*cells, *[""] * (width - len(cells))] for _, cells in block
        ]
        size = len(block)
        doubtful: set[int] = set()

        def column(key: str) -> list[str]:
            index = index_of.get(key)
            if index is None:
                return [""] * size
            cells = [cells[index] for cells in all_cells]
            try:
                return list(map(str.strip, cells))
            except TypeError:  # a number or a date somewhere: as `Row.of_cells` reads it
                return [cell.strip() if type(cell) is str else cell_text(cell) for cell in cells]

        memo = context.setdefault("column_memo", {})
        parsed: dict[str, list[Any]] = {}
        for key, parse in self._parsers(context):
            texts = column(key)
            known, bad = memo.setdefault(key, ({"": None}, set()))
            for text in set(texts).difference(known):
                try:
                    known[text] = parse(text)
                except ValueError:
                    known[text] = None
                    bad.add(text)
            if bad and not bad.isdisjoint(texts):
                doubtful.update(number for number, text in enumerate(texts) if text in bad)
            parsed[key] = list(map(known.__getitem__, texts))
        non_entity = values.NON_ENTITY_KINDS
        if not non_entity.isdisjoint(parsed["kind"]):
            doubtful.update(number for number, kind in enumerate(parsed["kind"]) if kind in non_entity)
        codes = list(map(credit_code.normalise, column("code")))
        valid = credit_code.valid_flags(codes)
        if not all(valid):
            doubtful.update(number for number, flag in enumerate(valid) if not flag)
        names = [" ".join(text.split()) for text in column("name")]
        legals = [" ".join(text.split()) or None for text in column("legal_representative")]
        addresses = [" ".join(text.split()) or None for text in column("address")]
        # The length checks in C first; the rows only when some text is empty or too long.
        for texts, longest, may_be_empty in (
            (names, 200, False),
            (legals, 100, True),
            (addresses, 300, True),
        ):
            if (not may_be_empty and not all(texts)) or max(
                map(len, filter(None, texts)), default=0
            ) > longest:
                doubtful.update(
                    number
                    for number, text in enumerate(texts)
                    if (not text and not may_be_empty) or (text and len(text) > longest)
                )
        rows = zip(
            codes,
            names,
            parsed["kind"],
            legals,
            addresses,
            parsed["town"],
            parsed["industry"],
            parsed["status"],
            parsed["risk"],
            parsed["unreachable"],
            strict=True,
        )
        cleaned: list[tuple[int, Any, Sequence[tuple[str, str, str]]]] = [
            (number, list(row), ()) for (number, _), row in zip(block, rows, strict=True)
        ]
        for position in sorted(doubtful):
            number, cells = block[position]
            row = Row.of_cells(number, cells, positions)
            cleaned[position] = (number, self.clean(context, row), row.errors)
        return cleaned

    def row_key(self, cleaned: list[Any]) -> str:
        return cleaned[T_CODE]

    @staticmethod
    def _merge(row: list[Any], old: tuple[Any, ...]) -> tuple[Any, ...]:
        """A stored target's values after this row: given cells replace, blank cells keep."""
        given = row[T_NAME : T_UNREACHABLE + 1]
        if None not in given:  # a full row, as a registry export gives
            return tuple(given)
        return tuple([value if value is not None else kept for value, kept in zip(given, old, strict=True)])

    @staticmethod
    def _new_targets(rows: list[list[Any]]) -> list[tuple[Any, ...]]:
        """(code, *STORED) of the targets these rows create: blank cells take the
        defaults, a blank kind is inferred from the code. Column by column (a first import
        creates every row)."""
        if not rows:
            return []
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        codes = columns[T_CODE]
        for position, name in enumerate(STORED, start=T_NAME):
            default = DEFAULTS.get(name)
            if name == "kind":
                columns[position] = [
                    value if value is not None else values.parse_kind("", code)
                    for value, code in zip(columns[position], codes, strict=True)
                ]
            elif default is not None:
                columns[position] = [value if value is not None else default for value in columns[position]]
        return list(zip(*columns, strict=True))

    def _diff(self, rows: list[list[Any]]) -> tuple[list[list[Any]], list, int]:
        """The rows that create a target; (code, pk, values after, changes) of the targets
        that change; how many are unchanged."""
        existing = _existing_targets([row[T_CODE] for row in rows])
        if not existing:
            return rows, [], 0
        created: list[list[Any]] = []
        updated: list[tuple[str, int, tuple[Any, ...], dict[str, list[Any]]]] = []
        unchanged = 0
        for row in rows:
            before = existing.get(row[T_CODE])
            if before is None:
                created.append(row)
                continue
            old = before[1:]
            after = self._merge(row, old)
            if after == old:
                unchanged += 1
                continue
            changes = {
                name: [was, new] for name, was, new in zip(STORED, old, after, strict=True) if was != new
            }
            updated.append((row[T_CODE], before[0], after, changes))
        return created, updated, unchanged

    def plan(self, context: dict[str, Any], rows: list[list[Any]]) -> dict[str, Any]:
        created, updated, unchanged = self._diff(rows)
        town_names = context["town_names"]
        samples = [
            {
                "key": code,
                "action": "更新",
                "detail": "；".join(
                    f"{LABELS[name]}：{self._show(name, old, town_names)} → {self._show(name, new, town_names)}"
                    for name, (old, new) in changes.items()
                ),
            }
            for code, _, _, changes in updated[:SAMPLES]
        ]
        samples += [
            {"key": row[T_CODE], "action": "新增", "detail": row[T_NAME]}
            for row in created[: max(0, SAMPLES - len(samples))]
        ]
        left_alone = Target.objects.count() - len(updated) - unchanged
        return {
            "counts": {
                "新增": len(created),
                "更新": len(updated),
                "无变化": unchanged,
                "名录库中文件未列出、保持不变": left_alone,
            },
            "samples": samples,
            "samples_truncated": len(created) + len(updated) > len(samples),
        }

    @staticmethod
    def _show(name: str, value: Any, town_names: dict[int, str]) -> str:
        if name == "town_id":
            return town_names.get(value, "（空）") if value else "（空）"
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value) if value not in (None, "") else "（空）"

    def apply(
        self,
        context: dict[str, Any],
        rows: list[list[Any]],
        *,
        batch: ImportBatch,
        actor: User | None,
        progress: Progress | None,
    ) -> dict[str, Any]:
        created, updated, unchanged = self._diff(rows)
        now = timezone.now()
        stamp = now
        note = f"批量导入：{batch.original_filename}"[:300]
        user_id = actor.pk if actor else None
        if progress:
            progress(0, total=len(created) + len(updated), stage="写入新增的检查对象")
        # A new target's history starts with its first change; its creation is the batch's
        # audit event (which keeps the file and its hash) and the target's created_at.
        # Written in code order: each code's entry in the unique index then lands beside the
        # previous one's, which costs the server a fifth less than the file's order. Made a
        # chunk at a time while COPY sends them (the server's work is the longer). Their
        # created_at and updated_at are the database's default: the statement's time.
        created.sort(key=operator.itemgetter(T_CODE))
        new_targets = (target for chunk in _chunks(created) for target in self._new_targets(chunk))
        bulk_insert(Target, ("code", *INSERTED), new_targets)
        if progress:
            progress(len(created), stage="更新已有的检查对象")
        bulk_update_by_key(
            Target, "code", (*STORED, "updated_at"), [(code, *after, stamp) for code, _, after, _ in updated]
        )
        if progress:
            progress(len(created) + len(updated), stage="记录变更历史")
        history = [
            (
                pk,
                stamp,
                user_id,
                TargetChange.Source.IMPORT,
                self._jsonable(changes, context["town_names"]),
                note,
            )
            for _, pk, _, changes in updated
        ]
        bulk_insert(TargetChange, ("target", "at", "user", "source", "changes", "note"), history)
        return {"counts": {"新增": len(created), "更新": len(updated), "无变化": unchanged}}

    @staticmethod
    def _jsonable(changes: dict[str, list[Any]], town_names: dict[int, str]) -> dict[str, list[Any]]:
        """As the history shows changes made by hand: the town by name."""
        return {
            ("town" if name == "town_id" else name): [town_names.get(value, "") for value in pair]
            if name == "town_id"
            else pair
            for name, pair in changes.items()
        }


class MembershipImport(ImportSchema):
    """A department's sub-registry members from a list of codes; optionally a full replacement."""

    key = "registry.sub_registry_members"
    title = "分库成员"
    key_column = "code"
    columns = (
        Column("code", "统一社会信用代码", CODE_SYNONYMS, required=True),
        Column(
            "name", "企业名称", ("名称", "主体名称", "单位名称", "对象名称"), help="仅供核对，不修改名录库。"
        ),
    )
    notes = ("检查对象须已在检查对象名录库中（由联席会议办公室维护）；不在名录库中的代码会列为问题行。",)

    def _sub_registry(self, params: dict[str, Any]) -> SubRegistry | None:
        return SubRegistry.objects.select_related("department").filter(pk=params.get("sub_registry")).first()

    def may_use(self, user: User, params: dict[str, Any]) -> bool:
        if not user_has_role(user, *DEPARTMENT_EDITORS):
            return False
        if not params:
            return True
        sub_registry = self._sub_registry(params)
        return sub_registry is not None and sub_registry.department_id == user.department_id

    def describe(self, params: dict[str, Any]) -> str:
        sub_registry = self._sub_registry(params)
        return f"分库“{sub_registry.name}”的成员" if sub_registry else self.title

    def prepare(self, batch: ImportBatch) -> dict[str, Any]:
        sub_registry = self._sub_registry(batch.params)
        if sub_registry is None:
            raise ValidationError("该分库已被删除。")
        return {"sub_registry": sub_registry, "replace": batch.params.get("mode") == "replace"}

    def clean(self, context: dict[str, Any], row: Row) -> list[Any] | None:
        code = credit_code.normalise(row["code"])
        if not code:
            row.error("code", "统一社会信用代码不能为空。")
            return None
        if len(code) == 18:
            problem = credit_code.problem(code)
            if problem:
                row.error("code", problem)
                return None
        else:
            code = row["code"].strip()
        return [row.number, code]

    def row_key(self, cleaned: list[Any]) -> str:
        return cleaned[1]

    def verify(self, context: dict[str, Any], rows: list[list[Any]]) -> list[tuple[int, str, str, str]]:
        found: dict[str, int] = {}
        for chunk in _chunks([code for _, code in rows]):
            found.update(Target.objects.filter(code__in=chunk).values_list("code", "pk"))
        context["found"] = found
        return [
            (number, "code", code, "检查对象名录库中没有该代码，请先由联席会议办公室录入或导入。")
            for number, code in rows
            if code not in found
        ]

    def _plan(self, context: dict[str, Any], rows: list[list[Any]]) -> tuple[list[int], list[int], int]:
        if "found" not in context:
            self.verify(context, rows)
        wanted = {context["found"][code] for _, code in rows if code in context["found"]}
        current = set(context["sub_registry"].memberships.values_list("target_id", flat=True))
        added = sorted(wanted - current)
        removed = sorted(current - wanted) if context["replace"] else []
        return added, removed, len(wanted & current)

    def plan(self, context: dict[str, Any], rows: list[list[Any]]) -> dict[str, Any]:
        added, removed, kept = self._plan(context, rows)
        counts = {"加入分库": len(added), "已在分库": kept}
        if context["replace"]:
            counts["移出分库（文件中没有）"] = len(removed)
        return {"counts": counts, "samples": []}

    def apply(
        self,
        context: dict[str, Any],
        rows: list[list[Any]],
        *,
        batch: ImportBatch,
        actor: User | None,
        progress: Progress | None,
    ) -> dict[str, Any]:
        sub_registry = SubRegistry.objects.select_for_update().get(pk=context["sub_registry"].pk)
        added, removed, kept = self._plan(context, rows)
        now = timezone.now()
        bulk_insert(
            SubRegistryMembership,
            ("sub_registry", "target", "added_at"),
            [(sub_registry.pk, pk, now) for pk in added],
        )
        if removed:
            for chunk in _chunks(removed):
                SubRegistryMembership.objects.filter(sub_registry=sub_registry, target_id__in=chunk).delete()
        counts = {"加入分库": len(added), "已在分库": kept}
        if context["replace"]:
            counts["移出分库"] = len(removed)
        return {"counts": counts, "sub_registry": sub_registry.name}


class InspectorImport(ImportSchema):
    key = "registry.inspectors"
    title = "执法检查人员"
    key_column = "code"
    columns = (
        Column("code", "人员编号", ("编号", "工号", "人员代码", "执法人员编号"), required=True),
        Column("name", "姓名", ("人员姓名", "执法人员姓名"), required=True),
        Column(
            "department",
            "所属部门",
            ("部门", "所属单位", "单位", "单位名称"),
            help="可省略；填写时须为本部门。",
        ),
        Column(
            "category",
            "人员类别",
            ("类别", "人员类型", "执法人员类别"),
            help="行政执法类公务员、具有执法资格人员、日常监管人员、综合执法队伍、专家、第三方机构。",
        ),
        Column(
            "organisation",
            "所在机构",
            ("工作单位", "机构名称", "所在单位（机构）"),
            help="专家、第三方机构人员必填。",
        ),
        Column(
            "certificate_number", "执法证号", ("执法证件号", "执法证编号", "执法证件编号", "行政执法证号")
        ),
        Column(
            "certificate_valid_until",
            "执法证有效期至",
            ("有效期至", "执法证有效期", "证件有效期至", "执法证件有效期"),
        ),
        Column(
            "expertise",
            "业务专长",
            ("专长", "业务领域", "执法领域", "专业领域"),
            help="多个专长用顿号、逗号或分号分隔。",
        ),
        Column("is_active", "是否在岗", ("在岗", "在岗状态", "状态")),
        Column("phone", "联系电话", ("电话", "手机", "手机号码", "联系方式")),
    )
    notes = (
        "按人员编号新增或更新本部门的执法检查人员；空白单元格表示不修改该项。导入不会删除人员：调离、退休请填“否”（不在岗）。",
    )

    def may_use(self, user: User, params: dict[str, Any]) -> bool:
        if not user_has_role(user, *DEPARTMENT_EDITORS):
            return False
        return not params.get("department") or params["department"] == user.department.code

    def describe(self, params: dict[str, Any]) -> str:
        department = Department.objects.filter(code=params.get("department")).first()
        return f"{department.short_name}执法检查人员" if department else self.title

    def prepare(self, batch: ImportBatch) -> dict[str, Any]:
        department = Department.objects.filter(code=batch.params.get("department")).first()
        if department is None:
            raise ValidationError("未指定导入到哪个部门。")
        owners = dict(Inspector.objects.values_list("code", "department_id"))
        names = {department.code, department.name, department.short_name}
        return {"department": department, "owners": owners, "names": names}

    def clean(self, context: dict[str, Any], row: Row) -> list[Any] | None:
        code = values.compact(row["code"]).upper()
        department: Department = context["department"]
        if not code or len(code) > 30:
            row.error("code", "人员编号不能为空，且不超过 30 个字符。")
        elif context["owners"].get(code, department.pk) != department.pk:
            row.error("code", "该人员编号属于其他部门的执法检查人员。")
        name = values.compact(row["name"])
        if not name or len(name) > 50:
            row.error("name", "姓名不能为空，且不超过 50 个字符。")
        if row["department"] and values.compact(row["department"]) not in context["names"]:
            row.error("department", f"只能导入本部门（{department.short_name}）的人员。")
        category = None
        if row["category"]:
            try:
                category = values.parse_category(row["category"])
            except ValueError as error:
                row.error("category", str(error))
        elif code not in context["owners"]:
            row.error("category", "新增人员须填写人员类别。")
        valid_until = None
        if row["certificate_valid_until"]:
            try:
                valid_until = values.parse_date(row["certificate_valid_until"]).isoformat()
            except ValueError as error:
                row.error("certificate_valid_until", str(error))
        active = None
        if row["is_active"]:
            try:
                active = values.parse_flag(row["is_active"])
            except ValueError as error:
                row.error("is_active", str(error))
        organisation = row["organisation"].strip() or None
        certificate = values.compact(row["certificate_number"]) or None
        if category in Inspector.EXPERT_CATEGORIES and not organisation and code not in context["owners"]:
            row.error("organisation", "专家、第三方机构人员须填写所在机构。")
        if certificate and not valid_until and code not in context["owners"]:
            row.error("certificate_valid_until", "填写执法证号时须填写有效期。")
        phone = values.compact(row["phone"]) or None
        if phone and len(phone) > 20:
            row.error("phone", "联系电话不超过 20 个字符。")
        if row.errors:
            return None
        expertise = values.split_tags(row["expertise"]) if row["expertise"] else None
        return [code, name, category, organisation, certificate, valid_until, expertise, active, phone]

    def row_key(self, cleaned: list[Any]) -> str:
        return cleaned[0]

    def plan(self, context: dict[str, Any], rows: list[list[Any]]) -> dict[str, Any]:
        new = [row for row in rows if row[0] not in context["owners"]]
        return {
            "counts": {"新增": len(new), "更新": len(rows) - len(new)},
            "samples": [
                {"key": row[0], "action": "新增" if row in new else "更新", "detail": row[1]}
                for row in rows[:SAMPLES]
            ],
            "samples_truncated": len(rows) > SAMPLES,
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
        department: Department = context["department"]
        created = updated = 0
        existing = {
            inspector.code: inspector
            for inspector in Inspector.objects.filter(code__in=[row[0] for row in rows])
        }
        for code, name, category, organisation, certificate, valid_until, expertise, active, phone in rows:
            inspector = existing.get(code)
            if inspector is not None and inspector.department_id != department.pk:
                raise ValidationError(f"人员编号 {code} 已属于其他部门。")
            if inspector is None:
                inspector = Inspector(code=code, department=department)
                created += 1
            else:
                updated += 1
            inspector.name = name
            for field, value in (
                ("category", category),
                ("organisation", organisation),
                ("certificate_number", certificate),
                ("is_active", active),
                ("phone", phone),
            ):
                if value is not None:
                    setattr(inspector, field, value)
            if valid_until is not None:
                inspector.certificate_valid_until = dt.date.fromisoformat(valid_until)
            inspector.save()
            if expertise is not None:
                inspector.expertise.set(expertise_tags(expertise))
        return {"counts": {"新增": created, "更新": updated}, "department": department.code}


register_import(TargetImport())
register_import(MembershipImport())
register_import(InspectorImport())
