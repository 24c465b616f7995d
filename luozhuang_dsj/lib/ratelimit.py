"""Rate limits per client address, counted in the Django cache (Redis in production).

The address is `luozhuang_dsj.lib.client_ip.client_ip`: it trusts exactly
TRUSTED_PROXY_COUNT proxies, so a forged X-Forwarded-For cannot pick a fresh counter.
A rate is "count/seconds" (e.g. "20/600": twenty requests per ten minutes), named in
settings.RATE_LIMITS so operators can change it; fixed windows keep it to one cache
round trip per request.

Views:  @rate_limit("public_search")                      (only counts listed methods)
DRF:    throttle_classes = [ClientAddressThrottle.of("public_api")]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from rest_framework.throttling import BaseThrottle

from luozhuang_dsj.lib.client_ip import client_ip


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        count, _, seconds = text.partition("/")
        try:
            rate = cls(int(count), int(seconds))
        except ValueError:
            raise ImproperlyConfigured(f"rate {text!r} should be 'count/seconds', e.g. '20/600'") from None
        if rate.count < 1 or rate.seconds < 1:
            raise ImproperlyConfigured(f"rate {text!r} should be positive")
        return rate


def rate_for(scope: str) -> Rate:
    try:
        return Rate.parse(settings.RATE_LIMITS[scope])
    except KeyError:
        raise ImproperlyConfigured(f"no rate named {scope!r} in settings.RATE_LIMITS") from None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int


def rate_limit_hit(scope: str, request: HttpRequest) -> Verdict:
    """Count one request of this client against `scope`; say whether it is within the rate."""
    rate = rate_for(scope)
    now = int(time.time())
    window = now // rate.seconds
    key = f"ratelimit:{scope}:{client_ip(request) or 'unknown'}:{window}"
    # add() sets only a missing key, so concurrent first requests do not reset each other.
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=rate.seconds + 1)
        count = 1
    retry_after = (window + 1) * rate.seconds - now
    return Verdict(allowed=count <= rate.count, retry_after=max(1, retry_after))


def rate_limit(scope: str, methods: Iterable[str] = ("POST",)) -> Callable:
    """View decorator: over the rate, answer 429 with a Chinese page and Retry-After."""
    counted = frozenset(method.upper() for method in methods)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in counted:
                verdict = rate_limit_hit(scope, request)
                if not verdict.allowed:
                    from luozhuang_dsj.errors import too_many_requests

                    return too_many_requests(request, verdict.retry_after)
            return view(request, *args, **kwargs)

        wrapped.rate_limit_scope = scope  # type: ignore[attr-defined]
        return wrapped

    return decorator


class ClientAddressThrottle(BaseThrottle):
    """DRF throttle on the same counters: `throttle_classes = [ClientAddressThrottle.of("public_api")]`."""

    scope = ""

    @classmethod
    def of(cls, scope: str) -> type[ClientAddressThrottle]:
        rate_for(scope)  # fail at import time on a missing rate
        return type(f"ClientAddressThrottle_{scope}", (cls,), {"scope": scope})

    def allow_request(self, request: Any, view: Any) -> bool:
        self.verdict = rate_limit_hit(
            self.scope, request._request if hasattr(request, "_request") else request
        )
        return self.verdict.allowed

    def wait(self) -> float | None:
        return float(self.verdict.retry_after)
