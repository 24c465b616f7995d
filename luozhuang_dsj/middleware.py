from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from luozhuang_dsj import accounts
from luozhuang_dsj.audit import RequestContext, audit_record, reset_request_context, set_request_context
from luozhuang_dsj.lib.client_ip import client_ip


class RequestContextMiddleware:
    """Makes the client's address available to the audit trail for this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_request_context(RequestContext(client_ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_request_context(token)


class AccountPolicyMiddleware:
    """Ends idle and over-long sessions, and holds a signed-in user on the sign-in steps
    still owed (second factor, then an expired password) before any other page opens."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            reason = accounts.session_expiry_reason(request)
            if reason:
                audit_record(
                    action="auth.session_expired",
                    actor=user,
                    object_type="用户",
                    object_key=user.get_username(),
                    after={"reason": reason},
                )
                request.session.flush()
                request.user = AnonymousUser()
                messages.info(request, reason)
            else:
                accounts.session_touch(request)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or getattr(view_func, "is_public", False):
            return None
        allowed = getattr(view_func, "account_steps", frozenset())
        step = accounts.two_factor_step(request)
        if step is not None:
            if "otp" in allowed:
                return None
            return self._hold(
                request, "otp-verify" if step == "verify" else "otp-setup", "请先完成双因素认证。"
            )
        reason = accounts.password_change_reason(user)
        if reason and "password" not in allowed:
            return self._hold(request, "password-change", reason)
        return None

    def _hold(self, request: HttpRequest, url_name: str, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        target = reverse(url_name)
        if request.method == "GET" and not request.htmx:
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)


# The largest id a BIGINT column holds; a URL asking for more names nothing.
MAX_ID = 2**63 - 1


class IdRangeMiddleware:
    """A URL whose integer id is beyond any database column is not found (404), rather
    than an overflow in the database driver (500) — e.g. /work/tasks/99999999999999999999/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict) -> None:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
                raise Http404("没有找到该对象。")
