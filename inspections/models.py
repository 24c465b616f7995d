from __future__ import annotations

from django.db import models


class ResultCode(models.Model):
    """An inspection result category (抽查检查结果), as on the national publicity system."""

    class Outcome(models.TextChoices):
        CLEAN = "clean", "未发现问题"
        PROBLEM = "problem", "发现问题"
        CORRECTED = "corrected", "已改正"
        FOLLOWUP = "followup", "待后续处理"
        NOT_APPLICABLE = "not_applicable", "不涉及"
        STATUS = "status", "登记状态变化"

    code = models.CharField("结果代码", max_length=4, unique=True)
    name = models.CharField("结果名称", max_length=100)
    outcome = models.CharField("结果性质", max_length=20, choices=Outcome.choices)
    official_code = models.CharField("国家规范代码（GS52-2017）", max_length=20, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "检查结果代码"
        verbose_name_plural = "检查结果代码"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
