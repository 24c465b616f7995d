"""Logins, failed logins, lockouts and logouts go to the audit trail.

Django announces them only through these signals, so the receivers are the one place
where the trail hears of them; they do nothing but record.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.client_ip import client_ip
from luozhuang_dsj.models import AuditEvent, User


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def record_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(
        action="auth.login", actor=user, object_type="用户", object_key=user.username, client_ip=_ip(request)
    )


@receiver(user_logged_out)
def record_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(
            action="auth.logout",
            actor=user,
            object_type="用户",
            object_key=user.username,
            client_ip=_ip(request),
        )


@receiver(user_login_failed)
def record_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    attempted = str(credentials.get("username", ""))[:150]
    audit_record(
        action="auth.otp_failed" if credentials.get("second_factor") else "auth.login_failed",
        username=attempted,
        object_type="用户",
        object_key=attempted,
        result=AuditEvent.Result.FAILED,
        client_ip=_ip(request),
    )


def record_lockout(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """The failure that reaches the limit locks the account; later tries on it are refused.

    Connected in apps.py: importing axes.signals here would connect axes's own receivers
    before ours, and the trail would show the lockout before the failure that caused it.
    """
    failures = getattr(request, "axes_failures_since_start", None)
    newly_locked = failures == settings.AXES_FAILURE_LIMIT
    audit_record(
        action="auth.lockout" if newly_locked else "auth.login_locked",
        username=username or "",
        object_type="用户",
        object_key=username or "",
        result=AuditEvent.Result.DENIED,
        after={"failures": failures} if newly_locked else None,
        client_ip=_ip(request),
    )
