"""axe-core's WCAG 2.1 A and AA rules (labels, names, headings, landmarks, language,
contrast, keyboard access) run on the page Chromium shows."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
_AXE = Axe()


def wcag_problems(page) -> str:  # type: ignore[no-untyped-def]
    """The page's violations, a line each with the first few offending elements; "" if none."""
    violations = _AXE.run(page, options=WCAG_AA).response["violations"]
    return "\n".join(
        f"{page.url}: {item['id']}（{item['impact']}）{item['help']}："
        + "；".join(str(node["target"]) for node in item["nodes"][:3])
        for item in violations
    )
