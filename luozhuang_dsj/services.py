"""Writes on users and roles. Each function is the one door for its change and audits it."""

from __future__ import annotations

import base64
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from luozhuang_dsj import accounts
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.roles import Role, role_combination_error
from luozhuang_dsj.models import User, UserRole
from registry.models import Department


def user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "name": user.name,
        "department": user.department.code,
        "roles": sorted(user.role_grants.values_list("role", flat=True)),
        "is_active": user.is_active,
    }


def _check_roles(roles: set[str]) -> None:
    problem = role_combination_error(roles)
    if problem:
        raise ValidationError({"roles": problem})


def _set_roles(user: User, roles: set[str]) -> None:
    user.role_grants.exclude(role__in=roles).delete()
    existing = set(user.role_grants.values_list("role", flat=True))
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in sorted(roles - existing)])
    user.__dict__.pop("roles", None)


def user_create(
    *,
    actor: User | None,
    username: str,
    name: str,
    department: Department,
    roles: Iterable[str],
    password: str,
    phone: str = "",
) -> User:
    role_set = set(roles)
    _check_roles(role_set)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已被使用。"})
    user = User(username=username, name=name, department=department, phone=phone)
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        # A password chosen by an administrator must be changed at the first sign-in (等保);
        # one typed by the operator themself (create_user on the server) need not.
        user.password_changed_at = None if actor else timezone.now()
        user.save()
        _set_roles(user, role_set)
        audit_record(
            action="user.create",
            actor=actor,
            username="" if actor else "system",
            role=Role.SYSADMIN if actor else "",
            object_type="用户",
            object_key=username,
            after=user_snapshot(user),
        )
    return user


def user_update(
    *,
    actor: User,
    user: User,
    name: str,
    department: Department,
    roles: Iterable[str],
    is_active: bool,
    phone: str = "",
) -> User:
    role_set = set(roles)
    _check_roles(role_set)
    if user.pk == actor.pk and (not is_active or Role.SYSADMIN not in role_set):
        raise ValidationError("不能停用自己或移除自己的系统管理员角色。")
    with transaction.atomic():
        before = user_snapshot(user)
        user.name, user.department, user.phone, user.is_active = name, department, phone, is_active
        user.save(update_fields=["name", "department", "phone", "is_active"])
        _set_roles(user, role_set)
        audit_record(
            action="user.update",
            actor=actor,
            role=Role.SYSADMIN,
            object_type="用户",
            object_key=user.username,
            before=before,
            after=user_snapshot(user),
        )
    return user


def user_set_password(*, actor: User, user: User, password: str, role: str) -> None:
    """A password set by the user themself or reset by the security administrator.

    A reset password is temporary: the user must replace it at their next sign-in.
    """
    own = actor.pk == user.pk
    if own and user.check_password(password):
        raise ValidationError("新密码不能与当前密码相同。")
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = timezone.now() if own else None
        user.save(update_fields=["password", "password_changed_at"])
        action = "user.password_change" if own else "user.password_reset"
        audit_record(action=action, actor=actor, role=role, object_type="用户", object_key=user.username)


# ---- account security (the security administrator's work, and the user's own 2FA) ------


def user_unlock(*, actor: User, user: User, reason: str) -> None:
    """Clear the failed sign-in count that locked this account (安全管理员)."""
    with transaction.atomic():
        cleared = accounts.axes_reset(username=accounts.lockout_username(None, {"username": user.username}))  # type: ignore[arg-type]
        audit_record(
            action="user.unlock",
            actor=actor,
            role=Role.SECURITY_ADMIN,
            object_type="用户",
            object_key=user.username,
            after={"reason": reason, "cleared_records": cleared},
        )


def user_otp_reset(*, actor: User, user: User, reason: str) -> None:
    """Remove a user's authenticator (lost phone); they enrol a new one at next sign-in."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record(
            action="user.otp_reset",
            actor=actor,
            role=Role.SECURITY_ADMIN,
            object_type="用户",
            object_key=user.username,
            after={"reason": reason, "removed_devices": removed},
        )


def otp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled; the same one until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=False)
    return device


def otp_secret_text(device: TOTPDevice) -> str:
    """The key in base32, grouped by four, for typing into an app by hand."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def otp_device_confirm(*, actor: User, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        audit_record(action="user.otp_enrol", actor=actor, object_type="用户", object_key=actor.username)
    return True
