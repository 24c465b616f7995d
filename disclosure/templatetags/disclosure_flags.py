"""The publication flags on the department's and the office's home pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from disclosure import selectors
from disclosure.models import Objection

register = template.Library()


@register.inclusion_tag("disclosure/staff/snippets/publication_flags.html", takes_context=True)
def publication_flags(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    today = timezone.localdate()
    rows = selectors.publications_for(user)
    pending = list(rows.filter(status="pending").order_by("due_on")[:50])
    return {
        "counts": selectors.publication_counts(rows, today=today),
        "open_objections": selectors.objections_for(user).filter(status=Objection.Status.FILED).count(),
        "coverage": selectors.calendar_coverage(pending, today=today),
    }
