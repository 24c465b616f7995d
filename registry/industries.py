"""国民经济行业分类 (GB/T 4754-2017) divisions, read once from data/industries.csv."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from django.conf import settings


@cache
def divisions() -> dict[str, str]:
    """Two-digit division code → name, in code order."""
    with open(Path(settings.BASE_DIR) / "data" / "industries.csv", encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def division_name(industry_code: str) -> str:
    return divisions().get((industry_code or "")[:2], "")


def division_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {name}") for code, name in divisions().items()]
