"""Who finds an import batch: the shared import pages (preview, confirm, cancel, file, template)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent, ImportBatch
from tests import sheets
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def target_batch(office_user, django_capture_on_commit_callbacks):
    """The office's target import, validated and waiting for confirmation."""
    data = sheets.csv_bytes([sheets.TARGET_HEADER, sheets.target_row(1)])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(office_user).post(reverse("target-import"), {"file": SimpleUploadedFile("对象.csv", data)})
    return ImportBatch.objects.get()


def test_only_the_roles_that_import_lists_open_the_import_pages(cast, target_batch):
    urls = [
        reverse("import-history"),
        reverse("import-detail", args=[target_batch.pk]),
        reverse("import-file", args=[target_batch.pk]),
        reverse("import-template", args=["registry.inspectors"]),
    ]
    got = {who: [client_for(user).get(url).status_code for url in urls] for who, user in cast.items()}
    assert got == {
        "office": [200, 200, 200, 200],
        "staff": [200, 404, 404, 200],
        "head": [200, 404, 404, 200],
        "outsider": [200, 404, 404, 200],
        "inspector": [403, 403, 403, 403],
        "auditor": [403, 403, 403, 403],
        "sysadmin": [403, 403, 403, 403],
        "secadmin": [403, 403, 403, 403],
    }


def test_the_offices_own_department_does_not_find_its_target_import(office_user, staff, head, target_batch):
    """Only the office imports targets: its colleagues in 区市场监管局 neither see nor touch the batch."""
    assert target_batch.title in client_for(office_user).get(reverse("import-history")).content.decode()
    clients = [client_for(staff), client_for(head)]
    before = AuditEvent.objects.count()
    for client in clients:
        assert [
            client.post(reverse("import-confirm", args=[target_batch.pk])).status_code,
            client.post(reverse("import-cancel", args=[target_batch.pk])).status_code,
            client.get(reverse("import-template", args=["registry.targets"])).status_code,
        ] == [404, 404, 404]
        assert target_batch.title not in client.get(reverse("import-history")).content.decode()
    target_batch.refresh_from_db()
    assert (target_batch.status, target_batch.confirmed_by, AuditEvent.objects.count()) == (
        "ready",
        None,
        before,
    )


def test_an_administrator_cannot_confirm_a_batch(cast, target_batch):
    for who in ("auditor", "sysadmin", "secadmin", "inspector"):
        assert (
            client_for(cast[who]).post(reverse("import-confirm", args=[target_batch.pk])).status_code == 403
        )
    target_batch.refresh_from_db()
    assert (target_batch.status, target_batch.apply_job) == ("ready", None)
