"""一公开: what is public and since when.

A `ResultPublication` is one department's results on one inspection (谁检查、谁录入、谁公开).
It is created, pending, when the inspection is closed (the joint summary ends the
inspection); its deadline is 20 working days later on the official calendar; the
department publishes it once its head has approved its results. Only published rows
reach the public side, and only through the public fields the disclosure app lists.
"""

from __future__ import annotations

import datetime
import unicodedata
import uuid

from django.conf import settings
from django.db import models

from inspections.models import Inspection, MatterResult, Task
from luozhuang_dsj.lib.fieldcrypt import EncryptedCharField
from registry.models import Department

PUBLICATION_WORKING_DAYS = 20


class ResultPublication(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待公开"
        PUBLISHED = "published", "已公开"

    inspection = models.ForeignKey(
        Inspection, verbose_name="检查", on_delete=models.PROTECT, related_name="publications"
    )
    department = models.ForeignKey(
        Department, verbose_name="公开部门", on_delete=models.PROTECT, related_name="result_publications"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    closed_on = models.DateField("检查办结日期")
    due_on = models.DateField("公开期限", help_text="检查办结后 20 个工作日")
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公开人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.JSONField("公开内容", default=dict, blank=True, help_text="公开时的公开字段快照")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查结果公开"
        verbose_name_plural = "检查结果公开"
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "department"], name="one_publication_per_department"
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(published_at__isnull=False),
                name="published_publication_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="publication_status_due"),
            models.Index(fields=["department", "status"], name="publication_department"),
        ]

    def __str__(self) -> str:
        return f"{self.department.short_name} · {self.inspection}"

    def is_late(self, today: datetime.date) -> bool:
        """Published after its deadline, or still pending past it."""
        if self.published_at is not None:
            from django.utils import timezone

            return timezone.localdate(self.published_at) > self.due_on
        return today > self.due_on


class PublishedResult(models.Model):
    """One published matter result as the public sees it: only public fields, copied at
    publication (the public side reads this table, never the staff tables). A business
    page and the search read it by credit code; open data and the public API list it.

    Personal data never enters this table: no inspector, no operator's name unless masked
    (个体工商户: 张*), no ID or phone number, no personal address.
    """

    publication = models.ForeignKey(
        ResultPublication, verbose_name="公开批次", on_delete=models.PROTECT, related_name="rows"
    )
    result = models.OneToOneField(
        MatterResult, verbose_name="检查结果", on_delete=models.PROTECT, related_name="public_row"
    )
    department = models.ForeignKey(
        Department, verbose_name="检查部门", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    task = models.ForeignKey(Task, verbose_name="抽查任务", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    credit_code = models.CharField("统一社会信用代码/对象标识", max_length=40)
    target_name = models.CharField("检查对象名称", max_length=200)
    # What the search box matches: the name folded (NFKC: full-width to half-width, lower
    # case, no spaces) and the code. A trigram index serves substrings on PostgreSQL.
    search_key = models.CharField("检索键", max_length=260, blank=True, default="")
    target_kind = models.CharField("对象类型", max_length=10)
    operator_masked = models.CharField("经营者（已脱敏）", max_length=100, blank=True)
    town_name = models.CharField("所属镇街", max_length=50, blank=True)
    task_code = models.CharField("任务编号", max_length=40)
    task_title = models.CharField("任务名称", max_length=200)
    matter_code = models.CharField("事项编号", max_length=30)
    matter_name = models.CharField("抽查事项", max_length=200)
    result_codes = models.CharField("结果代码", max_length=100, help_text="以“、”分隔")
    result_label = models.CharField("检查结果", max_length=300)
    outcome = models.CharField("结果性质", max_length=20)
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    published_at = models.DateTimeField("公开时间")
    corrected_label = models.CharField("更正后结果", max_length=300, blank=True)
    correction_note = models.TextField("更正说明", blank=True)
    corrected_at = models.DateTimeField("更正时间", null=True, blank=True)

    class Meta:
        verbose_name = "公开的检查结果"
        verbose_name_plural = "公开的检查结果"
        ordering = ["-published_at", "pk"]
        indexes = [
            models.Index(fields=["credit_code", "-published_at"], name="public_result_business"),
            models.Index(fields=["department", "year"], name="public_result_department"),
            # Holds the columns the search tests, so that a search among the newest results
            # reads the index alone (disclosure.selectors.search_rows; PostgreSQL only).
            models.Index(
                fields=["-published_at"],
                include=["id", "credit_code", "search_key", "department", "year", "outcome"],
                name="public_result_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_name} · {self.matter_name} · {self.result_label}"


class SearchGeneration(models.Model):
    """One row: a number that changes with every statement that writes the published
    results (or renames a department), set by triggers (migration 0007) from a sequence on
    PostgreSQL and at random on SQLite, so that a rolled-back write never leaves a number
    that was seen before. The public search keeps the newest published results in memory
    (disclosure.selectors.recent_results) and reads them again when this number changes."""

    value = models.BigIntegerField("版本号")

    class Meta:
        verbose_name = "检索数据版本"
        verbose_name_plural = "检索数据版本"

    def __str__(self) -> str:
        return str(self.value)


def search_fold(text: str) -> str:
    """A name or a search box's text as the search compares it: full-width characters to
    half-width (NFKC), lower case, without spaces of any width."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).lower()


def search_key(name: str, code: str) -> str:
    return f"{search_fold(name)}|{search_fold(code)}"[:260]


def objection_attachment_path(instance: ObjectionAttachment, filename: str) -> str:
    """A random name: the uploaded name is kept only as data, never as a path."""
    return f"objections/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class Objection(models.Model):
    """异议: a business (or anyone acting for it) objects to a published result, without
    signing in. The contact details are for the department only and never public; the
    public sees that an objection was made and how the department decided."""

    class Status(models.TextChoices):
        FILED = "filed", "待处理"
        UPHELD = "upheld", "维持原结果"
        CORRECTED = "corrected", "已更正"

    reference = models.CharField("受理编号", max_length=20, unique=True)
    published_result = models.ForeignKey(
        PublishedResult, verbose_name="异议的检查结果", on_delete=models.PROTECT, related_name="objections"
    )
    department = models.ForeignKey(
        Department, verbose_name="处理部门", on_delete=models.PROTECT, related_name="objections"
    )
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = EncryptedCharField("联系电话", max_length=20)
    reason = models.TextField("异议理由")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.FILED)
    decision_reason = models.TextField("处理理由", blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField("提出时间", auto_now_add=True)

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["-filed_at", "pk"]
        indexes = [models.Index(fields=["department", "status"], name="objection_department")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="filed")
                | (models.Q(decided_at__isnull=False) & ~models.Q(decision_reason="")),
                name="decided_objection_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.published_result.target_name}"


class ObjectionAttachment(models.Model):
    """A file given with an objection: checked by content, stored under MEDIA_ROOT (no URL
    serves it) and sent only to the department's staff."""

    objection = models.ForeignKey(
        Objection, verbose_name="异议", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=objection_attachment_path, max_length=200)
    content_type = models.CharField("文件类型", max_length=30)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间")

    EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}

    class Meta:
        verbose_name = "异议附件"
        verbose_name_plural = "异议附件"
        ordering = ["objection", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, "")
