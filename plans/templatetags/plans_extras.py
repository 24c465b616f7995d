from decimal import Decimal

from django import template

from plans.snapshots import percent as format_percent

register = template.Library()


@register.filter
def percent(value: Decimal | None) -> str:
    """5.00 → "5%"; None → "" (the template decides what an absent cap reads as)."""
    return format_percent(value) if isinstance(value, Decimal) else ""
