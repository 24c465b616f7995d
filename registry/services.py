from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from inspections.models import ResultCode
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from registry.models import Department, Town

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
