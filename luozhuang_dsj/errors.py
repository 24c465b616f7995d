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


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form was stale or came from another site; nothing was saved."""
    return _page(
        request,
        403,
        "请求已过期",
        "页面已过期或请求来源无法验证，本次提交没有保存。请返回上一页，刷新后重新提交。",
    )


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    minutes = max(1, (retry_after + 59) // 60)
    response = _page(request, 429, "请求过于频繁", f"您的操作过于频繁，请 {minutes} 分钟后再试。")
    response["Retry-After"] = str(retry_after)
    return response
