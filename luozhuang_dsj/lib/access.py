"""Who may open which staff page: the single place role checks are spelled out.

Object-level rules (which department's object) live in each app's `permissions.py`
as `get_<thing>_for_user` helpers: 404 for what a user may not see, 403 for what they
may see but not change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission

from luozhuang_dsj.lib.roles import Role


def user_has_role(user: Any, *roles: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_role(*roles))


def role_required(*roles: Role) -> Callable:
    """View decorator: anonymous users go to the login page, users without a role get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_role(request.user, *roles):
                raise PermissionDenied("您的角色无权访问此页面。")
            return view(request, *args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def login_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For pages any signed-in user may open (their own jobs, password change)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.required_roles = frozenset(Role)  # type: ignore[attr-defined]
    return wrapped


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view as deliberately open to anonymous visitors (the access test checks marks)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


class HasRole(BasePermission):
    """DRF permission: `permission_classes = [HasRole.of(Role.OFFICE, Role.DEPT_STAFF)]`."""

    roles: frozenset[str] = frozenset()
    message = "您的角色无权访问此接口。"

    @classmethod
    def of(cls, *roles: Role) -> type[HasRole]:
        return type("HasRole", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request: Any, view: Any) -> bool:
        return user_has_role(request.user, *self.roles)
