"""Reads of the registries, shaped for lists that stay fast on millions of targets."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from luozhuang_dsj.models import User
from registry import credit_code
from registry.models import Inspector, SubRegistry, SubRegistryMembership, Target
from registry.permissions import may_see_all_departments

_CODE_LIKE = re.compile(r"^[0-9A-Z]{4,18}$")


def target_search(query: str) -> dict[str, Any]:
    """A search box's text as a filter: a credit code (or its start), else a name substring."""
    text = query.strip()
    if not text:
        return {}
    code = credit_code.normalise(text)
    if _CODE_LIKE.match(code) and any(char.isdigit() for char in code):
        return {"code__startswith": code}
    return {"name__contains": text}


def industry_division(division: str) -> dict[str, str]:
    """A two-digit division as a range on industry_code (served by a plain b-tree index)."""
    upper = f"{int(division) + 1:02d}" if division.isdigit() else division + "\uffff"
    return {"industry_code__gte": division, "industry_code__lt": upper}


def target_list(filters: dict[str, Any], ordering: tuple[str, ...] = ("code",)) -> QuerySet[Target]:
    """Targets matching a TargetFilterForm's cleaned data.

    Exports and frames go in code order; the browser's list shows the newest first
    ("-pk"), which on millions of rows is the cheap order to page through (the primary key
    follows the table's physical order).
    """
    targets = Target.objects.select_related("town")
    if filters.get("q"):
        targets = targets.filter(**target_search(filters["q"]))
    for name in ("kind", "status", "risk_class"):
        if filters.get(name):
            targets = targets.filter(**{name: filters[name]})
    if filters.get("town"):
        targets = targets.filter(town=filters["town"])
    if filters.get("industry"):
        targets = targets.filter(**industry_division(filters["industry"]))
    if filters.get("address_unreachable"):
        targets = targets.filter(address_unreachable=True)
    if filters.get("sub_registry"):
        targets = targets.filter(
            Exists(
                SubRegistryMembership.objects.filter(
                    sub_registry=filters["sub_registry"], target=OuterRef("pk")
                )
            )
        )
    return targets.order_by(*ordering)


def sub_registries_for_user(user: User) -> QuerySet[SubRegistry]:
    sub_registries = SubRegistry.objects.select_related("department")
    if not may_see_all_departments(user):
        sub_registries = sub_registries.filter(department_id=user.department_id)
    return sub_registries.order_by("department__code", "name")


def inspectors_for_user(user: User, filters: dict[str, Any] | None = None) -> QuerySet[Inspector]:
    filters = filters or {}
    inspectors = Inspector.objects.select_related("department").prefetch_related(
        Prefetch("expertise", to_attr="expertise_list")
    )
    if not may_see_all_departments(user):
        inspectors = inspectors.filter(department_id=user.department_id)
    elif filters.get("department"):
        inspectors = inspectors.filter(department=filters["department"])
    if filters.get("q"):
        text = filters["q"].strip()
        inspectors = inspectors.filter(name__contains=text) | inspectors.filter(code__startswith=text.upper())
    if filters.get("category"):
        inspectors = inspectors.filter(category=filters["category"])
    if filters.get("expertise"):
        inspectors = inspectors.filter(expertise=filters["expertise"])
    if filters.get("active") == "yes":
        inspectors = inspectors.filter(is_active=True)
    elif filters.get("active") == "no":
        inspectors = inspectors.filter(is_active=False)
    return inspectors.order_by("department__code", "code")
