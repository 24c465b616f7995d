"""Published results as the public pages show them, built in Python.

The business page and the search (twenty results at a time) are the portal's busiest pages
(issue 7's benchmark); rendering their rows node by node in the template language cost
more than finding them. The markup here is the markup the templates had.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from urllib.parse import quote

from django import template
from django.forms import BoundField, Form
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString

from disclosure.models import Objection
from disclosure.selectors import PublicResult, PublicRow
from luozhuang_dsj.lib.markup import escape, safe_join
from luozhuang_dsj.lib.pagination import PeekPage

register = template.Library()


def day(value: datetime.date | datetime.datetime | None, zone: datetime.tzinfo | None = None) -> str:
    """Y-m-d, a moment in local time (as the template filter date:"Y-m-d"); `zone` is the
    current time zone, passed in by a caller formatting many moments (looking it up, and
    strftime, were two fifths of the rows' cost)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(zone or timezone.get_current_timezone())
        value = value.date()
    return value.isoformat()


@register.filter
def result_label(row: PublicResult) -> SafeString:
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
def search_result_rows(rows: list[PublicRow]) -> SafeString:
    """The search's table rows: the business (linked to its page), department, matter and
    task, result, dates. Rows from disclosure.selectors.search_rows; a row from the newest
    results a process holds (RecentResults) is built once there, for this URL prefix and
    time zone."""
    business, zone = url_maker("public-business"), timezone.get_current_timezone()
    context = (business(""), zone)
    parts = []
    for row in rows:
        kept = getattr(row, "markup", None)
        markup = kept.get((row.pk, context)) if kept is not None else None
        if markup is None:
            markup = _search_row(row, business, zone)
            if kept is not None:
                kept[row.pk, context] = markup
        parts.append(markup)
    return safe_join(parts)


def _search_row(row: PublicRow, business: Callable[[object], str], zone: datetime.tzinfo) -> str:
    return _SEARCH_ROW.format(
        url=escape(business(row.credit_code)),
        name=escape(row.target_name),
        code=escape(row.credit_code),
        department=escape(row.department_short_name),
        matter=escape(row.matter_name),
        task=escape(row.task_title),
        label=result_label(row),
        inspected=day(row.inspected_on),
        published=day(row.published_at, zone),
    )


_FIELD = (
    '<div class="field">\n    <label for="{id}">{label}</label>\n    {widget}\n    {errors}\n  </div>\n  '
)


@register.simple_tag
def search_form_fields(form: Form) -> SafeString:
    """The search form's fields, each with its label and errors (the markup of a template
    loop over the fields, built here: the form is on every search page)."""
    return safe_join(
        _FIELD.format(
            id=escape(field.id_for_label),
            label=escape(str(field.label)),
            widget=field,  # the widget's markup (disclosure.forms: values escaped there)
            errors=_field_errors(field),
        )
        for field in form
    )


def _field_errors(field: BoundField) -> str:
    """A field's errors, in the element its widget's aria-describedby names."""
    if not field.errors:
        return ""
    messages = "".join(f'<p class="error" role="alert">{escape(str(error))}</p>' for error in field.errors)
    return f'<div id="{escape(field.auto_id)}_error">{messages}</div>'


@register.simple_tag(takes_context=True)
def search_pagination(context: template.Context, page: PeekPage) -> SafeString:
    """Previous and next for a PeekPage (a list that is not counted), keeping the other
    parameters of the request."""
    if not (page.has_previous or page.has_next or page.total):
        return safe_join([])
    kept = "".join(
        f"{escape(key)}={escape(quote(value, safe='/'))}&amp;"
        for key, value in context["request"].GET.items()
        if key != "page"
    )
    if page.total is not None:
        state = f"，共 {page.total} 条"
    elif not page.rows:
        state = "（没有更多结果）"
    elif not page.has_next and page.more:
        state = "（已到最后可翻阅的一页，请缩小查询范围）"
    else:
        state = ""
    return safe_join(
        [
            '<nav class="pagination" aria-label="分页">\n  ',
            f'<a href="?{kept}page={page.previous_page_number}">上一页</a>' if page.has_previous else "",
            f"\n  <span>第 {page.number} 页{state}</span>\n  ",
            f'<a href="?{kept}page={page.next_page_number}">下一页</a>' if page.has_next else "",
            "\n</nav>",
        ]
    )


def url_maker(name: str, sample: object = "KEY") -> Callable[[object], str]:
    """reverse(name, args=[value]) for many values at the cost of one reverse: the path
    around a sample value (of the type the URL takes), the value quoted as reverse()
    quotes it. The path around it is kept for the URLconf and script prefix in force."""
    head, tail = _url_around(name, str(sample), get_urlconf(), get_script_prefix())
    return lambda value: head + quote(str(value), safe=RFC3986_SUBDELIMS + "/~:@") + tail


@functools.lru_cache(maxsize=64)
def _url_around(name: str, sample: str, urlconf: str | None, prefix: str) -> tuple[str, str]:
    """The path of `name` before and after its one argument. The URLconf and the script
    prefix, which reverse() reads from the current thread, are part of the cache key."""
    head, _, tail = reverse(name, args=[sample], urlconf=urlconf).rpartition(sample)
    return head, tail


def objection_url_maker() -> Callable[[object], str]:
    return url_maker("public-objection", 987654321)


_OBJECTION = (
    '<p class="cell-line">异议 {reference}（{filed}）：<span class="tag{tag}">{status}</span>{reason}</p>'
)
_OBJECTION_TAGS = {Objection.Status.CORRECTED: " tag-warn", Objection.Status.UPHELD: " tag-ok"}
_OBJECTION_LINK = (
    '<a class="objection-link" href="{url}">对该结果提出异议'
    '<span class="visually-hidden">（{name} {matter}）</span></a>'
)


def objections_markup(row: PublicResult, objection_url: Callable[[object], str]) -> str:
    """What the public sees of the objections to one result (reference, date, status,
    decision; never the contact), and the link to object."""
    parts = [
        _OBJECTION.format(
            reference=escape(objection.reference),
            filed=day(objection.filed_at),
            tag=_OBJECTION_TAGS.get(objection.status, ""),
            status=escape(objection.get_status_display()),
            reason=f" {escape(objection.decision_reason)}" if objection.decision_reason else "",
        )
        for objection in getattr(row, "public_objections", ())
    ]
    parts.append(
        _OBJECTION_LINK.format(
            url=escape(objection_url(row.pk)), name=escape(row.target_name), matter=escape(row.matter_name)
        )
    )
    return "".join(parts)


@register.filter
def objections_cell(row: PublicResult) -> SafeString:
    return safe_join([objections_markup(row, objection_url_maker())])


_BUSINESS_ROW = (
    '<tr><td>{department}</td><td><a href="{task_url}">{task}</a><br><span class="muted">{task_code}</span></td>'
    "<td>{matter}</td><td>{label}</td><td>{inspected}</td><td>{published}</td><td>{objections}</td></tr>"
)


@register.simple_tag
def business_result_rows(rows: list[PublicRow]) -> SafeString:
    """A business page's table rows for one year: department, task (linked), matter,
    result, dates, objections. Rows from disclosure.selectors.business_results."""
    task_url, objection_url = url_maker("public-task"), objection_url_maker()
    zone = timezone.get_current_timezone()
    return safe_join(
        _BUSINESS_ROW.format(
            department=escape(row.department_short_name),
            task_url=escape(task_url(row.task_code)),
            task=escape(row.task_title),
            task_code=escape(row.task_code),
            matter=escape(row.matter_name),
            label=result_label(row),
            inspected=day(row.inspected_on),
            published=day(row.published_at, zone),
            objections=objections_markup(row, objection_url),
        )
        for row in rows
    )
