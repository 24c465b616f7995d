"""Objections (异议): filed without signing in past an arithmetic question and a trap field,
confirmed with a reference number; the department is told, its head corrects (shown
beside the result on the public pages) or upholds; every step audited."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from disclosure.models import Objection, ObjectionAttachment, PublishedResult
from luozhuang_dsj.models import AuditEvent
from notices.models import Notification
from tests.conftest import client_for
from tests.disclosure.helpers import published, target

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def row(scjg, settings, tmp_path) -> PublishedResult:
    settings.MEDIA_ROOT = tmp_path
    return published(scjg, target(31, "罗庄区异议测试商行"), codes=("02",))


def _form(client: Client, row: PublishedResult) -> dict[str, str]:
    html = client.get(reverse("public-objection", args=[row.pk])).content.decode()
    first, second = map(int, re.search(r"验证问题：(\d) 加 (\d) 等于多少", html).groups())
    token = re.search(r'name="challenge" value="([^"]+)"', html).group(1)
    return {
        "contact_name": "周联系",
        "contact_phone": "13611112222",
        "reason": "检查当日已公示年度报告，结果有误。",
        "answer": str(first + second),
        "challenge": token,
        "website": "",
    }


def _file(client: Client, row: PublishedResult, **changes):  # type: ignore[no-untyped-def]
    data = _form(client, row) | changes
    return client.post(reverse("public-objection", args=[row.pk]), data)


def test_an_objection_is_filed_without_login_and_the_department_is_told(row, staff, head, outsider):
    client = Client()
    data = _form(client, row) | {"attachments": SimpleUploadedFile("年报截图.png", PNG, "image/png")}
    response = client.post(reverse("public-objection", args=[row.pk]), data)
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("public-objection-done", args=[objection.reference])
    assert re.fullmatch(r"YY\d{8}[0-9A-F]{8}", objection.reference)
    assert (objection.contact_name, objection.contact_phone, objection.department_id) == (
        "周联系",
        "13611112222",
        row.department_id,
    )
    with connection.cursor() as cursor:
        cursor.execute("select contact_phone from disclosure_objection")
        assert "13611112222" not in cursor.fetchone()[0]  # encrypted at rest
    assert ObjectionAttachment.objects.get().original_name == "年报截图.png"
    done = client.get(response["Location"]).content.decode()
    assert objection.reference in done and "您的异议已提交" in done
    assert "13611112222" not in done and "周联系" not in done
    told = set(
        Notification.objects.filter(kind=Notification.Kind.OBJECTION_FILED).values_list(
            "recipient__username", flat=True
        )
    )
    assert {staff.username, head.username} <= told and outsider.username not in told
    event = AuditEvent.objects.get(action="disclosure.objection_file")
    assert (event.username, event.object_key) == ("公众", objection.reference)


def test_a_wrong_answer_or_a_filled_trap_field_files_nothing(row):
    client = Client()
    wrong = _file(client, row, answer="99")
    assert wrong.status_code == 200 and "验证问题的答案不正确" in wrong.content.decode()
    trap = _file(client, row, website="http://spam.example")
    assert trap.status_code == 200 and "提交未通过校验" in trap.content.decode()
    forged = _file(client, row, challenge="forged")
    assert "验证问题已过期" in forged.content.decode()
    assert not Objection.objects.exists()
    assert not AuditEvent.objects.filter(action="disclosure.objection_file").exists()


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_and_nothing_is_filed(row):
    client = Client()
    data = _form(client, row) | {"attachments": SimpleUploadedFile("a.html", b"<html>x</html>", "image/png")}
    response = client.post(reverse("public-objection", args=[row.pk]), data)
    assert "只能上传 JPEG、PNG、WebP 格式的照片或 PDF 文档" in response.content.decode()
    assert not Objection.objects.exists() and not ObjectionAttachment.objects.exists()


def test_more_than_five_files_are_refused_and_nothing_is_filed(row):
    client = Client()
    data = _form(client, row) | {
        "attachments": [SimpleUploadedFile(f"{n}.png", PNG, "image/png") for n in range(6)]
    }
    response = client.post(reverse("public-objection", args=[row.pk]), data)
    assert "最多上传 5 个附件。" in response.content.decode()
    assert not Objection.objects.exists() and not ObjectionAttachment.objects.exists()


def test_filing_is_rate_limited_per_address(row, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_objection": "2/3600"}
    client = Client()
    assert _file(client, row).status_code == 302
    assert _file(client, row).status_code == 302
    assert _file(client, row).status_code == 429
    assert Objection.objects.count() == 2


def test_the_head_corrects_and_the_public_pages_show_the_correction(row, head, staff):
    _file(Client(), row)
    objection = Objection.objects.get()
    detail = reverse("objection-detail", args=[objection.pk])
    page = client_for(staff).get(detail).content.decode()
    assert "13611112222" in page and "由本部门负责人处理" in page  # the department sees the contact
    refused = client_for(staff).post(detail, {"decision": "corrected", "reason": "x", "corrected_label": "y"})
    assert refused.status_code == 403
    response = client_for(head).post(
        detail,
        {"decision": "corrected", "reason": "经复核，年度报告已按期公示", "corrected_label": "未发现问题"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.corrected_label, row.correction_note) == ("未发现问题", "经复核，年度报告已按期公示")
    assert row.corrected_at is not None
    business = Client().get(reverse("public-business", args=[row.credit_code])).content.decode()
    assert "<del>未按规定公示应当公示的信息</del>" in business
    assert "更正为：未发现问题" in business and "更正说明：经复核，年度报告已按期公示" in business
    assert f"异议 {objection.reference}" in business and "已更正" in business
    search = Client().get(reverse("public-search"), {"q": "异议测试"}).content.decode()
    assert "更正为：未发现问题" in search
    event = AuditEvent.objects.get(action="disclosure.objection_decide")
    assert event.after == {
        "status": "corrected",
        "reason": "经复核，年度报告已按期公示",
        "corrected_label": "未发现问题",
    }
    again = client_for(head).post(detail, {"decision": "upheld", "reason": "再次处理"})
    assert again.status_code == 200  # no form any more; nothing changes
    objection.refresh_from_db()
    assert objection.status == Objection.Status.CORRECTED


def test_the_head_upholds_and_the_result_stays_with_the_decision_shown(row, head):
    _file(Client(), row)
    objection = Objection.objects.get()
    client_for(head).post(
        reverse("objection-detail", args=[objection.pk]), {"decision": "upheld", "reason": "现场检查记录属实"}
    )
    objection.refresh_from_db()
    row.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD
    assert (row.corrected_label, row.corrected_at) == ("", None)
    business = Client().get(reverse("public-business", args=[row.credit_code])).content.decode()
    assert "维持原结果</span> 现场检查记录属实" in business
    assert "<del>" not in business
    done = Client().get(reverse("public-objection-done", args=[objection.reference])).content.decode()
    assert "维持原结果" in done and "现场检查记录属实" in done
    assert AuditEvent.objects.filter(action="disclosure.objection_decide").count() == 1


def test_a_correction_needs_the_corrected_result_and_a_reason(row, head):
    _file(Client(), row)
    objection = Objection.objects.get()
    page = client_for(head).post(
        reverse("objection-detail", args=[objection.pk]), {"decision": "corrected", "reason": "有误"}
    )
    assert "更正结果须填写更正后的检查结果。" in page.content.decode()
    objection.refresh_from_db()
    assert objection.status == Objection.Status.FILED
    assert not AuditEvent.objects.filter(action="disclosure.objection_decide").exists()


def test_another_department_neither_sees_nor_decides_the_objection(row, outsider):
    _file(Client(), row)
    objection = Objection.objects.get()
    client = client_for(outsider)
    assert "罗庄区异议测试商行" not in client.get(reverse("objection-list")).content.decode()
    assert (
        client.post(
            reverse("objection-detail", args=[objection.pk]), {"decision": "upheld", "reason": "x"}
        ).status_code
        == 404
    )
    objection.refresh_from_db()
    assert objection.status == Objection.Status.FILED
