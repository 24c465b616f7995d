"""Exchange with the provincial platform (省工作平台, 互联共享): see docs/EXCHANGE.md.

Outbound is an outbox: the scheduled run turns every new version of a filed plan, a draw
and an approved result into one `ExchangeItem` (its payload frozen, its SHA-256 digest
unique per kind and key, so the same version is never queued twice); the transport then
delivers the items, each with its `message_id`, retrying with backoff. Inbound files from
the province (registry and matter-list updates) are each recorded once by their digest
as an `InboundFile`. Every run leaves an `ExchangeRun` row: the log the office reads.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from luozhuang_dsj.models import ImportBatch


class ExchangeItem(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", "年度抽查计划"
        DRAW = "draw", "随机抽取"
        RESULT = "result", "检查结果"

    class Status(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    message_id = models.UUIDField("消息标识", default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    key = models.CharField("对象标识", max_length=120)
    version = models.CharField("版本说明", max_length=100, blank=True)
    payload = models.JSONField("报文内容")
    digest = models.CharField("报文摘要（SHA-256）", max_length=64)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间", help_text="发送中时为租约到期时间")
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "上报数据"
        verbose_name_plural = "上报数据"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "digest"], name="exchange_item_once_per_version"),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="exchange_sent_item_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="exchange_item_due"),
            models.Index(fields=["kind", "key", "-created_at"], name="exchange_item_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class InboundFile(models.Model):
    class Kind(models.TextChoices):
        REGISTRY = "registry", "检查对象名录更新"
        CATALOG = "catalog", "省级抽查事项清单"

    class Source(models.TextChoices):
        INBOX = "inbox", "接收目录"
        UPLOAD = "upload", "办公室上传"

    class Status(models.TextChoices):
        APPLIED = "applied", "已导入"
        REJECTED = "rejected", "已拒收"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    filename = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("文件摘要（SHA-256）", max_length=64, unique=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    reason = models.TextField("拒收原因", blank=True)
    outcome = models.JSONField("导入结果", default=dict, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    processed_at = models.DateTimeField("处理时间", auto_now_add=True)

    class Meta:
        verbose_name = "接收文件"
        verbose_name_plural = "接收文件"
        ordering = ["-processed_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class ExchangeRun(models.Model):
    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "定时"
        OFFICE = "office", "办公室手动"

    trigger = models.CharField("触发方式", max_length=10, choices=Trigger.choices)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    collected_since = models.DateTimeField(
        "采集起点", null=True, blank=True, help_text="上次完成采集的开始时间减去重叠时段（首次为空：全部）"
    )
    collect_complete = models.BooleanField("采集完成", default=False)
    queued = models.PositiveIntegerField("新增待发送", default=0)
    sent = models.PositiveIntegerField("发送成功", default=0)
    failed = models.PositiveIntegerField("发送失败", default=0)
    received = models.PositiveIntegerField("接收导入", default=0)
    rejected = models.PositiveIntegerField("接收拒收", default=0)
    error = models.TextField("错误", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "交换运行记录"
        verbose_name_plural = "交换运行记录"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_trigger_display()}"
