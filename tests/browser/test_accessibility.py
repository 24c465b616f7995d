"""Every kind of public page passes axe-core's WCAG 2.1 A and AA rules in Chromium (labels,
names, headings, landmarks, language, contrast), on a phone-sized and a desktop screen.

The pages are those the privacy crawl reaches (every public view with the access matrix's
samples, and the links found on them), one page per URL pattern.
"""

from __future__ import annotations

from collections import deque

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests.browser.a11y import wcag_problems
from tests.disclosure.test_privacy_crawl import _links, _seeds, personal_world  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _public_pages(seeds: list[str]) -> list[str]:
    """One HTML page per URL pattern, breadth first from the seeds."""
    client = Client()
    queue, seen, pages, patterns = deque([*seeds, "/search/?q=罗庄"]), set(), [], set()
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            pattern = resolve(path.split("?")[0]).route + ("?" if "?" in path else "")
        except Resolver404:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if pattern not in patterns:
            patterns.add(pattern)
            pages.append(path)
        queue.extend(link for link in _links(response.content.decode()) if link not in seen)
    return pages


@pytest.mark.usefixtures("reference_data", "personal_world")
@pytest.mark.parametrize("viewport", [{"width": 375, "height": 740}, {"width": 1280, "height": 900}])
def test_every_kind_of_public_page_passes_wcag_aa(live_server, chromium, cast, scjg, jyj, viewport):
    pages = _public_pages(_seeds(cast, scjg, jyj))
    assert {"/", "/search/", "/search/?q=罗庄", "/draws/", "/lists/", "/plans/", "/open-data/"} <= set(pages)
    for prefix in ("/businesses/", "/tasks/", "/results/", "/objections/"):  # the pages with data on them
        assert any(path.startswith(prefix) for path in pages), prefix
    context = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    page = context.new_page()
    problems = []
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        problems.append(wcag_problems(page))
    context.close()
    assert not any(problems), "\n".join(filter(None, problems))
