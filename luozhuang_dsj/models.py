from __future__ import annotations

import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from luozhuang_dsj.lib.fieldcrypt import EncryptedCharField
from luozhuang_dsj.lib.roles import HOME_ORDER, Role


class CaseInsensitiveUserManager(UserManager):
    """`Staff1` and `staff1` are the same account: sign-in looks the username up without case."""

    use_in_migrations = False  # migrations never import app code; they need no manager methods

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """A login. Every user belongs to one department (成员单位) and holds one or more roles."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    name = models.CharField("姓名", max_length=50)
    department = models.ForeignKey(
        "registry.Department", verbose_name="所属单位", on_delete=models.PROTECT, related_name="users"
    )
    phone = EncryptedCharField("联系电话", max_length=20, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    REQUIRED_FIELDS = ["name"]
    objects = CaseInsensitiveUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["department_id", "username"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="unique_username_ignoring_case"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.username}）"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def primary_role(self) -> str | None:
        return next((role for role in HOME_ORDER if role in self.roles), None)

    @property
    def role_labels(self) -> str:
        return "、".join(Role(role).label for role in HOME_ORDER if role in self.roles)


class UserRole(models.Model):
    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.get_role_display()}"


class AuditEvent(models.Model):
    """One append-only entry of the audit trail (审计日志).

    `hash` covers every other column plus `previous_hash`, so editing or deleting an event
    breaks the chain at the next one. On PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    class Result(models.TextChoices):
        OK = "ok", "成功"
        DENIED = "denied", "拒绝"
        FAILED = "failed", "失败"

    at = models.DateTimeField("时间", db_index=True)
    user = models.ForeignKey(
        User, verbose_name="用户", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    role = models.CharField("角色", max_length=100, blank=True)
    department_code = models.CharField("单位代码", max_length=20, blank=True, db_index=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_key = models.CharField("对象标识", max_length=200, blank=True, db_index=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.OK)
    client_ip = models.GenericIPAddressField("客户端地址", null=True, blank=True)
    previous_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"


class Job(models.Model):
    """A background job (import, export, draw) whose state lives in the database.

    The browser follows `done`/`total`; the Celery task only carries the job's id, so a
    worker restart or a re-queued message finds the job where it was left.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("类型", max_length=60, db_index=True)
    title = models.CharField("名称", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    stage = models.CharField("当前步骤", max_length=200, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)
    result_file = models.FileField("结果文件", upload_to="jobs/%Y/%m/", blank=True)
    result_filename = models.CharField("下载文件名", max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name="发起人", null=True, on_delete=models.PROTECT, related_name="jobs"
    )
    department = models.ForeignKey(
        "registry.Department", verbose_name="所属单位", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    queued_at = models.DateTimeField("最近排队时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    expires_at = models.DateTimeField("下载过期时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}


class ImportBatch(models.Model):
    """One upload of a spreadsheet into some list (检查对象, 执法检查人员, 事项清单…).

    Keeps the file, the validation report, who did it and the outcome. The rows are
    written only when a user confirms a batch whose validation found no error, and then
    in one transaction (see `luozhuang_dsj.imports`).
    """

    class Status(models.TextChoices):
        VALIDATING = "validating", "校验中"
        INVALID = "invalid", "校验未通过"
        READY = "ready", "待确认"
        CONFIRMED = "confirmed", "导入中"
        APPLIED = "applied", "已导入"
        FAILED = "failed", "导入失败"
        CANCELLED = "cancelled", "已取消"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("导入类型", max_length=60, db_index=True)
    title = models.CharField("名称", max_length=200)
    params = models.JSONField("参数", default=dict, blank=True)
    file = models.FileField("上传文件", upload_to="imports/%Y/%m/")
    original_filename = models.CharField("原文件名", max_length=255)
    file_size = models.PositiveBigIntegerField("文件大小（字节）", default=0)
    file_sha256 = models.CharField("文件 SHA-256", max_length=64, blank=True)
    staged_file = models.FileField("校验后的数据", upload_to="imports/staged/%Y/%m/", blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.VALIDATING)
    report = models.JSONField("校验报告", default=dict, blank=True)
    outcome = models.JSONField("导入结果", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)
    created_by = models.ForeignKey(
        User, verbose_name="上传人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "registry.Department", verbose_name="所属单位", null=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        User, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    validated_at = models.DateTimeField("校验完成时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    applied_at = models.DateTimeField("导入完成时间", null=True, blank=True)
    validate_job = models.ForeignKey(
        Job, verbose_name="校验任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    apply_job = models.ForeignKey(
        Job, verbose_name="导入任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["department", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.title}：{self.original_filename}（{self.get_status_display()}）"


class ImportIssue(models.Model):
    """One problem found in one row (or the header) of an uploaded file."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name="导入批次", on_delete=models.CASCADE, related_name="issues"
    )
    row_number = models.PositiveIntegerField("行号")
    column = models.CharField("列", max_length=100, blank=True)
    value = models.CharField("内容", max_length=300, blank=True)
    reason = models.CharField("原因", max_length=300)

    class Meta:
        verbose_name = "导入问题"
        verbose_name_plural = "导入问题"
        ordering = ["row_number", "id"]
