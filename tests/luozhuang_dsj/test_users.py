from django.urls import reverse

from luozhuang_dsj.models import AuditEvent, User
from tests.conftest import client_for

NEW_USER = {
    "username": "wang.fang",
    "name": "王芳",
    "department": "",
    "roles": ["dept_staff", "inspector"],
    "phone": "0539-8211234",
    "password": "Xy7!long-enough",
}


def _form(jyj, **changes):
    data = {**NEW_USER, "department": jyj.pk, **changes}
    return data


def test_the_system_admin_creates_a_user_and_it_is_audited(sysadmin, jyj):
    response = client_for(sysadmin).post(reverse("sysadmin-user-create"), _form(jyj))
    assert response.status_code == 302
    user = User.objects.get(username="wang.fang")
    assert (user.name, user.department.code, sorted(user.roles)) == (
        "王芳",
        "JYJ",
        ["dept_staff", "inspector"],
    )
    event = AuditEvent.objects.get(action="user.create", object_key="wang.fang")
    assert (event.username, event.role) == ("sysadmin1", "sysadmin")
    assert event.after == {
        "username": "wang.fang",
        "name": "王芳",
        "department": "JYJ",
        "roles": ["dept_staff", "inspector"],
        "is_active": True,
    }


def test_an_administrator_role_cannot_be_combined_with_another(sysadmin, jyj):
    response = client_for(sysadmin).post(
        reverse("sysadmin-user-create"), _form(jyj, roles=["auditor", "dept_staff"])
    )
    assert response.status_code == 200
    assert "三员分立：审计管理员不得兼任其他角色。" in response.content.decode()
    assert not User.objects.filter(username="wang.fang").exists()


def test_a_weak_password_is_refused_in_chinese(sysadmin, jyj):
    response = client_for(sysadmin).post(reverse("sysadmin-user-create"), _form(jyj, password="abcdefghijk"))
    assert "密码须至少包含大写字母、小写字母、数字、特殊字符中的三类。" in response.content.decode()
    assert not User.objects.filter(username="wang.fang").exists()


def test_nobody_else_may_create_users_and_nothing_changes(cast, jyj):
    before = User.objects.count()
    for who in ("office", "staff", "head", "inspector", "auditor", "secadmin"):
        assert client_for(cast[who]).post(reverse("sysadmin-user-create"), _form(jyj)).status_code == 403
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action="user.create", object_key="wang.fang").exists()


def test_the_system_admin_deactivates_a_user_with_before_and_after(sysadmin, staff, scjg):
    data = {"name": staff.name, "department": scjg.pk, "roles": ["dept_staff"], "phone": "", "is_active": ""}
    assert client_for(sysadmin).post(reverse("sysadmin-user-edit", args=[staff.pk]), data).status_code == 302
    staff.refresh_from_db()
    assert staff.is_active is False
    event = AuditEvent.objects.get(action="user.update", object_key="staff1")
    assert (event.before["is_active"], event.after["is_active"]) == (True, False)


def test_the_system_admin_cannot_lock_themself_out(sysadmin, scjg):
    data = {"name": "x", "department": scjg.pk, "roles": ["sysadmin"], "phone": "", "is_active": ""}
    response = client_for(sysadmin).post(reverse("sysadmin-user-edit", args=[sysadmin.pk]), data)
    assert "不能停用自己" in response.content.decode()
    sysadmin.refresh_from_db()
    assert sysadmin.is_active is True


def test_the_security_admin_resets_a_password(secadmin, staff):
    response = client_for(secadmin).post(
        reverse("security-password-reset", args=[staff.pk]),
        {"password": "New-Passw0rd!", "confirm": "New-Passw0rd!"},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("New-Passw0rd!")
    assert AuditEvent.objects.get(action="user.password_reset").object_key == "staff1"


def test_the_system_admin_cannot_reset_passwords(sysadmin, staff):
    response = client_for(sysadmin).post(
        reverse("security-password-reset", args=[staff.pk]),
        {"password": "New-Passw0rd!", "confirm": "New-Passw0rd!"},
    )
    assert response.status_code == 403
    staff.refresh_from_db()
    assert not staff.check_password("New-Passw0rd!")


def test_a_user_changes_their_own_password(staff):
    client = client_for(staff)
    wrong = client.post(
        reverse("password-change"),
        {"old_password": "nope", "password": "New-Passw0rd!", "confirm": "New-Passw0rd!"},
    )
    assert "原密码不正确。" in wrong.content.decode()
    response = client.post(
        reverse("password-change"),
        {"old_password": "Test-Passw0rd!", "password": "New-Passw0rd!", "confirm": "New-Passw0rd!"},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("New-Passw0rd!")
    assert AuditEvent.objects.get(action="user.password_change").username == "staff1"
