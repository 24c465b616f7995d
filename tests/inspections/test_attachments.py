"""Evidence attached to results: checked by content, stored outside the web root, served
only to those who may read the result."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inspections.models import ResultAttachment
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import AuditEvent
from tests.conftest import client_for, make_user
from tests.inspections.helpers import build_world, drawn_task, enter, serve_as


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world(office_user, staff, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(office_user, staff, outsider)


@pytest.fixture
def inspection(world, staff):
    return drawn_task(world, staff).inspections.order_by("position").first()


@pytest.fixture
def member(inspector_user, inspection, world):
    serve_as(inspector_user, inspection, world.scjg)
    return inspector_user


def _post(client, inspection, matter, *files, action="save"):
    return client.post(
        reverse("result-entry", args=[inspection.pk, matter.pk]),
        {
            "inspected_on": timezone.localdate().isoformat(),
            "findings": "现场检查",
            "attachments": list(files),
            "action": action,
        },
    )


def test_photos_and_pdfs_are_stored_under_media_with_a_random_name(world, inspection, member, settings):
    response = _post(
        client_for(member),
        inspection,
        world.food,
        SimpleUploadedFile("现场照片.png", png_bytes(), content_type="image/png"),
        SimpleUploadedFile("笔录.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("门头.jpg", JPEG, content_type="image/jpeg"),
    )
    assert response.status_code == 302
    attachments = list(ResultAttachment.objects.order_by("pk"))
    assert [(a.original_name, a.content_type, a.size) for a in attachments] == [
        ("现场照片.png", "image/png", len(png_bytes())),
        ("笔录.pdf", "application/pdf", len(PDF)),
        ("门头.jpg", "image/jpeg", len(JPEG)),
    ]
    for attachment in attachments:
        path = settings.MEDIA_ROOT / attachment.file.name
        assert path.is_file()
        assert attachment.file.name.startswith("results/") and "现场" not in attachment.file.name


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("photo.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "内容不是"),
        ("photo.png", b"<!doctype html><html><script>alert(1)</script></html>", "内容不是"),
        (
            "report.pdf",
            b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF",
            "含有脚本",
        ),
        ("empty.jpg", b"", "空文件"),
    ],
)
def test_a_file_that_is_not_a_photo_or_a_plain_pdf_is_refused_and_nothing_is_kept(
    world, inspection, member, settings, name, content, reason
):
    good = SimpleUploadedFile("ok.png", png_bytes(), content_type="image/png")
    bad = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = _post(client_for(member), inspection, world.food, good, bad)
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not ResultAttachment.objects.exists()
    assert not inspection.results.exists()
    media = settings.MEDIA_ROOT / "results"
    assert not media.exists() or not any(media.rglob("*.*"))


def test_a_file_over_the_attachment_limit_is_refused(world, inspection, member, settings):
    settings.RESULT_ATTACHMENT_MAX_BYTES = 2048
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * 4096, content_type="image/jpeg")
    response = _post(client_for(member), inspection, world.food, big)
    assert "过大" in response.content.decode()
    assert not ResultAttachment.objects.exists()


def _with_attachment(world, inspection, member, submit):
    _post(client_for(member), inspection, world.food, SimpleUploadedFile("照片.png", png_bytes()))
    result = inspection.results.get()
    if submit:
        enter(member, inspection, world.food, "01")
    return result, result.attachments.get()


def test_a_drafts_attachment_is_served_to_its_department_and_team_only(
    world, inspection, member, staff, outsider, office_user, client
):
    result, attachment = _with_attachment(world, inspection, member, submit=False)
    url = reverse("result-attachment", args=[result.pk, attachment.pk])
    jyj_member = make_user("jyj_inspector1", "JYJ", Role.INSPECTOR)
    serve_as(jyj_member, inspection, world.jyj)
    response = client_for(member).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert client_for(staff).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(jyj_member).get(url).status_code == 404
    assert client_for(office_user).get(url).status_code == 404
    assert client.get(url).status_code == 302


def test_a_submitted_results_attachment_is_shared_with_every_department(
    world, inspection, member, outsider, client
):
    result, attachment = _with_attachment(world, inspection, member, submit=True)
    url = reverse("result-attachment", args=[result.pk, attachment.pk])
    assert client_for(outsider).get(url).status_code == 200
    assert client.get(url).status_code == 302
    assert not str(url).startswith("/media/")


def test_after_submission_only_the_head_removes_an_attachment_and_it_is_audited(
    world, inspection, member, head, settings
):
    result, attachment = _with_attachment(world, inspection, member, submit=True)
    delete = reverse("result-attachment-delete", args=[result.pk, attachment.pk])
    assert client_for(member).post(delete).status_code == 403
    assert ResultAttachment.objects.count() == 1
    path = settings.MEDIA_ROOT / attachment.file.name
    with pytest.MonkeyPatch.context():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            assert client_for(head).post(delete).status_code == 302
    assert not ResultAttachment.objects.exists()
    assert not path.exists()
    event = AuditEvent.objects.get(action="result.attachment_delete")
    assert event.before["name"] == "照片.png"
