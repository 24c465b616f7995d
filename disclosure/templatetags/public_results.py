"""Published results as the public pages show them, built in Python.

The search page shows twenty results at a time and is the portal's busiest page after the
business page (issue 7's benchmark); rendering its rows node by node in the template
language cost more than finding them. The markup here is the markup the templates had.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString

from disclosure.models import PublishedResult
from luozhuang_dsj.lib.markup import escape, safe_join

register = template.Library()


def day(value: datetime.date | datetime.datetime | None) -> str:
    """Y-m-d, a moment in local time (as the template filter date:"Y-m-d")."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%Y-%m-%d")


@register.filter
def result_label(row: PublishedResult) -> SafeString:
    """A published result's label, with the correction beside it. Public fields only."""
    if not row.corrected_label:
        return safe_join([escape(row.result_label)])
    return format_html(
        '<span class="visually-hidden">原结果（已更正）：</span><del>{}</del><br><strong>更正为：{}</strong><br>'
        '<span class="muted">更正说明：{}（{}）</span>',
        row.result_label,
        row.corrected_label,
        row.correction_note,
        day(row.corrected_at),
    )


_SEARCH_ROW = (
    '<tr><td><a href="{url}">{name}</a><br><span class="muted">{code}</span></td><td>{department}</td>'
    '<td>{matter}<br><span class="muted">{task}</span></td><td>{label}</td><td>{inspected}</td>'
    "<td>{published}</td></tr>"
)


@register.simple_tag
def search_result_rows(rows: list[PublishedResult]) -> SafeString:
    """The search's table rows: the business (linked to its page), department, matter and
    task, result, dates. Rows from disclosure.selectors.search_rows."""
    business = business_url_maker()
    return safe_join(
        _SEARCH_ROW.format(
            url=escape(business(row.credit_code)),
            name=escape(row.target_name),
            code=escape(row.credit_code),
            department=escape(row.department_short_name),
            matter=escape(row.matter_name),
            task=escape(row.task_title),
            label=result_label(row),
            inspected=day(row.inspected_on),
            published=day(row.published_at),
        )
        for row in rows
    )


def business_url_maker() -> Callable[[str], str]:
    """reverse("public-business", args=[code]) for many codes at the cost of one reverse:
    the path around a placeholder, the code quoted as reverse() quotes it."""
    head, _, tail = reverse("public-business", args=["CODE"]).rpartition("CODE")
    return lambda code: head + quote(code, safe=RFC3986_SUBDELIMS + "/~:@") + tail
