"""Sign-in policy (身份鉴别, 等保 2.0 level 3): who must give a second factor, when a password
has expired, and how long a session may live.

The login view checks the password (django-axes counts failures per username in the
database and refuses a locked username before the password is looked at); then
`AccountPolicyMiddleware` keeps a signed-in user on the steps still owed: the TOTP code,
then a password change, before any other page opens. A view that must stay reachable
during a step says so with `@reachable_during("otp")` or `@reachable_during("password")`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django_otp import user_has_device

from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User

# The roles that must sign in with a second factor when REQUIRE_2FA is on.
TWO_FACTOR_ROLES = frozenset({Role.OFFICE, Role.SYSADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})

SIGNED_IN_AT = "account_signed_in_at"
LAST_SEEN = "account_last_seen"
# Requests that carry this header (the progress bars' polling) do not count as activity.
BACKGROUND_HEADER = "X-Background-Poll"


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: failures on `Staff1` and `staff1` count against one account."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return str(username).strip().lower()[:150] if username else None


def two_factor_required(user: User) -> bool:
    return bool(settings.REQUIRE_2FA and user.has_role(*TWO_FACTOR_ROLES))


def two_factor_step(request: HttpRequest) -> str | None:
    """ "verify" or "setup" while the second factor is owed, else None."""
    user = request.user
    # OTPMiddleware adds is_verified(); a user just signed in by login() does not have it yet.
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return None
    if user_has_device(user, confirmed=True):
        return "verify"
    return "setup" if two_factor_required(user) else None


def password_change_reason(user: User) -> str | None:
    changed = user.password_changed_at
    if changed is None:
        return "该密码由管理员设置，请先修改为只有您自己知道的密码。"
    if timezone.now() - changed > dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS):
        return f"您的密码已超过 {settings.PASSWORD_MAX_AGE_DAYS} 天未修改，请先修改密码。"
    return None


def password_expires_at(user: User) -> dt.datetime | None:
    if user.password_changed_at is None:
        return None
    return user.password_changed_at + dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def session_begin(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


def session_expiry_reason(request: HttpRequest) -> str | None:
    """Why this signed-in session is over, or None. Sessions without marks start now."""
    now = int(time.time())
    signed_in_at = request.session.get(SIGNED_IN_AT)
    last_seen = request.session.get(LAST_SEEN)
    if signed_in_at is None or last_seen is None:
        session_begin(request)
        return None
    if now - signed_in_at > settings.SESSION_COOKIE_AGE:
        hours = settings.SESSION_COOKIE_AGE / 3600
        return f"登录已超过 {hours:g} 小时，为了账号安全请重新登录。"
    if now - last_seen > settings.SESSION_IDLE_SECONDS:
        minutes = settings.SESSION_IDLE_SECONDS // 60
        return f"您已超过 {minutes} 分钟没有操作，为了账号安全已自动退出，请重新登录。"
    return None


def session_touch(request: HttpRequest) -> None:
    if request.headers.get(BACKGROUND_HEADER):
        return
    now = int(time.time())
    # Saving the session costs a write: do it at most every 15 seconds.
    if now - request.session.get(LAST_SEEN, 0) >= 15:
        request.session[LAST_SEEN] = now


def sign_in_completed(user: User) -> None:
    """Every factor was given: the username's failure count starts again from zero."""
    axes_reset(username=lockout_username(None, {"username": user.get_username()}))  # type: ignore[arg-type]


def reachable_during(*steps: str) -> Callable:
    """Marks a view that stays open while a sign-in step ("otp", "password") is owed."""

    def mark(view: Callable) -> Callable:
        view.account_steps = frozenset(steps)  # type: ignore[attr-defined]
        return view

    return mark


def is_locked_out(user: User) -> bool:
    username = lockout_username(None, {"username": user.get_username()})  # type: ignore[arg-type]
    attempts = AccessAttempt.objects.filter(username=username)
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    return failures >= settings.AXES_FAILURE_LIMIT


def locked_usernames() -> set[str]:
    attempts = AccessAttempt.objects.all()
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    totals = attempts.values("username").annotate(total=Sum("failures_since_start"))
    return {row["username"] for row in totals if row["total"] >= settings.AXES_FAILURE_LIMIT}
