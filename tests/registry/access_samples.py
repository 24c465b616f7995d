"""URL samples for the access matrix (see tests/access/samples.py): the two registries.

The rules they express (registry/permissions.py):
- Targets are shared facts: every reading role opens every target, also one listed only
  in another department's sub-registry (`other_visible`); only the office edits them.
- A sub-registry and an inspector belong to a department: its staff and head (and the
  office, for the office's own department) open and change them; another department's
  are not found (404). The office reads every department's (`other_visible`; an
  inspector's personal details stay hidden, tests/registry/test_inspectors.py) but
  changes only its own department's: another department's answers 403 there, tested in
  tests/registry/test_sub_registries.py and test_inspectors.py, so its change samples
  have no `other`.
- A conflict of interest is withdrawn by its inspector's department or by the inspector
  themself; anyone else does not find it, the office included.

The objects are made once per department and test and reused for every principal.
"""

from __future__ import annotations

import datetime as dt

from luozhuang_dsj.lib.roles import Role
from registry.models import (
    ConflictOfInterest,
    Department,
    Inspector,
    InspectorUnavailability,
    SubRegistry,
    Target,
)
from tests import sheets
from tests.access.samples import UrlSample, url_sample

NAME = "访问矩阵样例分库"


def _is_office(ctx) -> bool:
    return ctx.user is not None and ctx.user.has_role(Role.OFFICE)


def _sub_registry(department: Department) -> SubRegistry:
    """A sub-registry of `department` with one member of its own."""
    sub_registry, created = SubRegistry.objects.get_or_create(department=department, name=NAME)
    if created:
        target = Target.objects.create(
            code=sheets.code(9000 + department.pk), name=f"{department.short_name}分库样例单位"
        )
        sub_registry.targets.add(target)
    return sub_registry


def _member(department: Department) -> Target:
    return _sub_registry(department).targets.get()


def _inspector(department: Department) -> Inspector:
    inspector, _ = Inspector.objects.get_or_create(
        code=f"{department.code}-AMR",
        defaults={
            "name": "样例人员",
            "department": department,
            "category": Inspector.Category.CIVIL_SERVANT,
            "certificate_number": "371311000001",
            "phone": "13900000000",
        },
    )
    return inspector


def _period(department: Department) -> InspectorUnavailability:
    inspector = _inspector(department)
    period = inspector.unavailable_periods.first()
    return period or inspector.unavailable_periods.create(
        start=dt.date(2030, 1, 1), end=dt.date(2030, 1, 31), reason="脱产培训"
    )


def _conflict(inspector: Inspector) -> ConflictOfInterest:
    target = _member(inspector.department)
    conflict = inspector.conflicts.filter(target=target).first()
    return conflict or ConflictOfInterest.objects.create(
        inspector=inspector, target=target, reason="近亲属任职"
    )


@url_sample("department-edit")
def _department(ctx):
    # The office keeps every member department; the list is not one department's data.
    return UrlSample(own={"code": ctx.other.code})


# ---- targets: shared facts ---------------------------------------------------------------------


def _target(ctx):
    return UrlSample(own={"pk": _member(ctx.own).pk}, other={"pk": _member(ctx.other).pk}, other_visible=True)


for _name in ("target-detail", "target-edit", "api-target-detail"):
    url_sample(_name)(_target)


# ---- sub-registries: a department's own --------------------------------------------------------


def _sub_registry_to_read(ctx):
    return UrlSample(
        own={"pk": _sub_registry(ctx.own).pk},
        other={"pk": _sub_registry(ctx.other).pk},
        other_visible=_is_office(ctx),
    )


for _name in ("sub-registry-detail", "sub-registry-export", "api-sub-registry-detail"):
    url_sample(_name)(_sub_registry_to_read)


def _sub_registry_to_change(ctx):
    return UrlSample(
        own={"pk": _sub_registry(ctx.own).pk},
        other=None if _is_office(ctx) else {"pk": _sub_registry(ctx.other).pk},
    )


for _name in ("sub-registry-edit", "sub-registry-delete", "sub-registry-add", "sub-registry-import"):
    url_sample(_name)(_sub_registry_to_change)


@url_sample("sub-registry-remove")
def _sub_registry_member(ctx):
    def kwargs(department):
        return {"pk": _sub_registry(department).pk, "target_pk": _member(department).pk}

    return UrlSample(own=kwargs(ctx.own), other=None if _is_office(ctx) else kwargs(ctx.other))


# ---- inspectors: a department's own, personal details included -----------------------------


def _inspector_to_read(ctx):
    return UrlSample(
        own={"pk": _inspector(ctx.own).pk},
        other={"pk": _inspector(ctx.other).pk},
        other_visible=_is_office(ctx),
    )


for _name in ("inspector-detail", "api-inspector-detail"):
    url_sample(_name)(_inspector_to_read)


def _inspector_to_change(ctx):
    return UrlSample(
        own={"pk": _inspector(ctx.own).pk},
        other=None if _is_office(ctx) else {"pk": _inspector(ctx.other).pk},
    )


for _name in ("inspector-edit", "inspector-unavailability-add", "inspector-conflict-add"):
    url_sample(_name)(_inspector_to_change)


@url_sample("inspector-unavailability-remove")
def _unavailability(ctx):
    def kwargs(department):
        period = _period(department)
        return {"pk": period.inspector_id, "period_pk": period.pk}

    return UrlSample(own=kwargs(ctx.own), other=None if _is_office(ctx) else kwargs(ctx.other))


@url_sample("conflict-withdraw")
def _conflict_sample(ctx):
    # An inspector withdraws the conflict they declared themself; the department (and the
    # office, for its own department) those of its inspectors. Another department's is
    # not found, whoever asks.
    own = _inspector(ctx.own)
    if ctx.user is not None and ctx.user.has_role(Role.INSPECTOR):
        own, _ = Inspector.objects.get_or_create(
            user=ctx.user,
            defaults={
                "code": f"{ctx.own.code}-AMS",
                "name": ctx.user.name,
                "department": ctx.own,
                "category": Inspector.Category.CIVIL_SERVANT,
            },
        )
    return UrlSample(own={"pk": _conflict(own).pk}, other={"pk": _conflict(_inspector(ctx.other)).pk})
