"""The public rows built in Python (disclosure/templatetags/public_results.py) link where
reverse() links and escape every value."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.urls import reverse, set_script_prefix

from disclosure.models import Objection
from disclosure.templatetags.public_results import (
    business_result_rows,
    objection_url_maker,
    objections_markup,
    url_maker,
)


def test_urls_are_those_of_reverse_for_any_key():
    business = url_maker("public-business")
    for code in ("91371311MA3C8XYZ1A", "产品-批次 A1", "a&b?c#d%"):
        assert business(code) == reverse("public-business", args=[code])
    assert objection_url_maker()(42) == reverse("public-objection", args=[42])


def test_urls_follow_the_script_prefix_in_force():
    """The path around the key is kept per script prefix: a site served under a prefix
    links under it, and the next request without one does not."""
    code = "91371311MA3C8XYZ1A"
    plain = url_maker("public-business")(code)
    set_script_prefix("/gongshi/")
    try:
        assert url_maker("public-business")(code) == "/gongshi" + plain
    finally:
        set_script_prefix("/")
    assert url_maker("public-business")(code) == plain == reverse("public-business", args=[code])


def row(**values):
    fields = {
        "pk": 7,
        "target_name": "<b>罗庄区鑫源商店</b>",
        "matter_name": "经营行为的检查",
        "department_short_name": "区市场监管局",
        "task_code": "SJ-2026-001",
        "task_title": "2026年度抽查",
        "result_label": "未发现问题",
        "corrected_label": "",
        "inspected_on": datetime.date(2026, 3, 2),
        "published_at": datetime.datetime(2026, 3, 20, 23, 30, tzinfo=datetime.UTC),
    }
    return SimpleNamespace(**{**fields, **values})


def test_an_objection_shows_its_status_and_decision_never_more():
    objection = Objection(
        reference="YY20260001",
        status=Objection.Status.CORRECTED,
        decision_reason="经复核 <已更正>",
        filed_at=datetime.datetime(2026, 3, 25, 1, 0, tzinfo=datetime.UTC),
        contact_name="张三",
    )
    html = objections_markup(row(public_objections=[objection]), objection_url_maker())
    assert html == (
        '<p class="cell-line">异议 YY20260001（2026-03-25）：<span class="tag tag-warn">已更正</span>'
        " 经复核 &lt;已更正&gt;</p>"
        f'<a class="objection-link" href="{reverse("public-objection", args=[7])}">对该结果提出异议'
        '<span class="visually-hidden">（&lt;b&gt;罗庄区鑫源商店&lt;/b&gt; 经营行为的检查）</span></a>'
    )


def test_a_business_row_in_local_dates_with_its_task_linked():
    html = business_result_rows([row()])
    assert html.startswith(
        f'<tr><td>区市场监管局</td><td><a href="{reverse("public-task", args=["SJ-2026-001"])}">2026年度抽查</a>'
        '<br><span class="muted">SJ-2026-001</span></td><td>经营行为的检查</td><td>未发现问题</td>'
        "<td>2026-03-02</td><td>2026-03-21</td>"  # 23:30 UTC is the next morning in Beijing
    )
    assert "<b>" not in html
