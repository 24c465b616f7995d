"""The staff API against its own OpenAPI schema (/api/schema/), fuzzed by schemathesis.

Runs as a signed-in user of one department (区教育局's staff, not the office): every
operation the schema lists, with generated data, must answer without a server error and
with a body and content type the schema allows. The schema grows as apps add endpoints;
while it lists none, the test is skipped with that reason.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.conftest import client_for

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def api_user(outsider):
    return outsider


@pytest.fixture
def api_cookies(api_user):
    client = client_for(api_user)
    client.get("/accounts/password/")  # a form page sets the CSRF cookie; unsafe methods need it
    return {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: client.cookies[settings.CSRF_COOKIE_NAME].value,
    }


@contextmanager
def _connection_kept_open():
    """Django's WSGI handler closes the database connection around each request; its test
    client does not, and neither may this test: on PostgreSQL the connection holds the
    test's transaction. (Entered after the fixtures: the test client reconnects the signal.)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(api_cookies):
    cookie = "; ".join(f"{name}={value}" for name, value in api_cookies.items())
    raw = Client().get("/api/schema/", HTTP_COOKIE=cookie, HTTP_ACCEPT="application/json")
    assert raw.status_code == 200, raw.content
    document = raw.json() if raw["Content-Type"].startswith("application/json") else None
    if document is None:
        import yaml

        document = yaml.safe_load(raw.content)
    if not document.get("paths"):
        pytest.skip("/api/schema/ 尚未列出任何接口")
    schema = schemathesis.openapi.from_dict(document)
    schema.app = get_wsgi_application()
    return schema


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()  # an operation the schema cannot describe fails here, naming it


def run_operations(schema, *, max_examples=25, **call_kwargs):
    """Every operation's hypothesis test, built and run here (schemathesis's own pytest
    integration needs pytest internals that pytest 9 changed); returns the failures."""
    failures = []
    with _connection_kept_open():
        for operation in _operations(schema):

            @given(case=operation.as_strategy())
            @hypothesis_settings(
                max_examples=max_examples,
                deadline=None,
                database=None,
                derandomize=True,  # the same examples on every run: CI must not be a lottery
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                case.call_and_validate(checks=CHECKS, **call_kwargs)

            try:
                run()
            except Exception as error:  # collect every operation's failure, then report them all
                failures.append(f"{operation.label}: {error}")
    return failures


@pytest.mark.django_db
def test_every_api_operation_answers_within_its_schema_without_server_errors(api_schema, api_cookies):
    headers = {"X-CSRFToken": api_cookies[settings.CSRF_COOKIE_NAME]}
    assert run_operations(api_schema, headers=headers, cookies=api_cookies) == []


def test_the_schema_is_served_to_signed_in_users_only(outsider):
    assert Client().get("/api/schema/").status_code == 403
    response = client_for(outsider).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "罗庄区“双随机、一公开”监管平台 API"
