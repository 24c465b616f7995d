"""The public API's own OpenAPI schema: served to anyone, valid, listing exactly the
public endpoints (and the staff schema leaves them out); schemathesis fuzzes every
operation anonymously against it, as tests/api/test_schemathesis.py does for the staff API."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from drf_spectacular.validation import validate_schema

from tests.api.test_schemathesis import run_operations
from tests.conftest import client_for

PUBLIC_PATHS = [
    "/api/public/draws/",
    "/api/public/matter-lists/",
    "/api/public/plans/",
    "/api/public/results/",
]


def _document():
    response = Client().get("/api/public/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_the_public_schema_is_served_anonymously_and_validates(db):
    document = _document()
    validate_schema(document)  # drf-spectacular's OpenAPI 3 validation; raises on an invalid document
    assert document["info"]["title"] == "罗庄区“双随机、一公开”公开数据接口"
    assert sorted(document["paths"]) == PUBLIC_PATHS
    results = document["paths"]["/api/public/results/"]["get"]
    assert sorted(results["responses"]) == ["200", "400", "404", "429"]
    assert [parameter["name"] for parameter in results["parameters"]] == [
        "credit_code",
        "cursor",
        "department",
        "outcome",
        "page_size",
        "year",
    ]
    fields = document["components"]["schemas"]["PublicResult"]["properties"]
    assert "operator_masked" in fields and len(fields) == 22


def test_the_staff_schema_leaves_the_public_api_out(outsider):
    document = client_for(outsider).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert not [path for path in document["paths"] if path.startswith("/api/public/")]


@pytest.mark.django_db
def test_every_public_operation_answers_within_its_schema(open_world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_api": "100000/60"}
    schema = schemathesis.openapi.from_dict(_document())
    schema.app = get_wsgi_application()
    assert run_operations(schema, max_examples=40) == []
