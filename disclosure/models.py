"""一公开: what is public and since when.

A `ResultPublication` is one department's results on one inspection (谁检查、谁录入、谁公开).
It is created, pending, when the inspection is closed (the joint summary ends the
inspection); its deadline is 20 working days later on the official calendar; the
department publishes it once its head has approved its results. Only published rows
reach the public side, and only through the public fields the disclosure app lists.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models

from inspections.models import Inspection
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
