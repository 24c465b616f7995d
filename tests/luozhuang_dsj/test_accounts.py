"""身份鉴别: lockout, two-factor sign-in, password age and strength, session limits."""

import datetime as dt
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from luozhuang_dsj import accounts
from luozhuang_dsj.models import AuditEvent, User
from luozhuang_dsj.services import user_create
from tests.conftest import PASSWORD, client_for


def _login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _auth_events():
    return list(
        AuditEvent.objects.filter(action__startswith="auth.").order_by("id").values_list("action", "username")
    )


def _code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def _enrolled(user):
    return TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=True)


# ---- lockout -------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_and_then_even_the_right_one_is_refused(staff):
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(4):
        assert "用户名或密码错误" in _login(client, "staff1", "wrong").content.decode()
    fifth = _login(client, "staff1", "wrong")
    assert fifth.status_code == 403
    assert "该账号连续 5 次登录失败，已被锁定。请联系安全管理员核实身份后解锁。" in fifth.content.decode()
    refused = _login(client, "staff1")
    assert refused.status_code == 403
    assert "_auth_user_id" not in client.session
    assert _auth_events() == [("auth.login_failed", "staff1")] * 5 + [
        ("auth.lockout", "staff1"),
        ("auth.login_failed", "staff1"),
        ("auth.login_locked", "staff1"),
    ]
    assert accounts.is_locked_out(staff)


def test_failures_count_against_the_account_whatever_the_case_of_the_username(staff):
    client = Client()
    for username in ("staff1", "STAFF1", "Staff1", "sTaff1", "staff1"):
        _login(client, username, "wrong")
    assert accounts.is_locked_out(staff)
    assert _login(Client(), "staff1").status_code == 403


def test_a_complete_sign_in_starts_the_failure_count_again(staff):
    client = Client()
    for _ in range(4):
        _login(client, "staff1", "wrong")
    assert _login(client, "staff1").status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        _login(client, "staff1", "wrong")
    assert not accounts.is_locked_out(staff)


def test_the_security_admin_unlocks_an_account_with_a_reason_and_it_is_audited(staff, secadmin):
    for _ in range(5):
        _login(Client(), "staff1", "wrong")
    admin = client_for(secadmin)
    home = admin.get(reverse("security-home")).content.decode()
    assert "1 个已锁定" in home
    assert reverse("security-unlock", args=[staff.pk]) in home
    response = admin.post(reverse("security-unlock", args=[staff.pk]), {"reason": "本人电话核实"})
    assert response.status_code == 302
    assert not accounts.is_locked_out(staff)
    event = AuditEvent.objects.get(action="user.unlock")
    assert (event.username, event.role, event.object_key, event.after["reason"]) == (
        "secadmin1",
        "security_admin",
        "staff1",
        "本人电话核实",
    )
    assert _login(Client(), "staff1").status_code == 302


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "office", "staff"])
def test_nobody_but_the_security_admin_may_unlock_and_the_lock_stays(cast, who):
    for _ in range(5):
        _login(Client(), "head1", "wrong")
    response = client_for(cast[who]).post(reverse("security-unlock", args=[cast["head"].pk]), {"reason": "x"})
    assert response.status_code == 403
    assert accounts.is_locked_out(cast["head"])
    assert not AuditEvent.objects.filter(action="user.unlock").exists()


def test_an_unlock_without_a_reason_is_refused(staff, secadmin):
    for _ in range(5):
        _login(Client(), "staff1", "wrong")
    response = client_for(secadmin).post(reverse("security-unlock", args=[staff.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "该字段是必填项" in response.content.decode()
    assert accounts.is_locked_out(staff)


# ---- unique usernames ------------------------------------------------------------------


def test_a_username_differing_only_in_case_is_refused(staff, scjg):
    with pytest.raises(ValidationError) as caught:
        user_create(
            actor=None, username="STAFF1", name="x", department=scjg, roles=["dept_staff"], password=PASSWORD
        )
    assert caught.value.message_dict == {"username": ["该用户名已被使用。"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="Staff1", name="x", department=scjg)
    assert User.objects.filter(username__iexact="staff1").count() == 1


def test_sign_in_accepts_the_username_in_any_case(staff):
    client = Client()
    assert _login(client, "STAFF1").status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


# ---- two-factor sign-in -----------------------------------------------------------------


def test_an_office_user_must_enrol_a_second_factor_before_any_page(office_user, settings):
    settings.REQUIRE_2FA = True
    client = Client()
    _login(client, "office1")
    response = client.get(reverse("office-home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("otp-setup") + "?next=%2Fwork%2Foffice%2F"
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "<h1>启用双因素认证</h1>" in page
    device = TOTPDevice.objects.get(user=office_user, confirmed=False)
    wrong = client.post(reverse("otp-setup"), {"token": "000000", "next": "/work/office/"})
    assert "验证码不正确" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=office_user, confirmed=True).count() == 0
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)  # skip the back-off
    done = client.post(reverse("otp-setup"), {"token": _code(device), "next": "/work/office/"})
    assert done["Location"] == "/work/office/"
    assert client.get(reverse("office-home")).status_code == 200
    assert TOTPDevice.objects.get(user=office_user).confirmed is True
    assert AuditEvent.objects.filter(action="user.otp_enrol", username="office1").count() == 1


@pytest.mark.parametrize("who", ["office", "auditor", "sysadmin", "secadmin"])
def test_each_administrative_role_needs_a_second_factor_when_required(cast, who, settings):
    settings.REQUIRE_2FA = True
    client = Client()
    _login(client, cast[who].username)
    assert client.get(reverse("staff-home"))["Location"].startswith(reverse("otp-setup"))


@pytest.mark.parametrize("who", ["staff", "head", "inspector"])
def test_department_roles_sign_in_without_a_second_factor(cast, who, settings):
    settings.REQUIRE_2FA = True
    client = Client()
    _login(client, cast[who].username)
    home = client.get(reverse("staff-home"))
    assert not home["Location"].startswith("/accounts/")


def test_an_enrolled_user_gives_the_code_and_the_sign_in_is_audited(auditor, settings):
    settings.REQUIRE_2FA = True
    device = _enrolled(auditor)
    client = Client()
    _login(client, "auditor1")
    assert client.get(reverse("audit-home"))["Location"] == reverse("otp-verify") + "?next=%2Fwork%2Faudit%2F"
    response = client.post(reverse("otp-verify"), {"token": _code(device), "next": "/work/audit/"})
    assert response["Location"] == "/work/audit/"
    assert client.get(reverse("audit-home")).status_code == 200
    assert _auth_events() == [("auth.login", "auditor1"), ("auth.otp_verified", "auditor1")]


def test_an_optional_second_factor_is_asked_for_once_enrolled_even_in_the_demo(staff, settings):
    settings.REQUIRE_2FA = False
    _enrolled(staff)
    client = Client()
    _login(client, "staff1")
    assert client.get(reverse("department-home"))["Location"].startswith(reverse("otp-verify"))


def test_five_wrong_codes_lock_the_account_and_end_the_session(auditor, settings):
    settings.REQUIRE_2FA = True
    device = _enrolled(auditor)
    client = Client()
    _login(client, "auditor1")
    for _ in range(4):
        response = client.post(reverse("otp-verify"), {"token": "000000"})
        assert (
            "验证码不正确或已过期" in response.content.decode()
            or "验证码错误次数过多" in response.content.decode()
        )
        device.refresh_from_db()
        device.throttling_failure_timestamp = None  # skip django-otp's back-off delay
        device.save()
    fifth = client.post(reverse("otp-verify"), {"token": "000000"})
    assert fifth.status_code == 403
    assert "_auth_user_id" not in client.session
    assert accounts.is_locked_out(auditor)
    assert [a for a, _ in _auth_events()] == ["auth.login"] + ["auth.otp_failed"] * 5 + [
        "auth.lockout",
        "auth.logout",
    ]


def test_the_code_page_refuses_a_malformed_code_in_chinese(auditor, settings):
    settings.REQUIRE_2FA = True
    _enrolled(auditor)
    client = Client()
    _login(client, "auditor1")
    response = client.post(reverse("otp-verify"), {"token": "12ab"})
    assert "请输入 6 位数字验证码。" in response.content.decode()
    assert not AuditEvent.objects.filter(action="auth.otp_failed").exists()


def test_the_security_admin_resets_a_lost_second_factor(auditor, secadmin):
    _enrolled(auditor)
    response = client_for(secadmin).post(
        reverse("security-otp-reset", args=[auditor.pk]), {"reason": "手机丢失"}
    )
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=auditor).count() == 0
    event = AuditEvent.objects.get(action="user.otp_reset")
    assert (event.username, event.object_key, event.after) == (
        "secadmin1",
        "auditor1",
        {"reason": "手机丢失", "removed_devices": 1},
    )


def test_the_system_admin_cannot_reset_a_second_factor(auditor, sysadmin):
    _enrolled(auditor)
    response = client_for(sysadmin).post(reverse("security-otp-reset", args=[auditor.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=auditor).count() == 1


def test_an_enrolled_user_cannot_enrol_a_second_device_by_themself(auditor, settings):
    settings.REQUIRE_2FA = True
    _enrolled(auditor)
    client = Client()
    _login(client, "auditor1")
    assert client.get(reverse("otp-setup"))["Location"] == reverse("otp-verify")
    assert TOTPDevice.objects.filter(user=auditor).count() == 1


# ---- password age and strength -----------------------------------------------------------


def test_an_expired_password_must_be_changed_before_anything_else(staff):
    User.objects.filter(pk=staff.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client = Client()
    _login(client, "staff1")
    response = client.get(reverse("department-home"))
    assert response["Location"] == reverse("password-change") + "?next=%2Fwork%2Fdepartment%2F"
    page = client.get(reverse("password-change")).content.decode()
    assert "您的密码已超过 90 天未修改，请先修改密码。" in page
    client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "password": "Fresh-Passw0rd!", "confirm": "Fresh-Passw0rd!"},
    )
    assert client.get(reverse("department-home")).status_code == 200


def test_a_password_a_day_short_of_the_limit_is_not_yet_expired(staff):
    User.objects.filter(pk=staff.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=89))
    assert client_for(staff).get(reverse("department-home")).status_code == 200


def test_the_maximum_password_age_is_configurable(staff, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 30
    User.objects.filter(pk=staff.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=31))
    assert (
        client_for(staff).get(reverse("department-home"))["Location"].startswith(reverse("password-change"))
    )


def test_a_password_reset_by_the_security_admin_must_be_changed_at_next_sign_in(staff, secadmin):
    client_for(secadmin).post(
        reverse("security-password-reset", args=[staff.pk]),
        {"password": "Temp-Passw0rd!", "confirm": "Temp-Passw0rd!"},
    )
    client = Client()
    _login(client, "staff1", "Temp-Passw0rd!")
    assert client.get(reverse("department-home"))["Location"].startswith(reverse("password-change"))
    assert "该密码由管理员设置" in client.get(reverse("password-change")).content.decode()


def test_a_user_created_by_the_system_admin_changes_the_initial_password_first(sysadmin, jyj):
    client_for(sysadmin).post(
        reverse("sysadmin-user-create"),
        {
            "username": "new.one",
            "name": "新人",
            "department": jyj.pk,
            "roles": ["dept_staff"],
            "password": "Init-Passw0rd!",
        },
    )
    assert User.objects.get(username="new.one").password_changed_at is None


def test_the_new_password_may_not_be_the_current_one(staff):
    response = client_for(staff).post(
        reverse("password-change"), {"old_password": PASSWORD, "password": PASSWORD, "confirm": PASSWORD}
    )
    assert "新密码不能与当前密码相同。" in response.content.decode()
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


@pytest.mark.parametrize(
    "password",
    [
        "Qq123456!",
        "Woaini1314!",
        "WOAINI@520",
        "Zhangwei@1990",
        "Wang_1988!!",
        "Abc123456@",
        "Luozhuang@2026",
    ],
)
def test_common_chinese_passwords_are_refused(password, staff):
    with pytest.raises(ValidationError) as caught:
        validate_password(password, staff)
    assert (
        "该密码过于常见（如常用密码、姓氏或常用词的拼音加数字），容易被猜中，请换一个。"
        in caught.value.messages
    )


@pytest.mark.parametrize("password", ["Short1!", "alllowercase-long", "NoDigitsOrSymbols"])
def test_short_or_simple_passwords_are_refused(password, staff):
    with pytest.raises(ValidationError):
        validate_password(password, staff)


def test_a_strong_password_is_accepted(staff):
    validate_password("Qiu-Yu#lan7Tree", staff)


# ---- session limits ------------------------------------------------------------------


def _age_session(client, *, signed_in_ago=0, last_seen_ago=0):
    session = client.session
    now = int(time.time())
    session[accounts.SIGNED_IN_AT] = now - signed_in_ago
    session[accounts.LAST_SEEN] = now - last_seen_ago
    session.save()


def test_ten_idle_minutes_end_the_session_and_it_is_audited(staff):
    client = Client()
    _login(client, "staff1")
    _age_session(client, signed_in_ago=700, last_seen_ago=601)
    response = client.get(reverse("department-home"))
    assert response["Location"] == reverse("login") + "?next=/work/department/"
    page = client.get(response["Location"]).content.decode()
    assert "您已超过 10 分钟没有操作，为了账号安全已自动退出，请重新登录。" in page
    assert AuditEvent.objects.filter(action="auth.session_expired", username="staff1").count() == 1


def test_activity_within_ten_minutes_keeps_the_session(staff):
    client = Client()
    _login(client, "staff1")
    _age_session(client, signed_in_ago=3000, last_seen_ago=590)
    assert client.get(reverse("department-home")).status_code == 200


def test_the_absolute_limit_ends_even_an_active_session(staff, settings):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    client = Client()
    _login(client, "staff1")
    _age_session(client, signed_in_ago=8 * 3600 + 1, last_seen_ago=5)
    assert client.get(reverse("department-home")).status_code == 302
    assert AuditEvent.objects.get(action="auth.session_expired").after == {
        "reason": "登录已超过 8 小时，为了账号安全请重新登录。"
    }


def test_progress_bar_polling_does_not_count_as_activity(staff):
    client = Client()
    _login(client, "staff1")
    _age_session(client, signed_in_ago=100, last_seen_ago=100)
    before = client.session[accounts.LAST_SEEN]
    client.get(reverse("department-home"), HTTP_X_BACKGROUND_POLL="1")
    assert client.session[accounts.LAST_SEEN] == before
    client.get(reverse("department-home"))
    assert client.session[accounts.LAST_SEEN] > before


# ---- rate limit on the login form ------------------------------------------------------


def test_login_attempts_are_rate_limited_per_client_address(staff, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/600"}
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(3):
        assert _login(client, "nobody", "x").status_code == 200
    refused = _login(client, "staff1")
    assert refused.status_code == 429
    assert "您的操作过于频繁，请" in refused.content.decode()
    assert int(refused["Retry-After"]) <= 600
    assert "_auth_user_id" not in client.session
    forged = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert _login(forged, "staff1").status_code == 429
    assert _login(Client(REMOTE_ADDR="10.9.9.10"), "staff1").status_code == 302
