"""The portal's forms take only the fields their action allows (tests/access/mass_assignment.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from disclosure.models import Objection
from tests.access.mass_assignment import assert_mass_assignment_ignored, attacker_fields
from tests.conftest import client_for
from tests.disclosure.helpers import published, target
from tests.disclosure.test_objections import _form

pytestmark = pytest.mark.django_db

ROW_FIELDS = (
    "department_id",
    "credit_code",
    "target_name",
    "result_label",
    "corrected_label",
    "published_at",
)


@pytest.fixture
def row(scjg, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return published(scjg, target(51, "批量赋值测试商店"), codes=("02",))


def test_the_public_objection_form_sets_no_status_department_or_result_fields(row, jyj, outsider):
    client = Client()
    extra = attacker_fields(other_department=jyj, other_user=outsider) | {
        "reference": "YY-CHOSEN",
        "decision_reason": "已更正",
        "corrected_label": "未发现问题",
        "published_result": row.pk + 1,
        "decided_by": outsider.pk,
    }
    assert_mass_assignment_ignored(
        client,
        reverse("public-objection", args=[row.pk]),
        _form(client, row),
        instance=row,
        extra=extra,
        fields=ROW_FIELDS,
    )
    objection = Objection.objects.get()
    assert (objection.status, objection.department_id, objection.published_result_id) == (
        "filed",
        row.department_id,
        row.pk,
    )
    assert (
        objection.reference != "YY-CHOSEN"
        and objection.decision_reason == ""
        and objection.decided_by is None
    )


def test_the_decision_form_changes_only_the_decision(row, head, jyj, outsider):
    client = Client()
    client.post(reverse("public-objection", args=[row.pk]), _form(client, row))
    objection = Objection.objects.get()
    extra = attacker_fields(other_department=jyj, other_user=outsider) | {
        "contact_phone": "13000000000",
        "reference": "YY-CHOSEN",
        "published_result": row.pk + 1,
        "decided_by": outsider.pk,
    }
    assert_mass_assignment_ignored(
        client_for(head),
        reverse("objection-detail", args=[objection.pk]),
        {"decision": "upheld", "reason": "属实"},
        instance=objection,
        extra=extra,
        fields=("department_id", "published_result_id", "contact_phone", "reference", "filed_at"),
    )
    objection.refresh_from_db()
    assert (objection.status, objection.decided_by) == ("upheld", head)
