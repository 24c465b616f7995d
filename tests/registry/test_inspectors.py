import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from luozhuang_dsj.models import AuditEvent, ImportBatch
from registry.models import ConflictOfInterest, Department, Inspector, InspectorUnavailability, Target
from tests import sheets
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def make_inspector(code: str, department: str = "SCJG", **fields) -> Inspector:
    values = {
        "name": "王明",
        "category": "行政执法类公务员",
        "certificate_number": "371311000001",
        "certificate_valid_until": timezone.localdate() + dt.timedelta(days=100),
        "phone": "13900000000",
    }
    return Inspector.objects.create(
        code=code, department=Department.objects.get(code=department), **(values | fields)
    )


def inspector_form(**overrides):
    return {
        "code": "scjg-0100",
        "name": "李强",
        "category": "具有执法资格人员",
        "certificate_number": "371311009999",
        "certificate_valid_until": "2030-12-31",
        "expertise": "食品安全、特种设备,食品安全",
        "is_active": "on",
        "phone": "13800000000",
    } | overrides


def test_a_department_adds_an_inspector_with_expertise_and_links_a_login(staff, inspector_user):
    response = client_for(staff).post(reverse("inspector-create"), inspector_form(user=inspector_user.pk))
    inspector = Inspector.objects.get()
    assert response.status_code == 302
    assert (inspector.code, inspector.department.code, inspector.user) == (
        "SCJG-0100",
        "SCJG",
        inspector_user,
    )
    assert sorted(inspector.expertise.values_list("name", flat=True)) == ["特种设备", "食品安全"]
    assert AuditEvent.objects.get(action="inspector.create").after["expertise"] == ["特种设备", "食品安全"]


def test_experts_need_an_organisation_and_never_count_as_certified(staff):
    page = (
        client_for(staff).post(reverse("inspector-create"), inspector_form(category="专家")).content.decode()
    )
    assert "专家、第三方机构人员须填写所在机构。" in page
    assert Inspector.objects.count() == 0
    expert = make_inspector("E1", category="专家", organisation="临沂大学")
    assert (expert.is_expert, expert.is_certified_on(timezone.localdate())) == (True, False)


def test_an_expired_certificate_makes_the_officer_uncertified_from_that_day(staff):
    day = timezone.localdate()
    inspector = make_inspector("A1", certificate_valid_until=day)
    assert inspector.is_certified_on(day) is True
    assert inspector.is_certified_on(day + dt.timedelta(days=1)) is False
    Inspector.objects.filter(pk=inspector.pk).update(certificate_valid_until=day - dt.timedelta(days=1))
    assert "执法证已过期" in client_for(staff).get(reverse("inspector-list")).content.decode()


def test_departments_see_only_their_own_inspectors(staff, outsider):
    own, other = make_inspector("SCJG-1"), make_inspector("JYJ-1", "JYJ", name="赵老师")
    client = client_for(outsider)
    assert client.get(reverse("inspector-detail", args=[own.pk])).status_code == 404
    assert client.post(reverse("inspector-edit", args=[own.pk]), inspector_form(name="改")).status_code == 404
    page = client.get(reverse("inspector-list")).content.decode()
    assert "赵老师" in page and "王明" not in page
    assert [row["code"] for row in client.get("/api/registry/inspectors/").json()["results"]] == [other.code]
    assert Inspector.objects.get(pk=own.pk).name == "王明"


def test_the_office_reads_every_department_but_not_their_personal_details(office_user):
    other = make_inspector("JYJ-1", "JYJ", phone="13711112222", certificate_number="CERT-JYJ")
    client = client_for(office_user)
    page = client.get(reverse("inspector-detail", args=[other.pk])).content.decode()
    assert "13711112222" not in page and "CERT-JYJ" not in page
    assert "非本部门人员，不显示执法证号、联系电话等个人信息。" in page
    row = client.get("/api/registry/inspectors/").json()["results"][0]
    assert (row["code"], row["phone"], row["certificate_number"]) == ("JYJ-1", None, None)
    assert client.post(reverse("inspector-edit", args=[other.pk]), inspector_form()).status_code == 403


def test_unavailable_periods_are_recorded_and_checked(staff):
    inspector = make_inspector("SCJG-1")
    client = client_for(staff)
    client.post(
        reverse("inspector-unavailability-add", args=[inspector.pk]),
        {"start": "2026-12-10", "end": "2026-12-01", "reason": "休假"},
    )
    assert InspectorUnavailability.objects.count() == 0
    client.post(
        reverse("inspector-unavailability-add", args=[inspector.pk]),
        {"start": "2026-12-01", "end": "2026-12-10", "reason": "培训"},
    )
    period = InspectorUnavailability.objects.get()
    assert (period.start, period.end, period.reason) == (dt.date(2026, 12, 1), dt.date(2026, 12, 10), "培训")


def test_a_department_declares_and_withdraws_a_conflict(staff):
    inspector = make_inspector("SCJG-1")
    target = Target.objects.create(code=sheets.code(1), name="甲公司")
    client = client_for(staff)
    client.post(
        reverse("inspector-conflict-add", args=[inspector.pk]),
        {"target_code": sheets.code(1), "reason": "近亲属任职"},
    )
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.target, conflict.declared_by, conflict.reason) == (target, staff, "近亲属任职")
    client.post(reverse("conflict-withdraw", args=[conflict.pk]))
    assert ConflictOfInterest.objects.count() == 0
    assert list(
        AuditEvent.objects.filter(action__startswith="conflict.")
        .values_list("action", flat=True)
        .order_by("id")
    ) == [
        "conflict.declare",
        "conflict.withdraw",
    ]


def test_an_inspector_declares_their_own_conflict(inspector_user, outsider):
    inspector = make_inspector("SCJG-1", user=inspector_user)
    Target.objects.create(code=sheets.code(1), name="甲公司")
    client = client_for(inspector_user)
    client.post(reverse("my-conflicts"), {"target_code": sheets.code(1), "reason": "曾在该单位工作"})
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.inspector, conflict.declared_by) == (inspector, inspector_user)
    assert AuditEvent.objects.get(action="conflict.declare").role == "inspector"
    assert client_for(outsider).post(reverse("conflict-withdraw", args=[conflict.pk])).status_code == 404
    assert ConflictOfInterest.objects.count() == 1


def test_inspectors_are_imported_into_the_own_department_only(staff, django_capture_on_commit_callbacks):
    make_inspector("JYJ-0001", "JYJ")
    header = [
        "人员编号",
        "姓名",
        "所属部门",
        "人员类别",
        "执法证号",
        "执法证有效期至",
        "业务专长",
        "是否在岗",
    ]
    rows = [
        header,
        [
            "SCJG-0001",
            "刘洋",
            "区市场监管局",
            "行政执法类公务员",
            "371311000001",
            "2028年6月30日",
            "食品安全；计量",
            "是",
        ],
        ["JYJ-0001", "钱某", "", "行政执法类公务员", "", "", "", ""],
        ["SCJG-0002", "孙某", "区教育局", "日常监管人员", "", "", "", ""],
        ["SCJG-0003", "周某", "", "专家", "", "", "", ""],
    ]
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("inspector-import"),
            {"file": SimpleUploadedFile("人员.xls", sheets.xls_bytes(rows, title="执法人员名录"))},
        )
    batch = ImportBatch.objects.get()
    assert list(batch.issues.values_list("row_number", "reason")) == [
        (4, "该人员编号属于其他部门的执法检查人员。"),
        (5, "只能导入本部门（区市场监管局）的人员。"),
        (6, "专家、第三方机构人员须填写所在机构。"),
    ]
    assert Inspector.objects.filter(department__code="SCJG").count() == 0
    good = sheets.xlsx_bytes(rows[:2])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inspector-import"), {"file": SimpleUploadedFile("人员.xlsx", good)})
    batch = ImportBatch.objects.order_by("-created_at").first()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-confirm", args=[batch.pk]))
    inspector = Inspector.objects.get(code="SCJG-0001")
    assert (
        inspector.certificate_valid_until,
        sorted(inspector.expertise.values_list("name", flat=True)),
    ) == (
        dt.date(2028, 6, 30),
        ["计量", "食品安全"],
    )
