"""Sign-in steps after the password: the TOTP code (双因素认证), its enrolment, the lockout page."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from luozhuang_dsj import accounts, services
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.forms import OtpTokenForm
from luozhuang_dsj.lib.access import login_only
from luozhuang_dsj.lib.ratelimit import rate_limit
from luozhuang_dsj.models import AuditEvent


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _token_failed(request: HttpRequest) -> HttpResponse | None:
    """A wrong code counts like a wrong password: five in a row lock the account."""
    username = request.user.get_username()
    user_login_failed.send(
        sender=__name__, credentials={"username": username, "second_factor": True}, request=request
    )
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return redirect("login")
    return None


@login_only
@accounts.reachable_during("otp")
@rate_limit("login")
@require_http_methods(["GET", "POST"])
@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: the 6-digit code from the user's authenticator app."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("otp-setup")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, details = device.verify_is_allowed()
        if not allowed:
            wait = (details or {}).get("locked_until")
            form.add_error("token", "验证码错误次数过多，请稍候几秒再试。")
            audit_record(
                action="auth.otp_throttled",
                actor=request.user,
                object_type="用户",
                object_key=request.user.get_username(),
                result=AuditEvent.Result.DENIED,
                after={"locked_until": wait},
            )
        elif device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            accounts.sign_in_completed(request.user)
            audit_record(
                action="auth.otp_verified",
                actor=request.user,
                object_type="用户",
                object_key=request.user.get_username(),
            )
            return redirect(_next_url(request))
        else:
            locked = _token_failed(request)
            if locked is not None:
                return locked
            form.add_error("token", "验证码不正确或已过期，请重新输入。")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_only
@accounts.reachable_during("otp")
@rate_limit("login")
@require_http_methods(["GET", "POST"])
@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code (drawn here as SVG, no outside service), confirm one code."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        messages.info(request, "您已启用双因素认证。如需更换手机，请联系安全管理员重置。")
        return redirect("otp-verify" if not user.is_verified() else "staff-home")
    device = services.otp_device_pending(user=user)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not device.verify_is_allowed()[0]:
        form.add_error("token", "验证码错误次数过多，请稍候几秒再试。")
    elif request.method == "POST" and form.is_valid():
        if services.otp_device_confirm(actor=user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            accounts.sign_in_completed(user)
            messages.success(request, "双因素认证已启用。以后登录时请输入手机上的动态验证码。")
            return redirect(_next_url(request))
        locked = _token_failed(request)
        if locked is not None:
            return locked
        form.add_error("token", "验证码不正确，请确认手机时间准确后重新输入。")
    context: dict[str, Any] = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff"),
        "secret": services.otp_secret_text(device),
        "required": accounts.two_factor_required(user),
    }
    return render(request, "accounts/otp_setup.html", context)


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the Chinese page shown instead of the login form once locked."""
    if settings.AXES_COOLOFF_TIME:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        how = f"请 {minutes} 分钟后再试，或联系安全管理员解锁。"
    else:
        how = "请联系安全管理员核实身份后解锁。"
    message = f"该账号连续 {settings.AXES_FAILURE_LIMIT} 次登录失败，已被锁定。{how}"
    return render(
        request,
        "errors/error.html",
        {"status": 403, "title": "账号已锁定", "message": message},
        status=403,
    )
