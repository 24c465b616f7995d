"""Error pages in Chinese; staff and public see the same plain wording."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    body = render_to_string(
        "errors/error.html", {"status": status, "title": title, "message": message}, request
    )
    return HttpResponse(body, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "您无权访问此页面。"
    return _page(request, 403, "无权访问", message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "页面不存在", "您访问的页面不存在，或您无权查看。")


def server_error(request: HttpRequest) -> HttpResponse:
    body = render_to_string(
        "errors/error.html", {"status": 500, "title": "系统错误", "message": "系统出现错误，请稍后再试。"}
    )
    return HttpResponse(body, status=500)
