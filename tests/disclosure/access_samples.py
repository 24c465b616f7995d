"""URL samples for the access matrix: a department's publications and objections belong to
it (the office reads every department's); the public pages read published results."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from disclosure.models import Objection, ObjectionAttachment, PublishedResult, ResultPublication
from disclosure.services import ObjectionData, objection_file
from luozhuang_dsj.lib.roles import Role
from registry.models import Department, Target
from tests.access.samples import UrlSample, url_sample
from tests.disclosure.helpers import closed_inspection, published

NAME = "访问矩阵公开样例商店"


def _published(department: Department) -> PublishedResult:
    row = PublishedResult.objects.filter(department=department, target_name__startswith=NAME).first()
    if row is not None:
        return row
    subject = Target.objects.create(
        code=f"GKAM{department.pk:04d}", name=f"{NAME}{department.code}", kind=Target.Kind.PRODUCT
    )
    return published(department, subject)


def _pending(department: Department) -> ResultPublication:
    name = f"{NAME}（待公开）{department.code}"
    subject = Target.objects.filter(name=name).first()
    if subject is None:
        subject = Target.objects.create(code=f"GKAP{department.pk:04d}", name=name, kind=Target.Kind.PRODUCT)
        closed_inspection(department, subject)
    return ResultPublication.objects.get(inspection__target=subject, department=department)


def _objection(department: Department) -> Objection:
    row = _published(department)
    objection = row.objections.first()
    if objection is None:
        objection = objection_file(
            row=row, data=ObjectionData("访问矩阵联系人", "13900000000", "结果与事实不符")
        )
        attachment = ObjectionAttachment(
            objection=objection,
            content_type="application/pdf",
            original_name="说明.pdf",
            size=20,
            sha256="0" * 64,
            uploaded_at=timezone.now(),
        )
        attachment.file.save("x", ContentFile(b"%PDF-1.4\n%%EOF\n0000"), save=False)
        attachment.save()
    return objection


def _office(ctx) -> bool:
    return bool(ctx.user and ctx.user.has_role(Role.OFFICE))


@url_sample("publication-detail")
def _publication_detail(ctx):
    return UrlSample(
        own={"pk": _pending(ctx.own).pk}, other=None if _office(ctx) else {"pk": _pending(ctx.other).pk}
    )


@url_sample("publication-publish")
def _publication_publish(ctx):
    return UrlSample(own={"pk": _pending(ctx.own).pk}, other={"pk": _pending(ctx.other).pk})


@url_sample("objection-detail")
def _objection_detail(ctx):
    return UrlSample(
        own={"pk": _objection(ctx.own).pk},
        other=None if _office(ctx) else {"pk": _objection(ctx.other).pk},
    )


@url_sample("objection-attachment")
def _objection_attachment(ctx):
    own, other = _objection(ctx.own), _objection(ctx.other)
    return UrlSample(
        own={"pk": own.pk, "attachment_pk": own.attachments.get().pk},
        other=None if _office(ctx) else {"pk": other.pk, "attachment_pk": other.attachments.get().pk},
    )


def _any_published(ctx) -> PublishedResult:
    return _published(Department.objects.get(code="SCJG"))


url_sample("public-business")(lambda ctx: UrlSample(own={"code": _any_published(ctx).credit_code}))
url_sample("public-task")(lambda ctx: UrlSample(own={"code": _any_published(ctx).task_code}))
url_sample("public-objection")(lambda ctx: UrlSample(own={"pk": _any_published(ctx).pk}))
url_sample("public-objection-done")(
    lambda ctx: UrlSample(own={"reference": _objection(Department.objects.get(code="SCJG")).reference})
)
