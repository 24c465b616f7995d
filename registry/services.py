from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from inspections.models import ResultCode
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from registry import credit_code
from registry.models import (
    ConflictOfInterest,
    Department,
    ExpertiseTag,
    Inspector,
    InspectorUnavailability,
    SubRegistry,
    SubRegistryMembership,
    Target,
    TargetChange,
    Town,
)

DATA_DIR = Path(settings.BASE_DIR) / "data"


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(handle)]


@dataclass(frozen=True)
class ReferenceLoadReport:
    departments: int
    towns: int
    result_codes: int


@transaction.atomic
def reference_data_load() -> ReferenceLoadReport:
    """Create the reference rows shipped in data/ that are missing.

    Rows already present are left as they are: the office edits them in the product, and
    re-running the loader (every `make run` does) must not undo those edits.
    """
    created_departments = 0
    for row in _read_csv("departments.csv"):
        _, created = Department.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "short_name": row["short_name"],
                "is_office": row["is_office"].lower() == "true",
                "note": row["note"],
            },
        )
        created_departments += created
    created_towns = 0
    for row in _read_csv("towns.csv"):
        _, created = Town.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"], "kind": row["kind"]}
        )
        created_towns += created
    created_codes = 0
    for row in _read_csv("result_codes.csv"):
        _, created = ResultCode.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"], "outcome": row["outcome"], "note": row["note"]}
        )
        created_codes += created
    if created_departments or created_towns or created_codes:
        audit_record(
            action="reference.load",
            username="system",
            object_type="参考数据",
            after={"departments": created_departments, "towns": created_towns, "result_codes": created_codes},
        )
    return ReferenceLoadReport(created_departments, created_towns, created_codes)


def office_department() -> Department:
    return Department.objects.get(is_office=True)


def department_snapshot(department: Department) -> dict:
    return {
        "code": department.code,
        "name": department.name,
        "short_name": department.short_name,
        "is_active": department.is_active,
        "note": department.note,
    }


def department_save(
    *,
    actor: User,
    department: Department | None,
    code: str,
    name: str,
    short_name: str,
    is_active: bool,
    note: str = "",
) -> Department:
    """Create or edit a member department (the office keeps the list)."""
    if department is None:
        if Department.objects.filter(code=code).exists():
            raise ValidationError({"code": "该单位代码已存在。"})
        department = Department(code=code)
        before = None
    else:
        before = department_snapshot(department)
        if department.is_office and not is_active:
            raise ValidationError({"is_active": "联席会议办公室所在单位不能停用。"})
    if Department.objects.filter(name=name).exclude(pk=department.pk).exists():
        raise ValidationError({"name": "该单位名称已存在。"})
    with transaction.atomic():
        department.name, department.short_name, department.is_active, department.note = (
            name,
            short_name,
            is_active,
            note,
        )
        department.save()
        audit_record(
            action="department.create" if before is None else "department.update",
            actor=actor,
            role=Role.OFFICE,
            object_type="成员单位",
            object_key=department.code,
            before=before,
            after=department_snapshot(department),
        )
    return department


# ---- targets (检查对象) ---------------------------------------------------------------------

TARGET_FIELDS = (
    "name",
    "kind",
    "legal_representative",
    "address",
    "town",
    "industry_code",
    "status",
    "risk_class",
    "address_unreachable",
)


def target_snapshot(target: Target) -> dict[str, Any]:
    """A target's fields as history and the audit trail store them (the town by name)."""
    values = {name: getattr(target, name) for name in TARGET_FIELDS if name != "town"}
    values["town"] = target.town.name if target.town_id else ""
    return {"code": target.code, **values}


def target_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), after[name]] for name in TARGET_FIELDS if before.get(name) != after[name]
    }


def target_next_key(kind: str) -> str:
    """A stable key for a product, project or site: never 18 characters (see DRAW_PROTOCOL.md)."""
    prefix = {Target.Kind.PRODUCT: "CP", Target.Kind.PROJECT: "XM", Target.Kind.SITE: "CS"}[kind]
    number = Target.objects.filter(code__startswith=f"{prefix}-").count() + 1
    while Target.objects.filter(code=f"{prefix}-{number:06d}").exists():
        number += 1
    return f"{prefix}-{number:06d}"


def target_save(
    *,
    actor: User,
    target: Target | None,
    code: str,
    data: dict[str, Any],
    note: str = "",
) -> Target:
    """Create or edit a master target record (the office only); history and audit in one go.

    `data` holds TARGET_FIELDS (town as a Town or None). A change of credit-risk class by
    hand is an office override and needs a reason (`note`).
    """
    creating = target is None
    if creating:
        if Target.objects.filter(code=code).exists():
            raise ValidationError({"code": "该统一社会信用代码（对象标识）已在名录库中。"})
        target = Target(code=code)
        before: dict[str, Any] = {}
    else:
        before = target_snapshot(target)
        if data["risk_class"] != target.risk_class and not note.strip():
            raise ValidationError({"note": "调整信用风险分类须写明理由。"})
    for name in TARGET_FIELDS:
        setattr(target, name, data[name])
    after = target_snapshot(target)
    changes = target_diff(before, after)
    if not creating and not changes:
        return target
    with transaction.atomic():
        target.save()
        # History records changes; a creation is in the audit trail and the target's created_at.
        if not creating:
            TargetChange.objects.create(
                target=target,
                user=actor,
                source=TargetChange.Source.MANUAL,
                changes=changes,
                note=note.strip()[:300],
            )
        audit_record(
            action="target.create" if creating else "target.update",
            actor=actor,
            role=Role.OFFICE,
            object_type="检查对象",
            object_key=target.code,
            before=before or None,
            after=after | ({"note": note.strip()} if note.strip() else {}),
        )
    return target


# ---- sub-registries (分库) ------------------------------------------------------------------


def _department_role(actor: User) -> str:
    for role in (Role.DEPT_STAFF, Role.DEPT_HEAD, Role.OFFICE):
        if actor.has_role(role):
            return role
    return ""


def sub_registry_save(
    *, actor: User, sub_registry: SubRegistry | None, name: str, description: str
) -> SubRegistry:
    """Create (in the actor's department) or rename a sub-registry."""
    department_id = sub_registry.department_id if sub_registry else actor.department_id
    name = name.strip()
    if (
        SubRegistry.objects.filter(department_id=department_id, name=name)
        .exclude(pk=sub_registry.pk if sub_registry else None)
        .exists()
    ):
        raise ValidationError({"name": "本部门已有同名分库。"})
    before = {"name": sub_registry.name, "description": sub_registry.description} if sub_registry else None
    with transaction.atomic():
        if sub_registry is None:
            sub_registry = SubRegistry.objects.create(
                department_id=department_id, name=name, description=description
            )
        else:
            sub_registry.name, sub_registry.description = name, description
            sub_registry.save(update_fields=["name", "description"])
        audit_record(
            action="sub_registry.create" if before is None else "sub_registry.update",
            actor=actor,
            role=_department_role(actor),
            object_type="名录库分库",
            object_key=str(sub_registry.pk),
            before=before,
            after={"department": sub_registry.department.code, "name": name, "description": description},
        )
    return sub_registry


def sub_registry_delete(*, actor: User, sub_registry: SubRegistry) -> None:
    """Delete a sub-registry and its memberships (the targets themselves stay)."""
    with transaction.atomic():
        members = sub_registry.memberships.count()
        snapshot = {"department": sub_registry.department.code, "name": sub_registry.name, "members": members}
        try:
            sub_registry.delete()
        except ProtectedError:
            raise ValidationError("该分库已被抽查计划或任务引用，不能删除。") from None
        audit_record(
            action="sub_registry.delete",
            actor=actor,
            role=_department_role(actor),
            object_type="名录库分库",
            object_key=snapshot["name"],
            before=snapshot,
        )


@dataclass(frozen=True)
class MembershipChange:
    added: int
    already: int
    unknown: list[str]
    invalid: list[str]


def sub_registry_add_targets(*, actor: User, sub_registry: SubRegistry, codes: list[str]) -> MembershipChange:
    """Add targets by code. Unknown codes are reported, not created: the office keeps the master."""
    normalised: list[str] = []
    invalid: list[str] = []
    for raw in codes:
        code = credit_code.normalise(raw)
        if not code:
            continue
        if len(code) == 18 and credit_code.problem(code):
            invalid.append(raw.strip())
        else:
            normalised.append(code if len(code) == 18 else raw.strip())
    found = dict(Target.objects.filter(code__in=normalised).values_list("code", "pk"))
    unknown = [code for code in dict.fromkeys(normalised) if code not in found]
    existing = set(
        sub_registry.memberships.filter(target_id__in=found.values()).values_list("target_id", flat=True)
    )
    to_add = [pk for pk in dict.fromkeys(found.values()) if pk not in existing]
    with transaction.atomic():
        SubRegistryMembership.objects.bulk_create(
            [SubRegistryMembership(sub_registry=sub_registry, target_id=pk) for pk in to_add],
            ignore_conflicts=True,
        )
        if to_add:
            audit_record(
                action="sub_registry.add_targets",
                actor=actor,
                role=_department_role(actor),
                object_type="名录库分库",
                object_key=str(sub_registry.pk),
                after={
                    "name": sub_registry.name,
                    "added": [c for c, pk in found.items() if pk in set(to_add)],
                },
            )
    return MembershipChange(len(to_add), len(existing), unknown, invalid)


def sub_registry_remove_target(*, actor: User, sub_registry: SubRegistry, target: Target) -> None:
    with transaction.atomic():
        deleted, _ = SubRegistryMembership.objects.filter(sub_registry=sub_registry, target=target).delete()
        if deleted:
            audit_record(
                action="sub_registry.remove_target",
                actor=actor,
                role=_department_role(actor),
                object_type="名录库分库",
                object_key=str(sub_registry.pk),
                before={"name": sub_registry.name, "target": target.code},
            )


# ---- inspectors (执法检查人员) --------------------------------------------------------------

INSPECTOR_FIELDS = (
    "name",
    "category",
    "organisation",
    "certificate_number",
    "certificate_valid_until",
    "is_active",
    "phone",
)


def inspector_snapshot(inspector: Inspector) -> dict[str, Any]:
    values = {name: getattr(inspector, name) for name in INSPECTOR_FIELDS}
    values["certificate_valid_until"] = (
        inspector.certificate_valid_until.isoformat() if inspector.certificate_valid_until else None
    )
    values["expertise"] = sorted(tag.name for tag in inspector.expertise.all()) if inspector.pk else []
    values["user"] = inspector.user.username if inspector.user_id else None
    return {"code": inspector.code, "department": inspector.department.code, **values}


def expertise_tags(names: list[str]) -> list[ExpertiseTag]:
    existing = {tag.name: tag for tag in ExpertiseTag.objects.filter(name__in=names)}
    missing = [ExpertiseTag(name=name) for name in names if name not in existing]
    if missing:
        ExpertiseTag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in ExpertiseTag.objects.filter(name__in=names)}
    return [existing[name] for name in names]


def _check_inspector(data: dict[str, Any], department: Department, inspector: Inspector | None) -> None:
    errors: dict[str, str] = {}
    expert = data["category"] in Inspector.EXPERT_CATEGORIES
    if expert and not data.get("organisation"):
        errors["organisation"] = "专家、第三方机构人员须填写所在机构。"
    if not expert and data.get("certificate_number") and not data.get("certificate_valid_until"):
        errors["certificate_valid_until"] = "填写执法证号时须填写有效期。"
    user = data.get("user")
    if user is not None:
        if user.department_id != department.pk:
            errors["user"] = "登录账号须属于本部门。"
        elif Inspector.objects.filter(user=user).exclude(pk=inspector.pk if inspector else None).exists():
            errors["user"] = "该登录账号已关联其他执法检查人员。"
    if errors:
        raise ValidationError(errors)


def inspector_save(
    *,
    actor: User,
    inspector: Inspector | None,
    department: Department,
    code: str,
    data: dict[str, Any],
    expertise: list[str],
) -> Inspector:
    """Create or edit an inspector of the actor's department."""
    if inspector is None:
        if Inspector.objects.filter(code=code).exists():
            raise ValidationError({"code": "该人员编号已存在。"})
        inspector = Inspector(code=code, department=department)
        before = None
    else:
        before = inspector_snapshot(inspector)
    _check_inspector(data, department, inspector)
    with transaction.atomic():
        for name in INSPECTOR_FIELDS:
            setattr(inspector, name, data[name])
        inspector.user = data.get("user")
        inspector.save()
        inspector.expertise.set(expertise_tags(expertise))
        audit_record(
            action="inspector.create" if before is None else "inspector.update",
            actor=actor,
            role=_department_role(actor),
            object_type="执法检查人员",
            object_key=inspector.code,
            before=before,
            after=inspector_snapshot(inspector),
        )
    return inspector


def inspector_unavailability_add(
    *, actor: User, inspector: Inspector, start: datetime.date, end: datetime.date, reason: str
) -> InspectorUnavailability:
    if end < start:
        raise ValidationError({"end": "结束日期不能早于开始日期。"})
    with transaction.atomic():
        period = InspectorUnavailability.objects.create(
            inspector=inspector, start=start, end=end, reason=reason
        )
        audit_record(
            action="inspector.unavailability_add",
            actor=actor,
            role=_department_role(actor),
            object_type="执法检查人员",
            object_key=inspector.code,
            after={"start": start, "end": end, "reason": reason},
        )
    return period


def inspector_unavailability_remove(*, actor: User, period: InspectorUnavailability) -> None:
    with transaction.atomic():
        snapshot = {"start": period.start, "end": period.end, "reason": period.reason}
        code = period.inspector.code
        period.delete()
        audit_record(
            action="inspector.unavailability_remove",
            actor=actor,
            role=_department_role(actor),
            object_type="执法检查人员",
            object_key=code,
            before=snapshot,
        )


def conflict_declare(*, actor: User, inspector: Inspector, target: Target, reason: str) -> ConflictOfInterest:
    """回避: declared by the inspector themself or by their department."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写回避事由。"})
    if ConflictOfInterest.objects.filter(inspector=inspector, target=target).exists():
        raise ValidationError({"target": "已申报过对该检查对象的回避。"})
    role = Role.INSPECTOR if inspector.user_id == actor.pk else _department_role(actor)
    with transaction.atomic():
        conflict = ConflictOfInterest.objects.create(
            inspector=inspector, target=target, reason=reason.strip(), declared_by=actor
        )
        audit_record(
            action="conflict.declare",
            actor=actor,
            role=role,
            object_type="回避关系",
            object_key=f"{inspector.code}|{target.code}",
            after={"inspector": inspector.code, "target": target.code, "reason": reason.strip()},
        )
    return conflict


def conflict_withdraw(*, actor: User, conflict: ConflictOfInterest) -> None:
    with transaction.atomic():
        snapshot = {
            "inspector": conflict.inspector.code,
            "target": conflict.target.code,
            "reason": conflict.reason,
        }
        role = Role.INSPECTOR if conflict.inspector.user_id == actor.pk else _department_role(actor)
        conflict.delete()
        audit_record(
            action="conflict.withdraw",
            actor=actor,
            role=role,
            object_type="回避关系",
            object_key=f"{snapshot['inspector']}|{snapshot['target']}",
            before=snapshot,
        )
