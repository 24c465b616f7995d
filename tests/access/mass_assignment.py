"""Mass assignment (批量赋值) checks for forms and serializers.

A form or serializer must take only the fields its action allows. These helpers send a
valid payload plus fields an attacker would add (another department, a status, an
author, superuser flags) and assert the database kept its values, whether the request
was accepted (the extra fields ignored) or refused.

    assert_mass_assignment_ignored(
        client, reverse("plan-edit", args=[plan.pk]), valid_form_data,
        instance=plan, extra=attacker_fields(other_department=jyj, other_user=outsider),
    )
    assert_serializer_ignores(PlanSerializer, valid_data, attacker_fields(...))
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Model
from django.test import Client
from django.utils.datastructures import MultiValueDict

# Fields no form or serializer of this project should take from a request body.
WATCHED_FIELDS = (
    "department",
    "department_id",
    "status",
    "created_by",
    "created_by_id",
    "owner",
    "is_superuser",
    "is_staff",
    "is_active",
    "password",
    "username",
    "published_at",
)


def attacker_fields(*, other_department: Any, other_user: Any) -> dict[str, Any]:
    return {
        "department": other_department.pk,
        "department_id": other_department.pk,
        "status": "published",
        "created_by": other_user.pk,
        "created_by_id": other_user.pk,
        "owner": other_user.pk,
        "is_superuser": "on",
        "is_staff": "on",
        "published_at": "2020-01-01T00:00:00+08:00",
    }


def _snapshot(instance: Model, fields: Iterable[str]) -> dict[str, Any]:
    instance.refresh_from_db()
    return {
        field: getattr(instance, field)
        for field in fields
        if hasattr(instance, field) and not callable(getattr(instance, field))
    }


def assert_mass_assignment_ignored(
    client: Client,
    url: str,
    data: dict[str, Any],
    *,
    instance: Model,
    extra: dict[str, Any],
    fields: Iterable[str] = WATCHED_FIELDS,
    method: str = "post",
    allowed_changes: Iterable[str] = (),
) -> Any:
    """Send `data` plus `extra`; the watched fields of `instance` must not change, except
    the ones listed in `allowed_changes` (fields the form legitimately sets from `data`)."""
    watched = [field for field in fields if field not in set(allowed_changes)]
    before = _snapshot(instance, watched)
    payload = {**extra, **data}
    if method == "post":
        response = client.post(url, payload)
    else:
        response = getattr(client, method)(url, json.dumps(payload), content_type="application/json")
    assert response.status_code < 500, f"{method.upper()} {url} answered {response.status_code}"
    assert _snapshot(instance, watched) == before, f"{url} took fields it must not: {sorted(extra)}"
    return response


def assert_serializer_ignores(
    serializer_class: type, data: dict[str, Any], extra: dict[str, Any], **kwargs: Any
) -> None:
    """A serializer given `extra` either refuses the data or leaves `extra` out of what it saves."""
    serializer = serializer_class(data={**extra, **data}, **kwargs)
    if serializer.is_valid():
        taken = set(serializer.validated_data) & (set(extra) - set(data))
        assert not taken, f"{serializer_class.__name__} accepts {sorted(taken)}"


def form_data(form_or_dict: Any) -> dict[str, Any]:
    """A QueryDict-like mapping as a plain dict, for building payloads from initial data."""
    if isinstance(form_or_dict, MultiValueDict):
        return {key: form_or_dict.getlist(key) for key in form_or_dict}
    return dict(form_or_dict)
