"""Notifications (站内通知), the office's holiday table (法定节假日安排) for the years the
built-in calendar does not cover, and the joint-meeting roster (联席会议成员名单)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from registry.models import Department

# ---- notifications ----------------------------------------------------------------------------


class Notification(models.Model):
    """One message to one user. The e-mail copy's state lives here too, so that a failed or
    interrupted delivery is retried from the database, never lost with a queue message."""

    class Kind(models.TextChoices):
        PLAN_SUBMITTED = "plan.submitted", "年度计划待备案"
        PLAN_RETURNED = "plan.returned", "年度计划被退回"
        PLAN_DUE = "plan.due", "年度计划报送期限临近"
        DRAW_SCHEDULED = "draw.scheduled", "随机抽取已公示承诺"
        DRAW_CANCELLED = "draw.cancelled", "随机抽取已取消"
        DRAW_EXECUTED = "draw.executed", "随机抽取已执行"
        HOLIDAYS_MISSING = "calendar.missing", "节假日安排待录入"
        # Emitted by the inspections, results and disclosure apps (issues 6 and 7).
        INSPECTION_ASSIGNED = "inspection.assigned", "检查任务分派"
        HANDOFF_RECEIVED = "handoff.received", "收到移交"
        OBJECTION_FILED = "objection.filed", "收到异议"
        PUBLICATION_DUE = "publication.due", "结果公示期限临近"
        RESULT_DUE = "result.due", "结果录入期限临近"
        FOLLOW_UP_DUE = "followup.due", "后续处置期限临近"

    class EmailStatus(models.TextChoices):
        NONE = "none", "不发送邮件"
        PENDING = "pending", "邮件待发送"
        SENDING = "sending", "邮件发送中"
        SENT = "sent", "邮件已发送"
        FAILED = "failed", "邮件发送失败"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True, help_text="本站内的路径，如 /work/plans/3/")
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    dedupe_key = models.CharField(
        "去重标识", max_length=120, blank=True, help_text="同一接收人同一标识只通知一次（如定时提醒）"
    )
    email_status = models.CharField(
        "邮件状态", max_length=10, choices=EmailStatus.choices, default=EmailStatus.NONE
    )
    email_attempts = models.PositiveSmallIntegerField("邮件发送次数", default=0)
    email_next_attempt_at = models.DateTimeField(
        "邮件下次尝试时间", null=True, blank=True, help_text="发送中时为租约到期时间"
    )
    email_sent_at = models.DateTimeField("邮件发送时间", null=True, blank=True)
    email_error = models.CharField("邮件错误", max_length=300, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_once_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["email_status", "email_next_attempt_at"], name="notification_email_due"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


# ---- the holiday table -----------------------------------------------------------------------


class HolidayArrangement(models.Model):
    """A year's official holiday arrangement (国务院办公厅部分节假日安排) as the office entered
    it, for a year the built-in calendar does not cover yet. Its existence says the year's
    arrangement is entered; its days are `HolidayDay` rows."""

    year = models.PositiveSmallIntegerField(
        "年度", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(
        "依据文件",
        max_length=200,
        help_text="如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度节假日安排"
        verbose_name_plural = "年度节假日安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class HolidayDay(models.Model):
    """One day of an entered arrangement: a day off (放假) or a make-up working day (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    arrangement = models.ForeignKey(
        HolidayArrangement, verbose_name="年度安排", on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=30, help_text="如：春节、国庆节")

    class Meta:
        verbose_name = "节假日安排日期"
        verbose_name_plural = "节假日安排日期"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}{self.get_kind_display()}"


# ---- the joint-meeting roster ----------------------------------------------------------------------


class RosterMember(models.Model):
    """A seat of the joint meeting (罗庄区“双随机、一公开”监管工作联席会议成员名单)."""

    class Duty(models.TextChoices):
        GENERAL_CONVENER = "总召集人", "总召集人"
        CONVENER = "召集人", "召集人"
        DEPUTY_CONVENER = "副召集人", "副召集人"
        MEMBER = "成员", "成员"
        OFFICE_DIRECTOR = "办公室主任", "办公室主任"

    # Held by one person at a time.
    SINGLE_DUTIES = (Duty.GENERAL_CONVENER, Duty.OFFICE_DIRECTOR)

    duty = models.CharField("职责", max_length=10, choices=Duty.choices)
    position = models.PositiveSmallIntegerField(
        "排序", default=1, validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=100, help_text="如：区市场监管局局长")
    department = models.ForeignKey(
        Department,
        verbose_name="成员单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roster_members",
        help_text="区政府领导可不填",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roster_seats",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "联席会议成员"
        verbose_name_plural = "联席会议成员"
        ordering = ["duty", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["duty"],
                condition=models.Q(duty__in=["总召集人", "办公室主任"]),
                name="one_general_convener_one_office_director",
            )
        ]

    def __str__(self) -> str:
        return f"{self.duty} {self.name}"
