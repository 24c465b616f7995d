"""The roles of the platform and what each may do in broad strokes.

Finer rules (which department's object) live in each app's `permissions.py`; this module
only names the roles, so that every check in the code says `Role.OFFICE`, never a string.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OFFICE = "office", "联席会议办公室"
    DEPT_STAFF = "dept_staff", "部门工作人员"
    DEPT_HEAD = "dept_head", "部门负责人"
    INSPECTOR = "inspector", "执法检查人员"
    AUDITOR = "auditor", "审计管理员"
    SYSADMIN = "sysadmin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"


# 三员分立: the three administrators hold no other role, business or administrative.
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
BUSINESS_ROLES = frozenset({Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD, Role.INSPECTOR})

# The order in which a user's home page is chosen when they hold several roles.
HOME_ORDER = [
    Role.OFFICE,
    Role.DEPT_HEAD,
    Role.DEPT_STAFF,
    Role.INSPECTOR,
    Role.AUDITOR,
    Role.SECURITY_ADMIN,
    Role.SYSADMIN,
]

HOME_URL_NAMES = {
    Role.OFFICE: "office-home",
    Role.DEPT_HEAD: "department-home",
    Role.DEPT_STAFF: "department-home",
    Role.INSPECTOR: "inspector-home",
    Role.AUDITOR: "audit-home",
    Role.SECURITY_ADMIN: "security-home",
    Role.SYSADMIN: "sysadmin-home",
}


def role_combination_error(roles: set[str]) -> str | None:
    """Why a set of roles may not be held together, or None when it may."""
    if not roles:
        return "至少分配一个角色。"
    unknown = roles - set(Role.values)
    if unknown:
        return f"未知角色：{'、'.join(sorted(unknown))}。"
    admin = roles & ADMIN_ROLES
    if admin and len(roles) > 1:
        label = Role(next(iter(admin))).label
        return f"三员分立：{label}不得兼任其他角色。"
    return None
