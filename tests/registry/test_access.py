"""Every registry page against every role of the fixed cast (GET)."""

import pytest
from django.urls import reverse

from registry.models import Department, Inspector, SubRegistry, Target
from tests import sheets
from tests.conftest import client_for

EDITORS = {"office": 200, "staff": 200, "head": 200, "outsider": 200}
REFUSED = {"inspector": 403, "auditor": 403, "sysadmin": 403, "secadmin": 403}

EXPECTED = {
    "target-list": EDITORS | REFUSED,
    "target-detail": EDITORS | REFUSED,
    "target-create": {"office": 200, "staff": 403, "head": 403, "outsider": 403} | REFUSED,
    "target-edit": {"office": 200, "staff": 403, "head": 403, "outsider": 403} | REFUSED,
    "target-import": {"office": 200, "staff": 403, "head": 403, "outsider": 403} | REFUSED,
    "sub-registry-list": EDITORS | REFUSED,
    "sub-registry-detail": {"office": 200, "staff": 200, "head": 200, "outsider": 404} | REFUSED,
    "sub-registry-edit": {"office": 200, "staff": 200, "head": 200, "outsider": 404} | REFUSED,
    "sub-registry-import": {"office": 200, "staff": 200, "head": 200, "outsider": 404} | REFUSED,
    "sub-registry-create": EDITORS | REFUSED,
    "inspector-list": EDITORS | REFUSED,
    "inspector-detail": {"office": 200, "staff": 200, "head": 200, "outsider": 404} | REFUSED,
    "inspector-edit": {"office": 200, "staff": 200, "head": 200, "outsider": 404} | REFUSED,
    "inspector-create": EDITORS | REFUSED,
    "inspector-import": EDITORS | REFUSED,
    "my-conflicts": {
        "office": 403,
        "staff": 403,
        "head": 403,
        "outsider": 403,
        "inspector": 200,
        "auditor": 403,
        "sysadmin": 403,
        "secadmin": 403,
    },
}


@pytest.fixture
def objects(db):
    scjg = Department.objects.get(code="SCJG")
    return {
        "target": Target.objects.create(code=sheets.code(1), name="甲"),
        "sub_registry": SubRegistry.objects.create(department=scjg, name="食品经营者"),
        "inspector": Inspector.objects.create(
            code="SCJG-1", name="王明", department=scjg, category="行政执法类公务员"
        ),
    }


def url_for(name, objects):
    if name.startswith("target-") and name in {"target-detail", "target-edit"}:
        return reverse(name, args=[objects["target"].pk])
    if name in {"sub-registry-detail", "sub-registry-edit", "sub-registry-import"}:
        return reverse(name, args=[objects["sub_registry"].pk])
    if name in {"inspector-detail", "inspector-edit"}:
        return reverse(name, args=[objects["inspector"].pk])
    return reverse(name)


@pytest.mark.parametrize("name", EXPECTED)
def test_each_registry_page_answers_each_role_as_its_rule_says(name, cast, objects):
    got = {role: client_for(user).get(url_for(name, objects)).status_code for role, user in cast.items()}
    assert got == EXPECTED[name]


def test_anonymous_visitors_are_sent_to_the_login_page(client, objects):
    for name in EXPECTED:
        response = client.get(url_for(name, objects))
        assert (response.status_code, response["Location"].startswith("/accounts/login/")) == (302, True)
    assert client.get("/api/registry/targets/").status_code == 403
    assert client.get("/api/schema/").status_code == 403
