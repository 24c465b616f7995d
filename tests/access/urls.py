"""Every URL pattern of the project and the access rule its view declares."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.routers import APIRootView
from rest_framework.views import APIView

from luozhuang_dsj.lib.access import HasRole
from luozhuang_dsj.lib.roles import Role

ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    callback: Callable[..., Any]
    parameters: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return is_drf_view(self.callback)

    @property
    def label(self) -> str:
        return self.name or self.route


@dataclass(frozen=True)
class Rule:
    public: bool = False
    roles: frozenset[str] = frozenset()
    custom: bool = False  # DRF permission classes the matrix cannot read: sample says who


def _route_of(pattern: Any) -> str:
    return str(pattern.pattern)


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        route = prefix + _route_of(pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        else:
            yield route, pattern


def all_endpoints() -> list[Endpoint]:
    endpoints = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if "(?P<format>" in route:
            continue  # DRF's .json suffix twin of a route listed anyway
        parameters = tuple(sorted(pattern.pattern.regex.groupindex))
        endpoints.append(Endpoint(pattern.name or "", route, pattern.callback, parameters))
    return endpoints


def is_drf_view(callback: Any) -> bool:
    cls = getattr(callback, "cls", None)
    return isinstance(cls, type) and issubclass(cls, APIView)


def _explicit_permission_classes(callback: Any) -> list[Any] | None:
    initkwargs = getattr(callback, "initkwargs", {}) or {}
    if "permission_classes" in initkwargs:
        return list(initkwargs["permission_classes"])
    for klass in callback.cls.__mro__:
        if klass.__module__.startswith("rest_framework"):
            break
        if "permission_classes" in vars(klass) or "get_permissions" in vars(klass):
            return list(callback.cls.permission_classes)
    return None


def rule_of(callback: Any) -> Rule | None:
    """The access rule a view declares, or None when it declares none (a failure)."""
    if getattr(callback, "is_public", False):
        return Rule(public=True)
    roles = getattr(callback, "required_roles", None)
    if roles is not None:
        return Rule(roles=frozenset(roles))
    if not is_drf_view(callback):
        return None
    if issubclass(callback.cls, APIRootView):
        return Rule(roles=ALL_ROLES)  # lists the API's URLs to signed-in users only
    classes = _explicit_permission_classes(callback)
    if classes is None:
        return None
    allowed = set(ALL_ROLES)
    for permission in classes:
        if permission is AllowAny and len(classes) == 1:
            return Rule(public=True)
        if isinstance(permission, type) and issubclass(permission, HasRole):
            allowed &= permission.roles
        elif permission is IsAuthenticated:
            continue
        else:
            return Rule(custom=True)
    return Rule(roles=frozenset(allowed))


def example_path(endpoint: Endpoint, kwargs: dict[str, Any]) -> str:
    """Fill the route's parameters by hand: reverse() needs names, and some routes have none."""
    route = endpoint.route
    for name, value in kwargs.items():
        # The regex group first: its "<name>" would otherwise match the converter pattern.
        route = re.sub(rf"\(\?P<{name}>[^)]*\)", str(value), route)
        route = re.sub(rf"<(?:\w+:)?{name}>", str(value), route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".")
    return "/" + route
