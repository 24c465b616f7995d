"""The reusable rate limit (views and DRF) and the start-up checks."""

import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from luozhuang_dsj.apps import require_defusedxml
from luozhuang_dsj.lib.ratelimit import ClientAddressThrottle, Rate, rate_limit


@pytest.fixture
def two_per_minute(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test_scope": "2/60"}


def test_the_view_decorator_counts_only_the_listed_methods_per_address(two_per_minute, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    @rate_limit("test_scope", methods=("GET",))
    def view(request):
        return HttpResponse("好")

    factory = RequestFactory()
    one = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert [view(factory.get("/", **one)).status_code for _ in range(3)] == [200, 200, 429]
    assert view(factory.post("/", **one)).status_code == 200  # POST is not counted here
    other = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.6"}
    assert view(factory.get("/", **other)).status_code == 200
    refused = view(factory.get("/", **one))
    assert refused["Retry-After"].isdigit() and 1 <= int(refused["Retry-After"]) <= 60
    assert "您的操作过于频繁" in refused.content.decode()


def test_the_drf_throttle_answers_429_after_the_rate(two_per_minute, db):
    class Search(APIView):
        permission_classes = [AllowAny]
        throttle_classes = [ClientAddressThrottle.of("test_scope")]

        def get(self, request):
            return Response({"ok": True})

    view = Search.as_view()
    factory = APIRequestFactory()
    statuses = [view(factory.get("/", REMOTE_ADDR="198.51.100.1")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert view(factory.get("/", REMOTE_ADDR="198.51.100.2")).status_code == 200


def test_a_missing_or_malformed_rate_is_refused_at_import_time(settings):
    with pytest.raises(ImproperlyConfigured, match="no rate named 'nowhere'"):
        ClientAddressThrottle.of("nowhere")
    with pytest.raises(ImproperlyConfigured, match="count/seconds"):
        Rate.parse("20 per minute")


def test_the_app_refuses_to_start_without_defusedxml(monkeypatch):
    monkeypatch.setitem(sys.modules, "defusedxml", None)
    with pytest.raises(ImproperlyConfigured, match="缺少 defusedxml"):
        require_defusedxml()


def test_the_app_refuses_to_start_when_openpyxl_does_not_use_defusedxml(monkeypatch):
    import openpyxl.xml

    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(ImproperlyConfigured, match="openpyxl 未启用 defusedxml"):
        require_defusedxml()


def test_openpyxl_parses_with_defusedxml_here():
    import openpyxl.xml

    require_defusedxml()
    assert openpyxl.xml.DEFUSEDXML is True
