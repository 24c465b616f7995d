from django.test import Client
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent
from tests.conftest import PASSWORD


def test_a_login_a_failed_login_and_a_logout_are_audited_with_the_address(staff):
    client = Client(REMOTE_ADDR="10.1.2.3")
    response = client.post(reverse("login"), {"username": "staff1", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    client.post(reverse("login"), {"username": "staff1", "password": PASSWORD})
    client.post(reverse("logout"))
    events = list(
        AuditEvent.objects.filter(action__startswith="auth.")
        .order_by("id")
        .values_list("action", "username", "result", "client_ip")
    )
    assert events == [
        ("auth.login_failed", "staff1", "failed", "10.1.2.3"),
        ("auth.login", "staff1", "ok", "10.1.2.3"),
        ("auth.logout", "staff1", "ok", "10.1.2.3"),
    ]


def test_a_forged_forwarded_for_header_is_ignored_without_trusted_proxies(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4").post(
        reverse("login"), {"username": "staff1", "password": "wrong"}
    )
    assert AuditEvent.objects.get(action="auth.login_failed").client_ip == "10.0.0.9"


def test_with_one_trusted_proxy_the_client_is_the_last_forwarded_address(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7").post(
        reverse("login"), {"username": "staff1", "password": "wrong"}
    )
    assert AuditEvent.objects.get(action="auth.login_failed").client_ip == "192.0.2.7"


def test_a_logged_in_user_sees_the_login_page_as_a_redirect_home(staff):
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("login"))["Location"] == reverse("staff-home")
