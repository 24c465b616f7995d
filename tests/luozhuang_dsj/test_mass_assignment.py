"""Forms take only the fields their action allows (tests/access/mass_assignment.py)."""

from django.urls import reverse

from luozhuang_dsj.models import User
from tests.access.mass_assignment import assert_mass_assignment_ignored, attacker_fields
from tests.conftest import PASSWORD, client_for


def test_editing_a_user_cannot_rename_them_or_make_them_superuser(sysadmin, staff, scjg, jyj, outsider):
    data = {"name": "李静", "department": scjg.pk, "roles": ["dept_staff"], "phone": "", "is_active": "on"}
    extra = {
        **attacker_fields(other_department=jyj, other_user=outsider),
        "username": "root",
        "password": "x",
    }
    response = assert_mass_assignment_ignored(
        client_for(sysadmin),
        reverse("sysadmin-user-edit", args=[staff.pk]),
        data,
        instance=staff,
        extra=extra,
        allowed_changes=("department", "department_id", "is_active"),
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.username, staff.is_superuser, staff.is_staff, staff.check_password(PASSWORD)) == (
        "staff1",
        False,
        False,
        True,
    )


def test_creating_a_user_ignores_superuser_flags(sysadmin, jyj, outsider):
    data = {
        "username": "zhao.lei",
        "name": "赵磊",
        "department": jyj.pk,
        "roles": ["dept_staff"],
        "phone": "",
        "password": "Xy7!long-enough",
    }
    extra = attacker_fields(other_department=jyj, other_user=outsider)
    assert client_for(sysadmin).post(reverse("sysadmin-user-create"), {**extra, **data}).status_code == 302
    created = User.objects.get(username="zhao.lei")
    assert (created.is_superuser, created.is_staff, created.is_active) == (False, False, True)


def test_changing_ones_password_changes_nothing_else(staff, jyj, outsider):
    data = {"old_password": PASSWORD, "password": "New-Passw0rd!", "confirm": "New-Passw0rd!"}
    extra = {**attacker_fields(other_department=jyj, other_user=outsider), "username": "admin"}
    assert_mass_assignment_ignored(
        client_for(staff),
        reverse("password-change"),
        data,
        instance=staff,
        extra=extra,
        allowed_changes=("password",),
    )
    staff.refresh_from_db()
    assert staff.check_password("New-Passw0rd!")


def test_unlocking_an_account_changes_nothing_else(secadmin, staff, jyj, outsider):
    extra = {**attacker_fields(other_department=jyj, other_user=outsider), "is_active": ""}
    assert_mass_assignment_ignored(
        client_for(secadmin),
        reverse("security-unlock", args=[staff.pk]),
        {"reason": "核实"},
        instance=staff,
        extra=extra,
    )


def test_editing_a_department_cannot_move_the_office(office_user, jyj, outsider):
    data = {"code": "JYJ", "name": jyj.name, "short_name": "教育局", "is_active": "on", "note": ""}
    extra = {**attacker_fields(other_department=jyj, other_user=outsider), "is_office": "on"}
    assert_mass_assignment_ignored(
        client_for(office_user),
        reverse("department-edit", args=["JYJ"]),
        data,
        instance=jyj,
        extra=extra,
        fields=("is_office", "code"),
    )
    jyj.refresh_from_db()
    assert (jyj.is_office, jyj.short_name) == (False, "教育局")
