from __future__ import annotations

from django.db import models


class Department(models.Model):
    """A member department (成员单位) of the district's joint meeting."""

    code = models.CharField("单位代码", max_length=20, unique=True)
    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50)
    is_office = models.BooleanField("联席会议办公室所在单位", default=False)
    is_active = models.BooleanField("在用", default=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "成员单位"
        verbose_name_plural = "成员单位"
        ordering = ["-is_office", "code"]
        constraints = [
            # Exactly one department hosts the joint-meeting office; at most one can be flagged.
            models.UniqueConstraint(
                fields=["is_office"], condition=models.Q(is_office=True), name="one_office"
            )
        ]

    def __str__(self) -> str:
        return self.short_name


class Town(models.Model):
    """A sub-district or town (街道、镇): a target's 属地."""

    class Kind(models.TextChoices):
        SUBDISTRICT = "街道", "街道"
        TOWN = "镇", "镇"

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    kind = models.CharField("类型", max_length=4, choices=Kind.choices)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "镇街"
        verbose_name_plural = "镇街"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
