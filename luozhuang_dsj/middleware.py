from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from luozhuang_dsj.audit import RequestContext, reset_request_context, set_request_context
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
