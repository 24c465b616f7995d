"""Two OpenAPI documents from one URL configuration: /api/schema/ (the staff API) leaves
out the public API, /api/public/schema/ lists only it."""

from __future__ import annotations

PUBLIC_PREFIX = "/api/public/"

PUBLIC_SCHEMA_SETTINGS = {
    "TITLE": "罗庄区“双随机、一公开”公开数据接口",
    "DESCRIPTION": (
        "只读、无需登录。列表按游标分页（响应中的 next、previous 为下一页、上一页的完整地址，"
        "page_size 每页条数，最多 200）；按访问地址限制频率，超过时返回 429 和 Retry-After。"
        "字段含义见 /open-data/dictionary/。"
    ),
    "VERSION": "1",
    "PREPROCESSING_HOOKS": ["opendata.schema.public_endpoints_only"],
}


def public_endpoints_only(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(PUBLIC_PREFIX)]


def staff_endpoints_only(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if not endpoint[0].startswith(PUBLIC_PREFIX)]
