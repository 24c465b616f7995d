"""Writes on the provincial list, matter lists, the no-penalty list and annual plans.

Each function is the one door for its change: it checks who may do it, validates, writes
in one transaction and records the audit event in that transaction. Business-rule
failures raise `ValidationError` with Chinese messages (a dict keyed by form field where
one applies); a user acting beyond their role gets `PermissionDenied`.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from notices import events as notice_events
from plans import permissions as perms
from plans.diffs import RecordDiff, diff_records, display_value
from plans.importing import CatalogRow, parse_ratio_text
from plans.models import (
    METHOD_ORDER,
    AnnualPlan,
    CatalogEdition,
    CatalogItem,
    ExemptionItem,
    Matter,
    MatterCategory,
    MatterChange,
    MatterListVersion,
    PlanItem,
    PlanItemDepartment,
    PlanRevision,
    PlanStep,
)
from plans.snapshots import chinese_date, matter_list_records, percent, plan_item_record, plan_snapshot
from registry.models import Department, ExpertiseTag, SubRegistry, Target, Town

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def _lock_department(department: Department) -> Department:
    """Serialises numbering (matter codes, list versions) per department."""
    return Department.objects.select_for_update().get(pk=department.pk)


def _ratio_problem(value: Decimal | None, *, allow_zero: bool = False) -> str | None:
    if value is None:
        return None
    if value < 0 or value > HUNDRED or (value == 0 and not allow_zero):
        return "比例应大于 0 且不超过 100%。" if not allow_zero else "比例应在 0 到 100% 之间。"
    if value != value.quantize(CENT):  # 5.000 is fine, 5.005 is not
        return "比例最多保留两位小数。"
    return None


def _acting_role(user: User, *preferred: Role) -> str:
    return next((role for role in preferred if user.has_role(role)), ",".join(sorted(user.roles)))


# ---- the provincial list ------------------------------------------------------------------------

CATALOG_LABELS = [
    ("check_type", "抽查类别"),
    ("name", "抽查事项"),
    ("target_scope", "检查对象"),
    ("category", "事项类别"),
    ("methods", "检查方式"),
    ("inspecting_body", "检查主体"),
    ("legal_basis", "检查依据"),
    ("ratio_frequency", "抽查比例和频次"),
    ("note", "备注"),
]
CATALOG_FIELDS = [name for name, _ in CATALOG_LABELS]


def catalog_record(source: CatalogItem | CatalogRow, key: str) -> dict[str, Any]:
    record = {name: getattr(source, name) for name in CATALOG_FIELDS}
    record["key"] = key
    return record


@dataclass
class CatalogPreview:
    """What importing these rows as the next edition would do."""

    number: int
    previous: CatalogEdition | None
    rows: list[CatalogRow]
    keys: list[str]
    diff: RecordDiff


def current_catalog_edition() -> CatalogEdition | None:
    return CatalogEdition.objects.order_by("-number").first()


def _match_keys(previous: Sequence[CatalogItem], rows: Sequence[CatalogRow], number: int) -> list[str]:
    """Carry each item's key across editions: same 抽查类别 and 抽查事项, or failing that the
    same 抽查事项 when exactly one old and one new item have that name (a re-categorised
    item). Everything else is new and gets a key made of this edition's number."""
    keys: list[str | None] = [None] * len(rows)
    by_identity = {(item.check_type, item.name): item.key for item in previous}
    used: set[str] = set()
    for index, row in enumerate(rows):
        key = by_identity.get((row.check_type, row.name))
        if key is not None:
            keys[index] = key
            used.add(key)
    old_by_name: dict[str, list[str]] = defaultdict(list)
    for item in previous:
        if item.key not in used:
            old_by_name[item.name].append(item.key)
    new_by_name: dict[str, int] = defaultdict(int)
    for index, row in enumerate(rows):
        if keys[index] is None:
            new_by_name[row.name] += 1
    for index, row in enumerate(rows):
        if keys[index] is None and len(old_by_name[row.name]) == 1 and new_by_name[row.name] == 1:
            keys[index] = old_by_name[row.name][0]
    counter = 0
    result = []
    for key in keys:
        if key is None:
            counter += 1
            key = f"{number:02d}-{counter:03d}"
        result.append(key)
    return result


def catalog_edition_diff(
    previous: Sequence[CatalogItem], current: Sequence[CatalogItem | CatalogRow], keys: Sequence[str]
) -> RecordDiff:
    return diff_records(
        [catalog_record(item, item.key) for item in previous],
        [catalog_record(item, key) for item, key in zip(current, keys, strict=True)],
        key="key",
        labels=CATALOG_LABELS,
        title="name",
    )


def catalog_import_preview(*, rows: Sequence[CatalogRow]) -> CatalogPreview:
    previous = current_catalog_edition()
    number = previous.number + 1 if previous else 1
    previous_items = list(previous.items.all()) if previous else []
    keys = _match_keys(previous_items, rows, number)
    return CatalogPreview(
        number, previous, list(rows), keys, catalog_edition_diff(previous_items, rows, keys)
    )


def catalog_edition_write(
    *, actor: User | None, title: str, rows: Sequence[CatalogRow], source_name: str = "", note: str = ""
) -> CatalogEdition:
    """Store validated rows as the next edition of the provincial list, all or nothing.

    Records no audit event: the caller does, in the same transaction (`catalog_edition_import`
    below; for an uploaded file, the import framework's batch event, see `plans.imports`)."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": "请填写版本名称，如“2026年版”。"})
    if not rows:
        raise ValidationError("文件中没有事项。")
    try:
        with transaction.atomic():
            preview = catalog_import_preview(rows=rows)
            if preview.previous and not preview.diff.has_changes:
                raise ValidationError(
                    f"与现行版本（第{preview.previous.number}版）相比没有任何变化，无需导入。"
                )
            edition = CatalogEdition.objects.create(
                number=preview.number,
                title=title,
                source_name=source_name[:200],
                note=note[:300],
                imported_by=actor,
                summary=preview.diff.summary(),
            )
            CatalogItem.objects.bulk_create(
                [
                    CatalogItem(
                        edition=edition,
                        key=key,
                        position=position,
                        **{name: getattr(row, name) for name in CATALOG_FIELDS},
                    )
                    for position, (row, key) in enumerate(
                        zip(preview.rows, preview.keys, strict=True), start=1
                    )
                ]
            )
    except IntegrityError as error:
        raise ValidationError("另一次导入刚刚完成，请刷新后重新核对再导入。") from error
    return edition


def catalog_edition_import(
    *, actor: User | None, title: str, rows: Sequence[CatalogRow], source_name: str = "", note: str = ""
) -> CatalogEdition:
    """Import already-cleaned rows as the next edition, with its audit event. The office
    uploads files through the import framework instead (`plans.imports`)."""
    if actor is not None:
        perms.require(perms.is_office(actor), "只有联席会议办公室可以导入省级抽查事项清单。")
    with transaction.atomic():
        edition = catalog_edition_write(
            actor=actor, title=title, rows=rows, source_name=source_name, note=note
        )
        audit_record(
            action="catalog.import",
            actor=actor,
            username="" if actor else "system",
            role=Role.OFFICE if actor else "",
            object_type="省级抽查事项清单",
            object_key=f"第{edition.number}版",
            after={"title": edition.title, "source": source_name, "items": len(rows), **edition.summary},
        )
    return edition


# ---- department matter lists --------------------------------------------------------------------


@dataclass
class MatterData:
    """The editable content of a matter, as a form gives it."""

    check_type: str
    name: str
    target_scope: str
    category: str
    ratio_cap: Decimal | None
    default_ratio: Decimal
    frequency: str
    methods: list[str]
    inspecting_body: str
    legal_basis: str
    note: str = ""
    expertise: list[ExpertiseTag] = field(default_factory=list)

    @classmethod
    def from_catalog(
        cls, item: CatalogItem, *, ratio_cap: Decimal | None, default_ratio: Decimal, frequency: str
    ) -> MatterData:
        return cls(
            check_type=item.check_type,
            name=item.name,
            target_scope=item.target_scope,
            category=item.category,
            ratio_cap=ratio_cap,
            default_ratio=default_ratio,
            frequency=frequency,
            methods=list(item.methods),
            inspecting_body=item.inspecting_body,
            legal_basis=item.legal_basis,
            note=item.note,
        )

    @classmethod
    def from_matter(cls, matter: Matter) -> MatterData:
        return cls(
            **{name: getattr(matter, name) for name in MATTER_TEXT_FIELDS},
            expertise=list(matter.expertise.all()),
        )


MATTER_TEXT_FIELDS = [
    "check_type",
    "name",
    "target_scope",
    "category",
    "ratio_cap",
    "default_ratio",
    "frequency",
    "methods",
    "inspecting_body",
    "legal_basis",
    "note",
]
# The fields that, when they differ from the provincial item, make a claim an adjustment.
CATALOG_CONTENT_FIELDS = [
    "check_type",
    "name",
    "target_scope",
    "category",
    "methods",
    "inspecting_body",
    "legal_basis",
]


def _matter_label(name: str) -> str:
    if name == "expertise":
        return "所需业务专长"
    return str(Matter._meta.get_field(name).verbose_name)


def _matter_display(name: str, value: Any) -> str:
    if name in {"ratio_cap", "default_ratio"}:
        return percent(value) if value is not None else "不设上限"
    if name == "expertise":
        return display_value(sorted(tag.name for tag in value))
    if name == "methods":
        return "、".join(value) or "—"
    return display_value(value)


def _matter_values(data: MatterData) -> dict[str, str]:
    values = {name: _matter_display(name, getattr(data, name)) for name in MATTER_TEXT_FIELDS}
    values["expertise"] = _matter_display("expertise", data.expertise)
    return values


def _changes(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    return {
        _matter_label(name): [before.get(name, "—"), after[name]]
        for name in after
        if before.get(name, "—") != after[name]
    }


def _matter_check(department: Department, data: MatterData, matter: Matter | None = None) -> None:
    errors: dict[str, list[str]] = defaultdict(list)
    for name in ("check_type", "name", "target_scope", "inspecting_body", "legal_basis"):
        if not str(getattr(data, name)).strip():
            errors[name].append("必填，不能为空。")
    if data.category not in MatterCategory.values:
        errors["category"].append("事项类别应为重点或一般。")
    if data.category == MatterCategory.GENERAL and data.ratio_cap is None:
        errors["ratio_cap"].append("一般检查事项必须设置抽查比例上限。")
    if data.category == MatterCategory.KEY and data.ratio_cap is not None:
        errors["ratio_cap"].append("重点检查事项不设抽查比例上限，请清空此项。")
    for name in ("ratio_cap", "default_ratio"):
        problem = _ratio_problem(getattr(data, name))
        if problem:
            errors[name].append(problem)
    if data.default_ratio is None:
        errors["default_ratio"].append("请填写默认抽查比例。")
    elif data.ratio_cap is not None and not errors.get("ratio_cap") and data.default_ratio > data.ratio_cap:
        errors["default_ratio"].append(
            f"默认抽查比例（{percent(data.default_ratio)}）不能高于抽查比例上限（{percent(data.ratio_cap)}）。"
        )
    if not data.methods:
        errors["methods"].append("请至少选择一种检查方式。")
    elif set(data.methods) - set(METHOD_ORDER):
        errors["methods"].append("检查方式应为实地核查、书面检查或网络监测。")
    duplicates = Matter.objects.filter(
        department=department, is_active=True, check_type=data.check_type.strip(), name=data.name.strip()
    )
    if matter is not None:
        duplicates = duplicates.exclude(pk=matter.pk)
    if duplicates.exists():
        errors["name"].append("本部门清单中已有同一抽查类别下的同名事项。")
    if errors:
        raise ValidationError(dict(errors))


def _apply(matter: Matter, data: MatterData) -> None:
    for name in MATTER_TEXT_FIELDS:
        value = getattr(data, name)
        setattr(matter, name, value.strip() if isinstance(value, str) else value)
    matter.methods = [method for method in METHOD_ORDER if method in set(data.methods)]


def _next_matter_code(department: Department) -> str:
    prefix = f"{department.code}-"
    numbers = [
        int(code[len(prefix) :])
        for code in Matter.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        if code[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _audit_matter(action: str, actor: User, matter: Matter, changes: dict, reason: str) -> None:
    audit_record(
        action=f"matter.{action}",
        actor=actor,
        role=_acting_role(actor, Role.DEPT_STAFF, Role.DEPT_HEAD),
        object_type="本部门抽查事项",
        object_key=matter.code,
        after={"name": matter.name, "changes": changes, "reason": reason},
    )


def matter_claim(
    *, actor: User, department: Department, catalog_item: CatalogItem, data: MatterData, reason: str = ""
) -> Matter:
    """Claim (认领) a provincial item into the department's list; content that differs from
    the provincial item is an adjustment and needs a reason."""
    perms.require(perms.may_edit_matters(actor, department), "只有本部门工作人员可以认领本部门的抽查事项。")
    reason = reason.strip()
    current = current_catalog_edition()
    if current is None or catalog_item.edition_id != current.pk:
        raise ValidationError("只能认领现行版本省级清单中的事项。")
    claimed = Matter.objects.filter(department=department, catalog_item__key=catalog_item.key)
    if claimed.filter(is_active=True).exists():
        raise ValidationError("本部门已认领该事项。")
    if claimed.exists():
        raise ValidationError("本部门曾认领该事项，后已移出清单；请在该事项页面恢复。")
    _matter_check(department, data)
    provincial = {name: _matter_display(name, getattr(catalog_item, name)) for name in CATALOG_CONTENT_FIELDS}
    claimed_values = _matter_values(data)
    adjusted = {name for name in CATALOG_CONTENT_FIELDS if provincial[name] != claimed_values[name]}
    if adjusted and not reason:
        labels = "、".join(_matter_label(name) for name in adjusted)
        raise ValidationError({"reason": f"认领时调整了省级清单的{labels}，请说明调整理由。"})
    with transaction.atomic():
        _lock_department(department)
        matter = Matter(department=department, source=Matter.Source.CLAIMED, catalog_item=catalog_item)
        matter.code = _next_matter_code(department)
        _apply(matter, data)
        matter.save()
        matter.expertise.set(data.expertise)
        changes = _changes(provincial, claimed_values)
        MatterChange.objects.create(
            matter=matter, action=MatterChange.Action.CLAIM, user=actor, changes=changes, reason=reason
        )
        _audit_matter("claim", actor, matter, changes, reason)
    return matter


def matter_add_local(*, actor: User, department: Department, data: MatterData, reason: str) -> Matter:
    """A matter the provincial list does not have (本地增设), with the reason for it."""
    perms.require(perms.may_edit_matters(actor, department), "只有本部门工作人员可以增设本部门的抽查事项。")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请说明增设该事项的理由和依据。"})
    _matter_check(department, data)
    with transaction.atomic():
        _lock_department(department)
        matter = Matter(department=department, source=Matter.Source.LOCAL, code=_next_matter_code(department))
        _apply(matter, data)
        matter.save()
        matter.expertise.set(data.expertise)
        changes = _changes({}, _matter_values(data))
        MatterChange.objects.create(
            matter=matter, action=MatterChange.Action.ADD_LOCAL, user=actor, changes=changes, reason=reason
        )
        _audit_matter("add_local", actor, matter, changes, reason)
    return matter


def matter_adjust(
    *, actor: User, matter: Matter, data: MatterData, reason: str, catalog_item: CatalogItem | None = None
) -> Matter:
    """Adjust (调整) a matter; every change keeps who, when, what and why.

    `catalog_item` re-links a claimed matter to the same item in a newer provincial edition.
    """
    perms.require(
        perms.may_edit_matters(actor, matter.department), "只有本部门工作人员可以调整本部门的抽查事项。"
    )
    reason = reason.strip()
    if not matter.is_active:
        raise ValidationError("该事项已移出清单，请先恢复再调整。")
    if not reason:
        raise ValidationError({"reason": "请说明调整理由。"})
    _matter_check(matter.department, data, matter)
    before = _matter_values(MatterData.from_matter(matter))
    changes = _changes(before, _matter_values(data))
    if catalog_item is not None and catalog_item.pk != matter.catalog_item_id:
        if matter.catalog_item is None or catalog_item.key != matter.catalog_item.key:
            raise ValidationError("只能更新为同一省级事项的新版本。")
        changes["省级清单版本"] = [
            f"第{matter.catalog_item.edition.number}版",
            f"第{catalog_item.edition.number}版",
        ]
    if not changes:
        raise ValidationError("没有修改任何内容。")
    with transaction.atomic():
        Matter.objects.select_for_update().filter(pk=matter.pk).values_list("pk", flat=True).get()
        _apply(matter, data)
        if catalog_item is not None:
            matter.catalog_item = catalog_item
        matter.save()
        matter.expertise.set(data.expertise)
        MatterChange.objects.create(
            matter=matter, action=MatterChange.Action.ADJUST, user=actor, changes=changes, reason=reason
        )
        _audit_matter("adjust", actor, matter, changes, reason)
    return matter


def matter_follow_catalog(*, actor: User, matter: Matter, reason: str) -> Matter:
    """Take over the current provincial edition's wording of a claimed item, keeping the
    department's ratios, frequency, expertise and notes."""
    current = current_catalog_edition()
    item = (
        current.items.filter(key=matter.catalog_item.key).first() if current and matter.catalog_item else None
    )
    if item is None:
        raise ValidationError("现行省级清单中没有该事项，无法按新版更新。")
    data = MatterData.from_matter(matter)
    for name in CATALOG_CONTENT_FIELDS:
        setattr(data, name, getattr(item, name))
    if data.category == MatterCategory.KEY:
        data.ratio_cap = None
    elif data.ratio_cap is None:
        data.ratio_cap = parse_ratio_text(item.ratio_frequency).cap
        if data.ratio_cap is None:
            raise ValidationError("现行省级清单将该事项列为一般检查事项，须先通过“调整”设置抽查比例上限。")
        data.default_ratio = min(data.default_ratio, data.ratio_cap)
    return matter_adjust(actor=actor, matter=matter, data=data, reason=reason, catalog_item=item)


def _matter_set_active(*, actor: User, matter: Matter, reason: str, active: bool) -> Matter:
    perms.require(
        perms.may_edit_matters(actor, matter.department), "只有本部门工作人员可以调整本部门的抽查事项。"
    )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请说明理由。"})
    if matter.is_active == active:
        raise ValidationError("该事项已在清单中。" if active else "该事项已移出清单。")
    if active:
        _matter_check(matter.department, MatterData.from_matter(matter), matter)
    with transaction.atomic():
        Matter.objects.filter(pk=matter.pk).update(is_active=active, updated_at=timezone.now())
        matter.is_active = active
        action = MatterChange.Action.RESTORE if active else MatterChange.Action.WITHDRAW
        changes = {"在清单中": ["否", "是"] if active else ["是", "否"]}
        MatterChange.objects.create(matter=matter, action=action, user=actor, changes=changes, reason=reason)
        _audit_matter(action, actor, matter, changes, reason)
    return matter


def matter_withdraw(*, actor: User, matter: Matter, reason: str) -> Matter:
    """Take a matter out of the list. It is kept: plans and results refer to it."""
    return _matter_set_active(actor=actor, matter=matter, reason=reason, active=False)


def matter_restore(*, actor: User, matter: Matter, reason: str) -> Matter:
    return _matter_set_active(actor=actor, matter=matter, reason=reason, active=True)


def matter_list_publish(*, actor: User, department: Department, note: str = "") -> MatterListVersion:
    """Publish the department's current list as a new version the public sees (head only)."""
    perms.require(
        perms.may_publish_matter_list(actor, department), "只有本部门负责人可以公开本部门的抽查事项清单。"
    )
    with transaction.atomic():
        _lock_department(department)
        matters = (
            Matter.objects.filter(department=department, is_active=True)
            .select_related("catalog_item")
            .prefetch_related("expertise")
            .order_by("code")
        )
        records = matter_list_records(matters)
        if not records:
            raise ValidationError("清单中没有事项，不能公开。")
        latest = department.matter_list_versions.order_by("-number").first()
        if latest is not None and latest.matters == records:
            raise ValidationError(f"清单自第{latest.number}版公开以来没有变化，无需重新公开。")
        version = MatterListVersion.objects.create(
            department=department,
            number=latest.number + 1 if latest else 1,
            published_by=actor,
            note=note.strip(),
            matters=records,
        )
        audit_record(
            action="matter_list.publish",
            actor=actor,
            role=Role.DEPT_HEAD,
            object_type="抽查事项清单",
            object_key=f"{department.code} 第{version.number}版",
            after={"matters": len(records), "note": version.note},
        )
    return version


# ---- the no-penalty list -----------------------------------------------------------------------

EXEMPTION_FIELDS = ["department", "description", "legal_basis", "conditions", "is_active"]


def _exemption_snapshot(item: ExemptionItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "department": item.department.code,
        "description": item.description,
        "legal_basis": item.legal_basis,
        "conditions": item.conditions,
        "is_active": item.is_active,
    }


def exemption_save(
    *,
    actor: User,
    item: ExemptionItem | None,
    code: str,
    department: Department,
    description: str,
    legal_basis: str,
    conditions: str,
    is_active: bool = True,
) -> ExemptionItem:
    perms.require(perms.may_edit_exemptions(actor), "只有联席会议办公室可以维护轻微违法免罚清单。")
    code = code.strip().upper()
    errors: dict[str, str] = {}
    if not re.fullmatch(r"[A-Z0-9-]{1,20}", code):
        errors["code"] = "编号只能包含字母、数字和连字符，不超过 20 个字符。"
    elif ExemptionItem.objects.filter(code=code).exclude(pk=item.pk if item else None).exists():
        errors["code"] = "该编号已被使用。"
    for name, value in (
        ("description", description),
        ("legal_basis", legal_basis),
        ("conditions", conditions),
    ):
        if not value.strip():
            errors[name] = "必填，不能为空。"
    if errors:
        raise ValidationError(errors)
    before = _exemption_snapshot(item) if item else None
    with transaction.atomic():
        item = item or ExemptionItem()
        item.code, item.department, item.is_active = code, department, is_active
        item.description, item.legal_basis, item.conditions = (
            description.strip(),
            legal_basis.strip(),
            conditions.strip(),
        )
        item.save()
        audit_record(
            action="exemption.create" if before is None else "exemption.update",
            actor=actor,
            role=Role.OFFICE,
            object_type="轻微违法免罚清单事项",
            object_key=item.code,
            before=before,
            after=_exemption_snapshot(item),
        )
    return item


# ---- annual plans --------------------------------------------------------------------------------

PLAN_OBJECT_TYPE = "年度抽查计划"


def _plan_key(plan: AnnualPlan) -> str:
    return f"{plan.year}-{'joint' if plan.is_joint else plan.department.code}"


def _step(plan: AnnualPlan, action: str, actor: User, comment: str = "") -> None:
    PlanStep.objects.create(plan=plan, action=action, revision=plan.revision, user=actor, comment=comment)


def _lock_plan(plan: AnnualPlan) -> AnnualPlan:
    """Lock the plan's row for this transaction and bring the caller's instance up to date,
    so that every check after it sees the committed state and the caller sees the result."""
    AnnualPlan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True).get()
    plan.refresh_from_db()
    return plan


def _refuse_status(plan: AnnualPlan, allowed: set[str], doing: str) -> None:
    if plan.status not in allowed:
        raise ValidationError(f"计划当前为“{plan.get_status_display()}”，不能{doing}。")


def plan_create(*, actor: User, scope: str, year: int, title: str = "", description: str = "") -> AnnualPlan:
    if scope == AnnualPlan.Scope.JOINT:
        perms.require(perms.is_office(actor), "只有联席会议办公室可以制定区联合抽查年度计划。")
        department = Department.objects.get(is_office=True)
        default_title = f"罗庄区{year}年度部门联合随机抽查计划"
    else:
        department = actor.department
        perms.require(
            perms.is_department_member(actor, department), "只有部门工作人员可以制定本部门年度计划。"
        )
        default_title = f"{department.name}{year}年度随机抽查工作计划"
    if not 2019 <= year <= 2100:
        raise ValidationError({"year": "计划年度应在 2019 年至 2100 年之间。"})
    exists = AnnualPlan.objects.filter(scope=scope, year=year)
    if scope == AnnualPlan.Scope.DEPARTMENT:
        exists = exists.filter(department=department)
    if exists.exists():
        raise ValidationError({"year": f"{year}年度的计划已经存在。"})
    try:
        with transaction.atomic():
            plan = AnnualPlan.objects.create(
                scope=scope,
                year=year,
                department=department,
                title=title.strip() or default_title,
                description=description.strip(),
                created_by=actor,
            )
            _step(plan, PlanStep.Action.CREATE, actor)
            audit_record(
                action="plan.create",
                actor=actor,
                role=_acting_role(actor, Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD),
                object_type=PLAN_OBJECT_TYPE,
                object_key=_plan_key(plan),
                after={"title": plan.title, "scope": scope, "year": year},
            )
    except IntegrityError as error:
        raise ValidationError({"year": f"{year}年度的计划已经存在。"}) from error
    return plan


def _require_editable(actor: User, plan: AnnualPlan) -> None:
    perms.require(perms.may_edit_plan(actor, plan), "您无权修改该年度计划。")
    plan.refresh_from_db(fields=["status"])
    if not plan.is_editable:
        raise ValidationError(
            f"计划当前为“{plan.get_status_display()}”，不能修改；如需调整，请先“发起调整”并说明理由。"
        )


def plan_update(*, actor: User, plan: AnnualPlan, title: str, description: str) -> AnnualPlan:
    _require_editable(actor, plan)
    if not title.strip():
        raise ValidationError({"title": "请填写计划名称。"})
    with transaction.atomic():
        plan = _lock_plan(plan)
        _require_editable(actor, plan)
        before = {"title": plan.title, "description": plan.description}
        plan.title, plan.description = title.strip(), description.strip()
        plan.save(update_fields=["title", "description", "updated_at"])
        audit_record(
            action="plan.update",
            actor=actor,
            role=_acting_role(actor, Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD),
            object_type=PLAN_OBJECT_TYPE,
            object_key=_plan_key(plan),
            before=before,
            after={"title": plan.title, "description": plan.description},
        )
    return plan


@dataclass
class PlanItemData:
    """A plan item as the form gives it. `participants` are in order, each with the
    matters it contributes from its own list; the initiator's matters are separate."""

    title: str
    initiator: Department
    initiator_matters: list[Matter]
    participants: list[tuple[Department, list[Matter]]]
    form: str
    methods: list[str]
    sub_registries: list[SubRegistry]
    towns: list[Town] = field(default_factory=list)
    target_kinds: list[str] = field(default_factory=list)
    industry_prefixes: list[str] = field(default_factory=list)
    sampling: str = PlanItem.Sampling.RATIO
    ratio: Decimal | None = None
    ratio_a: Decimal | None = None
    ratio_b: Decimal | None = None
    ratio_c: Decimal | None = None
    ratio_d: Decimal | None = None
    target_count: int | None = None
    frequency: str = "每年1次"
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    batch_size: int | None = None
    note: str = ""

    @classmethod
    def from_item(cls, item: PlanItem) -> PlanItemData:
        roles = list(
            item.departments.select_related("department").prefetch_related("matters").order_by("order")
        )
        initiator_role = next((role for role in roles if role.is_initiator), None)
        return cls(
            title=item.title,
            initiator=item.initiator,
            initiator_matters=list(initiator_role.matters.all()) if initiator_role else [],
            participants=[
                (role.department, list(role.matters.all())) for role in roles if not role.is_initiator
            ],
            form=item.form,
            methods=list(item.methods),
            sub_registries=list(item.sub_registries.all()),
            towns=list(item.towns.all()),
            target_kinds=list(item.target_kinds),
            industry_prefixes=list(item.industry_prefixes),
            sampling=item.sampling,
            ratio=item.ratio,
            ratio_a=item.ratio_a,
            ratio_b=item.ratio_b,
            ratio_c=item.ratio_c,
            ratio_d=item.ratio_d,
            target_count=item.target_count,
            frequency=item.frequency,
            start_date=item.start_date,
            end_date=item.end_date,
            batch_size=item.batch_size,
            note=item.note,
        )

    def all_matters(self) -> list[Matter]:
        return [*self.initiator_matters, *(matter for _, matters in self.participants for matter in matters)]


RISK_LABELS = {"ratio_a": "A类", "ratio_b": "B类", "ratio_c": "C类", "ratio_d": "D类"}
_INDUSTRY_PREFIX = re.compile(r"[A-T]?[0-9]{0,4}")


def _normalise_sampling(data: PlanItemData) -> None:
    """Keep only the figures the chosen way of sampling uses."""
    if data.sampling != PlanItem.Sampling.RATIO:
        data.ratio = None
    if data.sampling != PlanItem.Sampling.RISK_RATIO:
        data.ratio_a = data.ratio_b = data.ratio_c = data.ratio_d = None
    if data.sampling != PlanItem.Sampling.COUNT:
        data.target_count = None


def plan_item_problems(plan: AnnualPlan, data: PlanItemData) -> dict[str, list[str]]:
    """Every reason the item cannot stand, keyed by form field; empty when it is valid."""
    return item_problems(data, year=plan.year, plan_department=None if plan.is_joint else plan.department)


def item_problems(
    data: PlanItemData, *, year: int, plan_department: Department | None = None
) -> dict[str, list[str]]:
    """The rules a planned task and a special task (专项) share: departments and their
    matters, scope, sampling within the general matters' caps, a window inside `year`.
    `plan_department` is the owner of a department plan, whose tasks it must initiate."""
    errors: dict[str, list[str]] = defaultdict(list)
    if not data.title.strip():
        errors["title"].append("请填写任务名称。")
    if data.form not in PlanItem.Form.values:
        errors["form"].append("请选择抽查形式。")
    if not data.methods:
        errors["methods"].append("请至少选择一种检查方式。")
    elif set(data.methods) - set(METHOD_ORDER):
        errors["methods"].append("检查方式应为实地核查、书面检查或网络监测。")

    # Departments and their matters.
    if plan_department is not None and data.initiator.pk != plan_department.pk:
        errors["initiator"].append(f"部门年度计划的发起部门只能是{plan_department.short_name}。")
    if not data.initiator.is_active:
        errors["initiator"].append(f"{data.initiator.short_name}已停用，不能作为发起部门。")
    if not data.initiator_matters:
        errors["initiator_matters"].append(f"发起部门“{data.initiator.short_name}”未选择抽查事项。")
    seen = {data.initiator.pk}
    for department, matters in data.participants:
        if department.pk == data.initiator.pk:
            errors["participants"].append(f"“{department.short_name}”已是发起部门，不能同时作为参与部门。")
        elif department.pk in seen:
            errors["participants"].append(f"参与部门“{department.short_name}”重复。")
        elif not department.is_active:
            errors["participants"].append(f"{department.short_name}已停用，不能作为参与部门。")
        elif not matters:
            errors["participants"].append(f"参与部门“{department.short_name}”未选择抽查事项。")
        seen.add(department.pk)
    for department, matters in [(data.initiator, data.initiator_matters), *data.participants]:
        for matter in matters:
            key = "initiator_matters" if department.pk == data.initiator.pk else "participants"
            if matter.department_id != department.pk:
                errors[key].append(f"“{matter.name}”不是{department.short_name}清单中的事项。")
            elif not matter.is_active:
                errors[key].append(
                    f"{department.short_name}的事项“{matter.name}”已移出清单，请改选其他事项。"
                )

    # Target scope.
    if not data.sub_registries:
        errors["sub_registries"].append("请至少选择一个检查对象名录库分库。")
    unknown_kinds = set(data.target_kinds) - set(Target.Kind.values)
    if unknown_kinds:
        errors["target_kinds"].append(f"无法识别的对象类型：{'、'.join(sorted(unknown_kinds))}。")
    for prefix in data.industry_prefixes:
        if not prefix or not _INDUSTRY_PREFIX.fullmatch(prefix):
            errors["industry_prefixes"].append(
                f"行业代码前缀“{prefix}”格式不正确：应为门类字母和（或）数字，如 F52、5211。"
            )

    # Sampling, and the caps of the general matters.
    if data.sampling not in PlanItem.Sampling.values:
        errors["sampling"].append("请选择抽取方式。")
    if data.form == PlanItem.Form.RISK_BASED and data.sampling != PlanItem.Sampling.RISK_RATIO:
        errors["sampling"].append("风险分类联查须按信用风险分类分别设置抽查比例。")
    ratios: dict[str, Decimal] = {}
    if data.sampling == PlanItem.Sampling.RATIO:
        if data.ratio is None:
            errors["ratio"].append("请填写抽查比例。")
        elif problem := _ratio_problem(data.ratio):
            errors["ratio"].append(problem)
        else:
            ratios["ratio"] = data.ratio
    elif data.sampling == PlanItem.Sampling.RISK_RATIO:
        for name, label in RISK_LABELS.items():
            value = getattr(data, name)
            if value is None:
                errors[name].append(f"请填写{label}企业的抽查比例（不抽查填 0）。")
            elif problem := _ratio_problem(value, allow_zero=True):
                errors[name].append(problem)
            else:
                ratios[name] = value
        if len(ratios) == len(RISK_LABELS) and not any(ratios.values()):
            errors["ratio_a"].append("各类比例不能都为 0。")
    elif data.sampling == PlanItem.Sampling.COUNT and (not data.target_count or data.target_count < 1):
        errors["target_count"].append("抽取户数应为正整数。")
    general = [matter for matter in data.all_matters() if matter.is_general and matter.ratio_cap is not None]
    if general and ratios:
        strictest = min(general, key=lambda matter: (matter.ratio_cap, matter.code))
        for name, value in ratios.items():
            if value > strictest.ratio_cap:
                label = RISK_LABELS.get(name, "")
                errors[name].append(
                    f"{label}抽查比例 {percent(value)} 超过一般检查事项“{strictest.name}”"
                    f"（{strictest.department.short_name}）的比例上限 {percent(strictest.ratio_cap)}。"
                )

    # The time window and batches.
    if data.start_date is None:
        errors["start_date"].append("请填写开始日期。")
    if data.end_date is None:
        errors["end_date"].append("请填写结束日期。")
    if data.start_date and data.end_date:
        if data.end_date < data.start_date:
            errors["end_date"].append("结束日期不能早于开始日期。")
        for name, day in (("start_date", data.start_date), ("end_date", data.end_date)):
            if day.year != year:
                errors[name].append(f"起止时间须在计划年度（{year}年）内。")
    if data.batch_size is not None and data.batch_size < 1:
        errors["batch_size"].append("每批户数应为正整数；不分批请留空。")
    return dict(errors)


def _plan_item_write(item: PlanItem, data: PlanItemData) -> None:
    for name in (
        "title",
        "initiator",
        "form",
        "sampling",
        "ratio",
        "ratio_a",
        "ratio_b",
        "ratio_c",
        "ratio_d",
        "target_count",
        "start_date",
        "end_date",
        "batch_size",
    ):
        setattr(item, name, getattr(data, name))
    item.title, item.note, item.frequency = data.title.strip(), data.note.strip(), data.frequency.strip()
    item.methods = [method for method in METHOD_ORDER if method in set(data.methods)]
    item.target_kinds = [kind for kind in Target.Kind.values if kind in set(data.target_kinds)]
    item.industry_prefixes = sorted(set(data.industry_prefixes))
    item.save()
    item.sub_registries.set(data.sub_registries)
    item.towns.set(data.towns)
    item.departments.all().delete()
    for order, (department, matters) in enumerate(
        [(data.initiator, data.initiator_matters), *data.participants]
    ):
        role = PlanItemDepartment.objects.create(plan_item=item, department=department, order=order)
        role.matters.set(matters)


def plan_item_save(*, actor: User, plan: AnnualPlan, item: PlanItem | None, data: PlanItemData) -> PlanItem:
    """Add or change one planned task of a plan in draft."""
    _require_editable(actor, plan)
    _normalise_sampling(data)
    problems = plan_item_problems(plan, data)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        plan = _lock_plan(plan)
        _require_editable(actor, plan)
        before = plan_item_record(item) if item else None
        if item is None:
            position = (plan.items.aggregate(last=Max("position"))["last"] or 0) + 1
            item = PlanItem(plan=plan, position=position)
        _plan_item_write(item, data)
        audit_record(
            action="plan_item.create" if before is None else "plan_item.update",
            actor=actor,
            role=_acting_role(actor, Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD),
            object_type="年度计划抽查任务",
            object_key=f"{_plan_key(plan)}#{item.position}",
            before=before,
            after=plan_item_record(item),
        )
    return item


def plan_item_delete(*, actor: User, plan: AnnualPlan, item: PlanItem) -> None:
    _require_editable(actor, plan)
    with transaction.atomic():
        plan = _lock_plan(plan)
        _require_editable(actor, plan)
        before = plan_item_record(item)
        key = f"{_plan_key(plan)}#{item.position}"
        position = item.position
        item.delete()
        for later in plan.items.filter(position__gt=position).order_by("position"):
            later.position -= 1
            later.save(update_fields=["position"])
        audit_record(
            action="plan_item.delete",
            actor=actor,
            role=_acting_role(actor, Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD),
            object_type="年度计划抽查任务",
            object_key=key,
            before=before,
        )


def plan_problems(plan: AnnualPlan) -> list[str]:
    """Everything that stops a plan from going forward, as sentences naming the task."""
    items = list(plan.items.select_related("initiator").order_by("position"))
    if not items:
        return ["计划中还没有抽查任务。"]
    messages = []
    for item in items:
        for errors in plan_item_problems(plan, PlanItemData.from_item(item)).values():
            messages.extend(f"任务{item.position}“{item.title}”：{error}" for error in errors)
    return messages


def _require_valid(plan: AnnualPlan) -> None:
    problems = plan_problems(plan)
    if problems:
        raise ValidationError(problems)


def _audit_plan(
    action: str, actor: User, role: str, plan: AnnualPlan, before_status: str, **extra: Any
) -> None:
    audit_record(
        action=f"plan.{action}",
        actor=actor,
        role=role,
        object_type=PLAN_OBJECT_TYPE,
        object_key=_plan_key(plan),
        before={"status": before_status},
        after={"status": plan.status, "revision": plan.revision, **extra},
    )


def plan_submit(*, actor: User, plan: AnnualPlan) -> AnnualPlan:
    """The department head submits the department's plan to the office for filing (报备)."""
    perms.require(perms.may_submit_plan(actor, plan), "只有本部门负责人可以报送本部门年度计划。")
    with transaction.atomic():
        plan = _lock_plan(plan)
        _refuse_status(plan, set(AnnualPlan.EDITABLE), "报送")
        _require_valid(plan)
        before = plan.status
        plan.status = AnnualPlan.Status.SUBMITTED
        plan.submitted_at = timezone.now()
        plan.save(update_fields=["status", "submitted_at", "updated_at"])
        _step(plan, PlanStep.Action.SUBMIT, actor)
        notice_events.plan_submitted(plan=plan, actor=actor)
        _audit_plan("submit", actor, Role.DEPT_HEAD, plan, before)
    return plan


def plan_return(*, actor: User, plan: AnnualPlan, comment: str) -> AnnualPlan:
    """The office returns a submitted department plan with comments."""
    perms.require(perms.may_review_plan(actor, plan), "只有联席会议办公室可以退回部门年度计划。")
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": "请填写退回意见。"})
    with transaction.atomic():
        plan = _lock_plan(plan)
        _refuse_status(plan, {AnnualPlan.Status.SUBMITTED}, "退回")
        plan.status = AnnualPlan.Status.RETURNED
        plan.return_comment = comment
        plan.save(update_fields=["status", "return_comment", "updated_at"])
        _step(plan, PlanStep.Action.RETURN, actor, comment)
        notice_events.plan_returned(plan=plan, actor=actor)
        _audit_plan("return", actor, Role.OFFICE, plan, AnnualPlan.Status.SUBMITTED, comment=comment)
    return plan


def _freeze(plan: AnnualPlan, actor: User) -> PlanRevision:
    return PlanRevision.objects.create(
        plan=plan,
        number=plan.revision,
        reason=plan.revision_reason,
        snapshot=plan_snapshot(plan),
        frozen_by=actor,
    )


def plan_file(*, actor: User, plan: AnnualPlan) -> PlanRevision:
    """The office files (备案) a submitted department plan; the filed content is frozen."""
    perms.require(perms.may_review_plan(actor, plan), "只有联席会议办公室可以对部门年度计划备案。")
    with transaction.atomic():
        plan = _lock_plan(plan)
        _refuse_status(plan, {AnnualPlan.Status.SUBMITTED}, "备案")
        plan.status = AnnualPlan.Status.FILED
        plan.return_comment = ""
        if plan.first_filed_at is None:
            plan.first_filed_at = timezone.now()
            plan.filed_submission_at = plan.submitted_at
        plan.save()
        revision = _freeze(plan, actor)
        _step(plan, PlanStep.Action.FILE, actor)
        _audit_plan("file", actor, Role.OFFICE, plan, AnnualPlan.Status.SUBMITTED)
    return revision


def plan_approve(*, actor: User, plan: AnnualPlan, meeting: str, meeting_date: datetime.date) -> PlanRevision:
    """The office records the joint meeting's approval of the district joint plan."""
    perms.require(perms.may_approve_plan(actor, plan), "只有联席会议办公室可以登记联合计划的审议结果。")
    meeting = meeting.strip()
    errors = {}
    if not meeting:
        errors["meeting"] = "请填写审议该计划的会议，如“2026年第1次联席会议”。"
    if meeting_date is None:
        errors["meeting_date"] = "请填写审议日期。"
    elif meeting_date > timezone.localdate():
        errors["meeting_date"] = "审议日期不能晚于今天。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = _lock_plan(plan)
        _refuse_status(plan, {AnnualPlan.Status.DRAFT}, "登记审议结果")
        _require_valid(plan)
        plan.status = AnnualPlan.Status.APPROVED
        plan.meeting, plan.meeting_date = meeting, meeting_date
        if plan.first_filed_at is None:
            plan.first_filed_at = timezone.now()
        plan.save()
        revision = _freeze(plan, actor)
        _step(plan, PlanStep.Action.APPROVE, actor, f"{meeting}（{chinese_date(meeting_date)}）")
        _audit_plan(
            "approve",
            actor,
            Role.OFFICE,
            plan,
            AnnualPlan.Status.DRAFT,
            meeting=meeting,
            meeting_date=meeting_date,
        )
    return revision


def plan_publish(*, actor: User, plan: AnnualPlan) -> PlanRevision:
    """Make the filed (or approved) revision public."""
    perms.require(
        perms.may_publish_plan(actor, plan),
        "只有联席会议办公室可以公开联合计划。"
        if plan.is_joint
        else "只有本部门负责人可以公开本部门年度计划。",
    )
    ready = AnnualPlan.Status.APPROVED if plan.is_joint else AnnualPlan.Status.FILED
    with transaction.atomic():
        plan = _lock_plan(plan)
        _refuse_status(plan, {ready}, "公开")
        revision = PlanRevision.objects.select_for_update().get(plan=plan, number=plan.revision)
        revision.published_at, revision.published_by = timezone.now(), actor
        revision.save(update_fields=["published_at", "published_by"])
        before = plan.status
        plan.status = AnnualPlan.Status.PUBLISHED
        plan.save(update_fields=["status", "updated_at"])
        _step(plan, PlanStep.Action.PUBLISH, actor)
        _audit_plan("publish", actor, Role.OFFICE if plan.is_joint else Role.DEPT_HEAD, plan, before)
    return revision


def plan_revise(*, actor: User, plan: AnnualPlan, reason: str) -> AnnualPlan:
    """Open a filed or published plan for adjustment (动态调整): a new revision, with a reason.
    What was filed and published stays as it was until the new revision is filed."""
    perms.require(perms.may_edit_plan(actor, plan), "您无权调整该年度计划。")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请说明调整理由。"})
    with transaction.atomic():
        plan = _lock_plan(plan)
        _refuse_status(
            plan,
            {AnnualPlan.Status.FILED, AnnualPlan.Status.APPROVED, AnnualPlan.Status.PUBLISHED},
            "发起调整（只有已备案、已审议或已公开的计划需要发起调整，草稿可直接修改）",
        )
        before = plan.status
        plan.status = AnnualPlan.Status.DRAFT
        plan.revision = plan.revisions.aggregate(last=Max("number"))["last"] + 1
        plan.revision_reason = reason
        plan.return_comment = ""
        plan.save()
        _step(plan, PlanStep.Action.REVISE, actor, reason)
        _audit_plan(
            "revise",
            actor,
            _acting_role(actor, Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD),
            plan,
            before,
            reason=reason,
        )
    return plan


# ---- staff exports ----------------------------------------------------------------------------------
# A file taken out of the system is recorded in the trail (every export is audited). The
# public downloads of published versions are open data for anyone and are not.

EXPORT_ROLES = (Role.OFFICE, Role.DEPT_HEAD, Role.DEPT_STAFF)


def _audit_export(actor: User, object_type: str, object_key: str, filename: str) -> None:
    with transaction.atomic():
        audit_record(
            action="plans.export",
            actor=actor,
            role=_acting_role(actor, *EXPORT_ROLES),
            object_type=object_type,
            object_key=object_key,
            after={"file": filename},
        )


def matter_list_export_record(*, actor: User, department: Department, filename: str) -> None:
    """Record that `actor` exported the working copy of the department's matter list."""
    perms.require(perms.may_view_matters(actor, department), "您无权导出该部门的抽查事项清单。")
    _audit_export(actor, "抽查事项清单", f"{department.code} 工作稿", filename)


def plan_export_record(
    *, actor: User, plan: AnnualPlan, filename: str, revision: PlanRevision | None = None
) -> None:
    """Record that `actor` exported the plan's working copy, or one of its frozen revisions."""
    perms.require(perms.may_view_plan(actor, plan), "您无权导出该年度计划。")
    version = f"第{revision.number}版" if revision else "工作稿"
    _audit_export(actor, PLAN_OBJECT_TYPE, f"{_plan_key(plan)} {version}", filename)
