from django.urls import reverse

from luozhuang_dsj.models import AuditEvent
from registry.models import Department, Town
from registry.services import reference_data_load
from tests.conftest import client_for


def test_the_reference_data_is_loaded_from_the_data_files(db):
    assert Department.objects.count() == 19
    assert Department.objects.get(is_office=True).code == "SCJG"
    assert list(Town.objects.values_list("name", flat=True)) == [
        "罗庄街道",
        "傅庄街道",
        "盛庄街道",
        "册山街道",
        "高都街道",
        "沂堂镇",
        "褚墩镇",
        "黄山镇",
    ]


def test_reloading_the_reference_data_keeps_the_offices_edits(office_user):
    Department.objects.filter(code="JYJ").update(short_name="教育局")
    report = reference_data_load()
    assert (report.departments, report.towns, report.result_codes) == (0, 0, 0)
    assert Department.objects.get(code="JYJ").short_name == "教育局"


def test_the_office_edits_a_department_and_it_is_audited(office_user):
    response = client_for(office_user).post(
        reverse("department-edit", args=["JYJ"]),
        {
            "code": "JYJ",
            "name": "罗庄区教育和体育局",
            "short_name": "区教体局",
            "is_active": "on",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert Department.objects.get(code="JYJ").name == "罗庄区教育和体育局"
    event = AuditEvent.objects.get(action="department.update")
    assert (event.before["name"], event.after["name"]) == ("罗庄区教育局", "罗庄区教育和体育局")


def test_the_office_adds_a_department(office_user):
    client_for(office_user).post(
        reverse("department-create"),
        {"code": "SLJ", "name": "罗庄区水利局", "short_name": "区水利局", "is_active": "on", "note": ""},
    )
    assert Department.objects.get(code="SLJ").short_name == "区水利局"


def test_the_office_department_cannot_be_deactivated(office_user):
    response = client_for(office_user).post(
        reverse("department-edit", args=["SCJG"]),
        {"code": "SCJG", "name": "罗庄区市场监督管理局", "short_name": "区市场监管局", "note": ""},
    )
    assert "联席会议办公室所在单位不能停用。" in response.content.decode()
    assert Department.objects.get(code="SCJG").is_active is True


def test_department_staff_cannot_edit_departments_and_nothing_changes(staff, head):
    for user in (staff, head):
        response = client_for(user).post(
            reverse("department-edit", args=["JYJ"]),
            {"code": "JYJ", "name": "改名", "short_name": "改名", "is_active": "on", "note": ""},
        )
        assert response.status_code == 403
    assert Department.objects.get(code="JYJ").name == "罗庄区教育局"
    assert not AuditEvent.objects.filter(action="department.update").exists()
