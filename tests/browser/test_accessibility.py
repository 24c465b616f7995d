"""Every kind of page passes axe-core's WCAG 2.1 A and AA rules in Chromium (labels,
names, headings, landmarks, language, contrast, keyboard access): the public side on a
phone-sized and a desktop screen, the staff side on a phone, signed in as the office (who
reaches the most pages), a department's staff and an inspector.

The pages are found by crawling, one page per URL pattern: from every public view with the
access matrix's samples (the privacy crawl's seeds) for the public side, from /work/ for
the staff side, following the links on each page. The crawl also asserts that every page
it reaches opens.
"""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests.browser.a11y import wcag_problems
from tests.browser.helpers import sign_in
from tests.conftest import client_for
from tests.disclosure.test_privacy_crawl import _links, _seeds, personal_world  # noqa: F401 - a fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "personal_world"),
]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _staff_links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="(/work/[^"#]*)"', html)]


def _crawl(client: Client, seeds: list[str], links) -> list[str]:  # type: ignore[no-untyped-def]
    """One HTML page per URL pattern (a query string makes a pattern of its own), breadth
    first from the seeds."""
    queue, seen, pages, patterns = deque(seeds), set(), [], set()
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            pattern = resolve(path.split("?")[0]).route + ("?" if "?" in path else "")
        except Resolver404:
            continue
        if pattern in patterns or "logout" in path:
            continue
        response = client.get(path)
        assert response.status_code < 500, f"{path}: {response.status_code}"
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            seen.discard(response["Location"])
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        patterns.add(pattern)
        pages.append(path)
        queue.extend(link for link in links(response.content.decode()) if link not in seen)
    return pages


def _problems(chromium, live_server, pages, viewport, username=None) -> str:  # type: ignore[no-untyped-def]
    context = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    page = context.new_page()
    if username:
        sign_in(page, live_server, username)
    problems = []
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        problems.append(wcag_problems(page))
    context.close()
    return "\n".join(filter(None, problems))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP])
def test_every_kind_of_public_page_passes_wcag_aa(live_server, chromium, cast, scjg, jyj, viewport):
    pages = _crawl(Client(), [*_seeds(cast, scjg, jyj), "/search/?q=罗庄"], _links)
    assert {"/", "/search/", "/search/?q=罗庄", "/draws/", "/lists/", "/plans/", "/open-data/"} <= set(pages)
    for prefix in ("/businesses/", "/tasks/", "/results/", "/objections/"):  # the pages with data on them
        assert any(path.startswith(prefix) for path in pages), prefix
    assert _problems(chromium, live_server, pages, viewport) == ""


@pytest.mark.parametrize(("role", "at_least"), [("office", 50), ("staff", 40), ("inspector", 5)])
def test_every_kind_of_staff_page_passes_wcag_aa_on_a_phone(live_server, chromium, cast, role, at_least):
    user = cast[role]
    pages = _crawl(client_for(user), ["/work/"], _staff_links)
    assert len(pages) >= at_least
    assert _problems(chromium, live_server, pages, PHONE, username=user.username) == ""
