"""Transport and headers: the production settings, the content security policy, CSRF."""

import base64
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


# What a production environment would not carry over from the test run.
NOT_INHERITED = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "FIELD_ENCRYPTION_KEY",
    "REQUIRE_2FA",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' Playwright fixture
}


def _production_env(**overrides):
    environ = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    environ.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="dsj.luozhuang.gov.cn",
        CSRF_TRUSTED_ORIGINS="https://dsj.luozhuang.gov.cn",
        TRUSTED_PROXY_COUNT="1",
        FIELD_ENCRYPTION_KEY="k1:" + base64.urlsafe_b64encode(os.urandom(32)).decode(),
    )
    environ.update(overrides)
    return environ


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_settings(**env):
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "REQUIRE_2FA",
        "X_FRAME_OPTIONS",
    ]
    code = f"from django.conf import settings; import json; print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    result = _manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_pass_the_deploy_check_with_warnings_as_failures():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_https_is_enforced():
    assert _production_settings() == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "REQUIRE_2FA": True,
        "X_FRAME_OPTIONS": "DENY",
    }


def test_hsts_is_configured_from_the_environment():
    chosen = _production_settings(HSTS_SECONDS="86400", HSTS_INCLUDE_SUBDOMAINS="false")
    assert (chosen["SECURE_HSTS_SECONDS"], chosen["SECURE_HSTS_INCLUDE_SUBDOMAINS"]) == (86400, False)


def test_production_refuses_to_start_without_two_factor_sign_in():
    result = _manage("check", REQUIRE_2FA="false")
    assert result.returncode == 2
    assert result.stderr.strip() == "环境变量 REQUIRE_2FA 配置错误：关闭 DEBUG 的生产环境必须开启双因素认证。"


def test_production_refuses_to_start_without_a_field_encryption_key():
    environ = _production_env()
    del environ["FIELD_ENCRYPTION_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("环境变量 FIELD_ENCRYPTION_KEY 配置错误：未设置。")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("nokeyid", "格式应为 编号:密钥[,编号:密钥…]，编号只含字母和数字。"),
        (
            "k1:" + base64.urlsafe_b64encode(b"short").decode(),
            "密钥 k1 长度应为 32 字节（256 位），实际为 5 字节。",
        ),
        ("k1:@@@@", "密钥 k1 不是有效的 base64 编码。"),
    ],
)
def test_a_malformed_field_encryption_key_is_refused_naming_the_problem(value, problem):
    from luozhuang_dsj.lib.env import SettingsError, env_encryption_keys

    with pytest.raises(SettingsError) as caught:
        env_encryption_keys("FIELD_ENCRYPTION_KEY", environ={"FIELD_ENCRYPTION_KEY": value})
    assert str(caught.value) == f"环境变量 FIELD_ENCRYPTION_KEY 配置错误：{problem}"


def test_pages_carry_a_content_security_policy_without_unsafe_inline(db):
    policy = Client().get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_template_has_inline_scripts_styles_or_event_handlers():
    offending = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"javascript:",
        ):
            if re.search(pattern, text, flags=re.IGNORECASE):
                offending.append(f"{template.relative_to(ROOT)}: {pattern}")
    assert offending == []


def test_a_forged_or_stale_form_gets_a_chinese_page_and_changes_nothing(staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "staff1", "password": "Test-Passw0rd!"})
    assert response.status_code == 403
    assert "页面已过期或请求来源无法验证，本次提交没有保存。" in response.content.decode()
    assert "_auth_user_id" not in client.session
