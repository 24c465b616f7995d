from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """`{{ weights|lookup:key }}`: a dict's value in a template."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return ""
