"""The client's address, trusting exactly as many proxies as configured.

X-Forwarded-For is appended to by each proxy; with N trusted proxies the client is the
N-th address from the right. Anything further left was written by the client itself and
is ignored, so a forged header cannot choose the address used for audit or rate limits.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR") or None
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= trusted:
            address = forwarded[-trusted]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
