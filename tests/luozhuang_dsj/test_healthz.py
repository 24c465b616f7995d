import json

import pytest
from django.test import Client


def test_health_reports_the_database(db, settings):
    settings.REDIS_URL = None
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "redis": "not configured"}


@pytest.mark.redis
def test_health_checks_redis_when_configured(db):
    response = Client().get("/healthz")
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_fails_with_503_when_redis_is_unreachable(db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error", "database": "ok", "redis": "error"}


def test_an_id_beyond_any_database_column_is_not_found(staff):
    from tests.conftest import client_for

    client = client_for(staff)
    assert client.get("/work/tasks/99999999999999999999/").status_code == 404
    assert client.get("/api/registry/targets/99999999999999999999/").status_code == 404
    assert client.get("/api/registry/targets/", {"sub_registry": "99999999999999999999"}).status_code == 400
