"""Demo data for the embedded demo (`make run`): deterministic, idempotent, never in production."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from luozhuang_dsj.services import user_create
from registry.models import Department

# The demo's only: seed_demo refuses to run without DEBUG, so no production account has it.
DEMO_PASSWORD = "Lz#Demo-2026"  # noqa: S105  # nosec B105


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    department: str
    roles: tuple[Role, ...]


DEMO_ACCOUNTS = [
    DemoAccount("office", "陈晓明", "SCJG", (Role.OFFICE,)),
    DemoAccount("scjg_staff", "李静", "SCJG", (Role.DEPT_STAFF,)),
    DemoAccount("scjg_head", "张国强", "SCJG", (Role.DEPT_HEAD,)),
    DemoAccount("scjg_inspector", "刘洋", "SCJG", (Role.INSPECTOR,)),
    DemoAccount("jyj_staff", "赵敏", "JYJ", (Role.DEPT_STAFF,)),
    DemoAccount("jyj_head", "钱明远", "JYJ", (Role.DEPT_HEAD,)),
    DemoAccount("jyj_inspector", "孙浩", "JYJ", (Role.INSPECTOR,)),
    DemoAccount("wsjk_staff", "王芳", "WSJK", (Role.DEPT_STAFF,)),
    DemoAccount("wsjk_head", "冯建国", "WSJK", (Role.DEPT_HEAD,)),
    DemoAccount("auditor", "周丽华", "ZFB", (Role.AUDITOR,)),
    DemoAccount("sysadmin", "吴志刚", "SCJG", (Role.SYSADMIN,)),
    DemoAccount("secadmin", "郑海燕", "SCJG", (Role.SECURITY_ADMIN,)),
]


def demo_accounts_seed() -> list[User]:
    users = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=account.username,
                name=account.name,
                department=Department.objects.get(code=account.department),
                roles=account.roles,
                password=DEMO_PASSWORD,
            )
        elif not user.check_password(DEMO_PASSWORD):
            _demo_password_restore(user)
        users.append(user)
    return users


def _demo_password_restore(user: User) -> None:
    """A demo database from before the demo password changed: give its accounts the one printed."""
    with transaction.atomic():
        user.set_password(DEMO_PASSWORD)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        audit_record(
            action="user.password_reset", username="system", object_type="用户", object_key=user.username
        )
