import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent, ImportBatch, Job
from registry.models import SubRegistry, SubRegistryMembership, Target
from tests import sheets
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def targets(db):
    return [Target.objects.create(code=sheets.code(n), name=f"单位{n}") for n in range(1, 4)]


def test_a_department_creates_its_sub_registry_and_adds_targets_by_code(staff, targets):
    client = client_for(staff)
    client.post(reverse("sub-registry-create"), {"name": "特种设备使用单位", "description": ""})
    sub = SubRegistry.objects.get()
    assert sub.department == staff.department
    response = client.post(
        reverse("sub-registry-add", args=[sub.pk]),
        {"codes": f"{sheets.code(1)}\n{sheets.code(2).lower()}\n{sheets.code(9)}"},
        follow=True,
    )
    page = response.content.decode()
    assert "加入分库 2 个，已在分库 0 个。" in page
    assert f"名录库中没有：{sheets.code(9)}。请先由联席会议办公室录入。" in page
    assert sorted(sub.targets.values_list("code", flat=True)) == [sheets.code(1), sheets.code(2)]
    assert AuditEvent.objects.get(action="sub_registry.add_targets").after["added"] == [
        sheets.code(1),
        sheets.code(2),
    ]


def test_another_department_neither_sees_nor_changes_a_sub_registry(staff, outsider, targets):
    sub = SubRegistry.objects.create(department=staff.department, name="食品经营者")
    SubRegistryMembership.objects.create(sub_registry=sub, target=targets[0])
    client = client_for(outsider)
    assert client.get(reverse("sub-registry-detail", args=[sub.pk])).status_code == 404
    assert (
        client.post(reverse("sub-registry-add", args=[sub.pk]), {"codes": sheets.code(2)}).status_code == 404
    )
    assert client.post(reverse("sub-registry-delete", args=[sub.pk])).status_code == 404
    assert "食品经营者" not in client.get(reverse("sub-registry-list")).content.decode()
    assert list(sub.targets.all()) == [targets[0]]


def test_the_office_reads_every_departments_sub_registries_but_changes_only_its_own(
    office_user, outsider, targets
):
    sub = SubRegistry.objects.create(department=outsider.department, name="学校")
    client = client_for(office_user)
    assert client.get(reverse("sub-registry-detail", args=[sub.pk])).status_code == 200
    assert (
        client.post(reverse("sub-registry-add", args=[sub.pk]), {"codes": sheets.code(1)}).status_code == 403
    )
    assert sub.memberships.count() == 0


def test_members_are_imported_in_sync_mode_and_removed_ones_stay_in_the_registry(
    staff, targets, django_capture_on_commit_callbacks
):
    sub = SubRegistry.objects.create(department=staff.department, name="食品经营者")
    SubRegistryMembership.objects.create(sub_registry=sub, target=targets[0])
    client = client_for(staff)
    data = sheets.ods_bytes(
        [["统一社会信用代码", "企业名称"], [sheets.code(2), "单位2"], [sheets.code(3), "单位3"]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("sub-registry-import", args=[sub.pk]),
            {"file": SimpleUploadedFile("成员.ods", data), "mode": "replace"},
        )
    batch = ImportBatch.objects.get()
    assert batch.report["plan"]["counts"] == {"加入分库": 2, "已在分库": 0, "移出分库（文件中没有）": 1}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-confirm", args=[batch.pk]))
    assert sorted(sub.targets.values_list("code", flat=True)) == [sheets.code(2), sheets.code(3)]
    assert Target.objects.count() == 3


def test_a_member_import_lists_codes_missing_from_the_registry(
    staff, targets, django_capture_on_commit_callbacks
):
    sub = SubRegistry.objects.create(department=staff.department, name="食品经营者")
    data = sheets.csv_bytes([["统一社会信用代码"], [sheets.code(1)], [sheets.code(8)]])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(staff).post(
            reverse("sub-registry-import", args=[sub.pk]),
            {"file": SimpleUploadedFile("a.csv", data), "mode": "add"},
        )
    batch = ImportBatch.objects.get()
    assert batch.status == "invalid"
    assert list(batch.issues.values_list("row_number", "reason")) == [
        (3, "检查对象名录库中没有该代码，请先由联席会议办公室录入或导入。")
    ]
    assert sub.memberships.count() == 0


def test_removing_a_member_and_deleting_a_sub_registry_keep_the_targets(staff, targets):
    sub = SubRegistry.objects.create(department=staff.department, name="食品经营者")
    SubRegistryMembership.objects.create(sub_registry=sub, target=targets[0])
    client = client_for(staff)
    client.post(reverse("sub-registry-remove", args=[sub.pk, targets[0].pk]))
    assert sub.memberships.count() == 0
    client.post(reverse("sub-registry-delete", args=[sub.pk]))
    assert (SubRegistry.objects.count(), Target.objects.count()) == (0, 3)
    assert AuditEvent.objects.filter(action__startswith="sub_registry.").count() == 2


@pytest.fixture
def schools(outsider, targets):
    """区教育局's sub-registry, with the first target as its only member."""
    sub = SubRegistry.objects.create(department=outsider.department, name="民办学校")
    SubRegistryMembership.objects.create(sub_registry=sub, target=targets[0])
    return sub


def test_a_target_page_names_only_the_own_departments_sub_registries(staff, office_user, schools, targets):
    own = SubRegistry.objects.create(department=staff.department, name="食品经营者")
    SubRegistryMembership.objects.create(sub_registry=own, target=targets[0])
    url = reverse("target-detail", args=[targets[0].pk])
    page = client_for(staff).get(url).content.decode()
    assert ("食品经营者" in page, "民办学校" in page) == (True, False)
    page = client_for(office_user).get(url).content.decode()
    assert ("食品经营者" in page, "民办学校" in page) == (True, True)


def test_the_target_api_does_not_filter_by_another_departments_sub_registry(staff, office_user, schools):
    url = "/api/registry/targets/"
    data = client_for(staff).get(url, {"sub_registry": schools.pk}).json()
    assert (data["count"], data["results"]) == (0, [])
    data = client_for(office_user).get(url, {"sub_registry": schools.pk}).json()
    assert [row["code"] for row in data["results"]] == [sheets.code(1)]


def test_a_target_export_does_not_filter_by_another_departments_sub_registry(
    staff, schools, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{reverse('target-export')}?sub_registry={schools.pk}", {"format": "csv"})
    job = Job.objects.get()
    content = b"".join(client.get(reverse("job-download", args=[job.pk])).streaming_content).decode(
        "utf-8-sig"
    )
    codes = sorted(line.split(",")[0] for line in content.splitlines()[1:])
    # The filter is not the user's to use: the whole (shared) registry, as without it.
    assert (job.result, codes) == ({"rows": 3}, [sheets.code(n) for n in (1, 2, 3)])
