"""Who may see and change what in the two registries.

- Targets are shared facts: every department's staff and heads (and the office) read the
  whole target registry; only the office (联席会议办公室) creates and edits master records.
- A sub-registry belongs to a department: its staff and head see and change it; the
  office reads every department's sub-registries.
- Inspectors belong to a department: its staff and head see and change them; the office
  reads every department's inspectors, but personal details (phone, certificate number,
  login) only of its own department's.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from luozhuang_dsj.lib.access import user_has_role
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from registry.models import ConflictOfInterest, Inspector, SubRegistry, Target

READERS = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)
DEPARTMENT_EDITORS = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)


def may_read_registry(user: User) -> bool:
    return user_has_role(user, *READERS)


def may_edit_targets(user: User) -> bool:
    return user_has_role(user, Role.OFFICE)


def may_see_all_departments(user: User) -> bool:
    return user_has_role(user, Role.OFFICE)


def may_change_department_data(user: User, department_id: int) -> bool:
    return user_has_role(user, *DEPARTMENT_EDITORS) and user.department_id == department_id


def may_see_personal_details(user: User, inspector: Inspector) -> bool:
    return user.department_id == inspector.department_id and user_has_role(user, *DEPARTMENT_EDITORS)


def get_target_for_user(*, user: User, pk: int, change: bool = False) -> Target:
    if not may_read_registry(user):
        raise Http404("没有找到该检查对象。")
    target = Target.objects.select_related("town").filter(pk=pk).first()
    if target is None:
        raise Http404("没有找到该检查对象。")
    if change and not may_edit_targets(user):
        raise PermissionDenied("检查对象的主记录由联席会议办公室维护。")
    return target


def get_sub_registry_for_user(*, user: User, pk: int, change: bool = False) -> SubRegistry:
    sub_registry = SubRegistry.objects.select_related("department").filter(pk=pk).first()
    if sub_registry is None or not may_read_registry(user):
        raise Http404("没有找到该分库。")
    own = user.department_id == sub_registry.department_id
    if not own and not may_see_all_departments(user):
        raise Http404("没有找到该分库。")
    if change and not may_change_department_data(user, sub_registry.department_id):
        raise PermissionDenied("只能维护本部门的分库。")
    return sub_registry


def get_inspector_for_user(*, user: User, pk: int, change: bool = False) -> Inspector:
    inspector = Inspector.objects.select_related("department", "user").filter(pk=pk).first()
    if inspector is None or not may_read_registry(user):
        raise Http404("没有找到该执法检查人员。")
    own = user.department_id == inspector.department_id
    if not own and not may_see_all_departments(user):
        raise Http404("没有找到该执法检查人员。")
    if change and not may_change_department_data(user, inspector.department_id):
        raise PermissionDenied("只能维护本部门的执法检查人员。")
    return inspector


def get_conflict_for_user(*, user: User, pk: int) -> ConflictOfInterest:
    """A conflict may be withdrawn by its inspector's department, or by the inspector themself."""
    conflict = ConflictOfInterest.objects.select_related("inspector", "target").filter(pk=pk).first()
    if conflict is None:
        raise Http404("没有找到该回避记录。")
    if may_change_department_data(user, conflict.inspector.department_id):
        return conflict
    if user_has_role(user, Role.INSPECTOR) and conflict.inspector.user_id == user.pk:
        return conflict
    raise Http404("没有找到该回避记录。")
