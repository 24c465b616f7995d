"""Who reads which assessment and duty record.

The office reads every department's assessment; a department's staff and head read only
their own department's (another department's is not found: 404). The duty record: the
office everyone's, a department head their department's people, anyone else their own.
"""

from __future__ import annotations

from django.http import Http404

from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from registry.models import Department

ASSESSMENT_ROLES = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)
DUTY_ROLES = (Role.OFFICE, Role.DEPT_HEAD, Role.DEPT_STAFF, Role.INSPECTOR)
SUMMARY_ROLES = (Role.OFFICE,)


def may_read_assessment(user: User) -> bool:
    return user.has_role(*ASSESSMENT_ROLES)


def may_read_duty(user: User) -> bool:
    return user.has_role(*DUTY_ROLES)


def may_read_summary(user: User) -> bool:
    return user.has_role(*SUMMARY_ROLES)


def assessment_department_for_user(user: User, code: str | None) -> Department | None:
    """The department whose assessment the user asks for: None (all) only for the office;
    a department user always gets their own, and another department's code is a 404."""
    if user.has_role(Role.OFFICE):
        if not code:
            return None
        department = Department.objects.filter(code=code).first()
        if department is None:
            raise Http404("没有找到该部门。")
        return department
    if not may_read_assessment(user) or user.department is None:
        raise Http404("没有找到该部门。")
    if code and code != user.department.code:
        raise Http404("没有找到该部门。")
    return user.department
