"""Doing it: tasks, their verifiable draws (dsj-draw/1), the inspections they create.

A `Task` (抽查任务) is made from a plan item or directly (专项); it holds everything the
draw needs — matters, department slots, scope, sampling, window. A `Draw` is the protocol
in docs/DRAW_PROTOCOL.md: prepared (committed), executed, or cancelled. Executing it
creates one `Inspection` per selected target with its team.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from luozhuang_dsj.lib.deadlines import is_overdue
from luozhuang_dsj.lib.fieldcrypt import EncryptedCharField
from plans.models import ExemptionItem, Matter, PlanItem
from registry.models import Department, ExpertiseTag, Inspector, RiskClass, SubRegistry, Target, Town

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


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


class Task(models.Model):
    """抽查任务: one planned (or special) inspection campaign and the rules of its draw."""

    class Kind(models.TextChoices):
        RANDOM = "random", "双随机抽查"
        SPECIAL = "special", "专项抽查"
        # Not random: one target named by a lead, its team appointed by the department.
        CASE = "case", "个案检查"

    RANDOM_KINDS = frozenset({Kind.RANDOM, Kind.SPECIAL})

    class Status(models.TextChoices):
        DRAFT = "draft", "待抽取"
        PREPARED = "prepared", "已公示承诺"
        DRAWN = "drawn", "已抽取"
        ASSIGNED = "assigned", "已派员"
        CLOSED = "closed", "已完成"

    code = models.CharField("任务编号", max_length=40, unique=True)
    title = models.CharField("任务名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("任务类型", max_length=10, choices=Kind.choices, default=Kind.RANDOM)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    plan_item = models.ForeignKey(
        PlanItem,
        verbose_name="来源年度计划任务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    initiator = models.ForeignKey(
        Department, verbose_name="发起部门", on_delete=models.PROTECT, related_name="initiated_tasks"
    )
    form = models.CharField("抽查形式", max_length=10, choices=PlanItem.Form.choices, blank=True)
    methods = models.JSONField("检查方式", default=list)
    description = models.TextField("任务说明", blank=True)
    # Scope of the frame: members of these sub-registries passing the filters, 存续 only.
    sub_registries = models.ManyToManyField(
        SubRegistry, verbose_name="检查对象名录库分库", related_name="tasks"
    )
    towns = models.ManyToManyField(Town, verbose_name="限定镇街", blank=True, related_name="tasks")
    target_kinds = models.JSONField("限定对象类型", default=list, blank=True)
    industry_prefixes = models.JSONField("限定行业代码", default=list, blank=True)
    # Sampling: one ratio (stratum ALL), a ratio per risk class, or a fixed count (stratum ALL).
    sampling = models.CharField("抽取方式", max_length=10, choices=PlanItem.Sampling.choices)
    ratio = models.DecimalField(
        "抽查比例（%）", max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    ratio_a = models.DecimalField(
        "A类比例（%）", max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    ratio_b = models.DecimalField(
        "B类比例（%）", max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    ratio_c = models.DecimalField(
        "C类比例（%）", max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    ratio_d = models.DecimalField(
        "D类比例（%）", max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    target_count = models.PositiveIntegerField("抽取户数", null=True, blank=True)
    start_date = models.DateField("检查开始日期")
    end_date = models.DateField("检查结束日期")
    batch_size = models.PositiveIntegerField("每批户数", null=True, blank=True)
    exclusion_months = models.PositiveSmallIntegerField(
        "同一事项排除期（月）",
        default=12,
        validators=[MaxValueValidator(60)],
        help_text="此期间内已就本任务任一事项接受过检查的对象不再进入抽取范围",
    )
    expert_count = models.PositiveSmallIntegerField(
        "专家（第三方）人数", default=0, validators=[MaxValueValidator(5)], help_text="不计入两名执法人员"
    )
    expert_expertise = models.ManyToManyField(
        ExpertiseTag, verbose_name="专家须具备的业务专长", blank=True, related_name="+"
    )
    joint_visit_tasks = models.ManyToManyField(
        "self",
        verbose_name="合并上门检查的任务",
        blank=True,
        symmetrical=True,
        help_text="进一次门、查多项事：两个任务都抽中的对象只上门一次",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        ordering = ["-year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="task_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    RISK_FIELDS = PlanItem.RISK_FIELDS

    @property
    def risk_ratios(self) -> dict[str, Decimal | None]:
        return {risk: getattr(self, field) for risk, field in self.RISK_FIELDS.items()}

    @property
    def is_stratified(self) -> bool:
        return self.sampling == PlanItem.Sampling.RISK_RATIO

    @property
    def is_case(self) -> bool:
        return self.kind == self.Kind.CASE


class TaskDepartment(models.Model):
    """A department slot of a task, in order: 0 is the initiating department (发起部门),
    then the participating departments (参与部门) as the task lists them."""

    task = models.ForeignKey(
        Task, verbose_name="抽查任务", on_delete=models.CASCADE, related_name="departments"
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField("顺序")
    inspector_count = models.PositiveSmallIntegerField(
        "选派执法人员人数", validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    matters = models.ManyToManyField(Matter, verbose_name="抽查事项", related_name="task_departments")
    expertise = models.ManyToManyField(
        ExpertiseTag, verbose_name="须具备的业务专长", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "抽查任务部门"
        verbose_name_plural = "抽查任务部门"
        ordering = ["task", "order"]
        constraints = [
            models.UniqueConstraint(fields=["task", "department"], name="unique_task_department"),
            models.UniqueConstraint(fields=["task", "order"], name="unique_task_department_order"),
        ]

    @property
    def is_initiator(self) -> bool:
        return self.order == 0


class Draw(models.Model):
    """One run of the draw protocol (dsj-draw/1) for a task.

    The database guarantees a task has at most one live (prepared or executed) draw and at
    most one executed draw, ever: a second execute fails on the constraint, whatever the code
    path. `server_secret` stays out of every page and record until the draw is executed.
    """

    FORMAT = "dsj-draw/1"

    class Status(models.TextChoices):
        PREPARED = "prepared", "已承诺待抽取"
        EXECUTED = "executed", "已抽取"
        CANCELLED = "cancelled", "已取消"

    class WitnessSource(models.TextChoices):
        ON_SITE = "现场见证人", "现场见证人"
        LOTTERY = "当日福利彩票开奖号码", "当日福利彩票开奖号码"
        OTHER = "其他", "其他"

    task = models.ForeignKey(Task, verbose_name="抽查任务", on_delete=models.PROTECT, related_name="draws")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PREPARED)
    task_snapshot = models.JSONField("任务信息快照", help_text="记录中的 task 部分，承诺时冻结")
    frame_file = models.FileField("抽取范围文件", upload_to="draws/frames/")
    frame_digest = models.CharField("抽取范围摘要", max_length=64)
    frame_size = models.PositiveIntegerField("抽取范围户数")
    pool_file = models.FileField("人员库快照文件", upload_to="draws/pools/")
    pool_digest = models.CharField("人员库摘要", max_length=64)
    strata = models.JSONField("分层与样本量")
    exclusions = models.JSONField("排除情况", default=dict, help_text="{原因: 户数}")
    batch_size = models.PositiveIntegerField(
        "每批户数", help_text="不分批的任务按样本总数记，即全部在第 1 批"
    )
    server_secret = models.CharField("服务器密钥", max_length=64)
    commitment = models.CharField("承诺值", max_length=64, unique=True)
    committed_at = models.DateTimeField("承诺时间")
    scheduled_for = models.DateTimeField("计划抽取时间")
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="承诺人", on_delete=models.PROTECT, related_name="+"
    )
    executed_at = models.DateTimeField("抽取时间", null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="抽取人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    witness_input = models.CharField("见证输入", max_length=200, blank=True)
    witness_source = models.CharField(
        "见证输入来源", max_length=20, choices=WitnessSource.choices, blank=True
    )
    seed = models.CharField("种子", max_length=64, blank=True)
    selected = models.JSONField("抽中对象", default=list, blank=True)
    teams = models.JSONField("检查组", default=list, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="取消人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField("取消理由", blank=True)

    class Meta:
        verbose_name = "随机抽取"
        verbose_name_plural = "随机抽取"
        ordering = ["-committed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(status__in=["prepared", "executed"]),
                name="one_live_draw_per_task",
            ),
            models.UniqueConstraint(
                fields=["task"], condition=models.Q(status="executed"), name="one_executed_draw_per_task"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancel_reason=""),
                name="cancelled_draw_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="executed") | (~models.Q(seed="") & ~models.Q(witness_input="")),
                name="executed_draw_has_seed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} 抽取（{self.get_status_display()}）"

    @property
    def sample_total(self) -> int:
        return sum(stratum["sample_size"] for stratum in self.strata)


class DrawAdjustment(models.Model):
    """A replacement of one drawn inspector (the team itself is never rewritten)."""

    draw = models.ForeignKey(
        Draw, verbose_name="随机抽取", on_delete=models.PROTECT, related_name="adjustments"
    )
    position = models.PositiveIntegerField("序号")
    target_key = models.CharField("检查对象", max_length=40)
    department_code = models.CharField("部门", max_length=20, blank=True, help_text="专家组为空")
    inspector_out = models.CharField("被替换人员", max_length=30)
    inspector_in = models.CharField("替换人员", max_length=30)
    reason = models.TextField("理由")
    named_substitute = models.BooleanField("办公室指定人选", default=False)
    at = models.DateTimeField("时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "抽取后人员调整"
        verbose_name_plural = "抽取后人员调整"
        ordering = ["draw", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "position"], name="unique_adjustment_position")
        ]


class Visit(models.Model):
    """进一次门: one trip to one target. Usually it carries one inspection; when two tasks
    whose visits were merged both drew the target, it carries both, so the business opens
    its door once for every department's matters."""

    # Checked a statement at a time (luozhuang_dsj.lib.references, migration 0005): a draw
    # writes tens of thousands of visits, inspections and team members at once.
    target = models.ForeignKey(
        Target,
        verbose_name="检查对象",
        on_delete=models.PROTECT,
        related_name="visits",
        db_constraint=False,
    )
    scheduled_date = models.DateField("计划检查日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "上门检查"
        verbose_name_plural = "上门检查"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.target.name} {self.scheduled_date or ''}".strip()


class Inspection(models.Model):
    """检查: one target in one task, with its team; part of one visit (进一次门)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待检查"
        IN_PROGRESS = "in_progress", "检查中"
        DONE = "done", "已完成"
        IMPOSSIBLE = "impossible", "无法检查"

    # No single-column indexes on task and target: the unique (task, target) constraint and
    # the (target, …) indexes below serve those lookups, and a large draw writes tens of
    # thousands of inspections at once, each paying for every index.
    task = models.ForeignKey(
        Task,
        verbose_name="抽查任务",
        on_delete=models.PROTECT,
        related_name="inspections",
        db_index=False,
        db_constraint=False,  # these four checked a statement at a time (see Visit.target)
    )
    draw = models.ForeignKey(
        Draw,
        verbose_name="随机抽取",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
        db_constraint=False,
    )
    target = models.ForeignKey(
        Target,
        verbose_name="检查对象",
        on_delete=models.PROTECT,
        related_name="inspections",
        db_index=False,
        db_constraint=False,
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name="上门检查",
        on_delete=models.PROTECT,
        related_name="inspections",
        db_constraint=False,
    )
    stratum = models.CharField("分层", max_length=10, blank=True)
    ticket = models.CharField("抽签值", max_length=64, blank=True)
    position = models.PositiveIntegerField("抽取顺序", help_text="按抽签值升序的位次，从 1 开始")
    batch = models.PositiveIntegerField("批次", default=1)
    risk_class = models.CharField("抽取时信用风险分类", max_length=1, choices=RiskClass.choices)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # The joint summary (联合检查汇总), written by the initiating department when it closes
    # the inspection once every department has submitted its matters' results.
    # Database defaults: the draw writes inspections with COPY and names only its columns.
    summary = models.TextField("检查汇总意见", blank=True, default="", db_default="")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finding_level = models.PositiveSmallIntegerField(
        "发现问题程度",
        default=0,
        db_default=0,
        help_text="办结时各事项结果中最重的一项，供信用风险分类使用",
    )

    CLOSED_STATUSES = frozenset({Status.DONE, Status.IMPOSSIBLE})

    class Meta:
        verbose_name = "检查"
        verbose_name_plural = "检查"
        ordering = ["task", "position"]
        constraints = [models.UniqueConstraint(fields=["task", "target"], name="unique_inspection_target")]
        indexes = [
            models.Index(fields=["target", "created_at"]),
            models.Index(fields=["target", "status", "closed_at"], name="inspection_target_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} · {self.target.name}"

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES


class InspectionAssignment(models.Model):
    """An inspector on an inspection's team. A replaced inspector's row stays, inactive."""

    # inspection, inspector and department are checked a statement at a time (see Visit.target).
    inspection = models.ForeignKey(
        Inspection,
        verbose_name="检查",
        on_delete=models.CASCADE,
        related_name="assignments",
        db_constraint=False,
    )
    inspector = models.ForeignKey(
        Inspector,
        verbose_name="执法检查人员",
        on_delete=models.PROTECT,
        related_name="assignments",
        db_constraint=False,
    )
    # A draw writes five or so of these per target (fifty thousand for a large draw), so
    # they carry no index that only a rare delete would use: department (a department is
    # never deleted while it has inspections) has none, adjustment (null but for the few
    # rows an adjustment added) a partial one.
    department = models.ForeignKey(
        Department,
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    slot = models.PositiveSmallIntegerField("岗位序号")
    is_expert = models.BooleanField("专家（第三方）", default=False)
    is_active = models.BooleanField("在岗", default=True)
    adjustment = models.ForeignKey(
        DrawAdjustment,
        verbose_name="调整记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="经调整加入的人员",
        db_index=False,
    )

    class Meta:
        verbose_name = "检查组成员"
        verbose_name_plural = "检查组成员"
        ordering = ["inspection", "slot", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "inspector"],
                condition=models.Q(is_active=True),
                name="unique_active_assignment",
            )
        ]
        indexes = [
            models.Index(
                fields=["adjustment"],
                condition=models.Q(adjustment__isnull=False),
                name="assignment_adjustment",
            )
        ]


# ---- results (谁检查、谁录入) -----------------------------------------------------------------------


class FindingLevel(models.IntegerChoices):
    """How serious a result is, from its codes: what credit risk and follow-up read."""

    NONE = 0, "未发现问题"
    CORRECTED = 1, "发现问题已改正"
    PROBLEM = 2, "发现问题"
    SERIOUS = 3, "严重问题"


class MatterResult(models.Model):
    """One matter's result on one inspection, entered by a team member of the matter's
    department. A draft is seen by that department only; once submitted every department
    reads it (互认共享) and only the department head changes it (audited, with a reason);
    the head's approval makes it ready for publication by the department."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交待审核"
        APPROVED = "approved", "负责人已审核"

    ENTERED = frozenset({Status.SUBMITTED, Status.APPROVED})

    inspection = models.ForeignKey(
        Inspection, verbose_name="检查", on_delete=models.PROTECT, related_name="results"
    )
    matter = models.ForeignKey(Matter, verbose_name="抽查事项", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name="录入部门", on_delete=models.PROTECT, related_name="+"
    )
    target = models.ForeignKey(
        Target, verbose_name="检查对象", on_delete=models.PROTECT, related_name="matter_results"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    codes = models.ManyToManyField(ResultCode, verbose_name="检查结果", blank=True, related_name="+")
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    findings = models.TextField("检查情况及发现的问题", blank=True)
    legal_basis = models.TextField("违反的法律依据", blank=True)
    exemption_item = models.ForeignKey(
        ExemptionItem,
        verbose_name="适用的轻微违法免罚清单事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    correction_order = models.TextField("责令改正内容", blank=True)
    correction_deadline = models.DateField("改正期限", null=True, blank=True)
    finding_level = models.PositiveSmallIntegerField(
        "发现问题程度", choices=FindingLevel.choices, default=FindingLevel.NONE
    )
    # The browser's draft token last stored: the page tells the offline-draft script which
    # local draft the server already holds (static/js/result-draft.js).
    client_token = models.CharField("本机草稿标识", max_length=64, blank=True)
    revision = models.PositiveIntegerField("版本", default=1)
    return_reason = models.TextField("退回修改意见", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="最后修改人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人（部门负责人）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "事项检查结果"
        verbose_name_plural = "事项检查结果"
        ordering = ["inspection", "matter__code"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "matter"], name="unique_result_per_matter"),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (models.Q(submitted_at__isnull=False) & models.Q(inspected_on__isnull=False)),
                name="entered_result_is_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["target", "status", "inspected_on"], name="result_target_status"),
            models.Index(fields=["department", "status"], name="result_department_status"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.matter.name}"

    @property
    def is_entered(self) -> bool:
        return self.status in self.ENTERED


def attachment_path(instance: ResultAttachment, filename: str) -> str:
    """A random name under results/: the uploaded name is kept only as data, never as a path."""
    return f"results/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class ResultAttachment(models.Model):
    """A photo or document attached to a result: checked by content, stored under MEDIA_ROOT
    (no URL serves it) and sent only by a view that checks who asks."""

    class Kind(models.TextChoices):
        JPEG = "image/jpeg", "JPEG 图片"
        PNG = "image/png", "PNG 图片"
        WEBP = "image/webp", "WebP 图片"
        PDF = "application/pdf", "PDF 文档"

    EXTENSIONS = {Kind.JPEG: ".jpg", Kind.PNG: ".png", Kind.WEBP: ".webp", Kind.PDF: ".pdf"}

    result = models.ForeignKey(
        MatterResult, verbose_name="事项检查结果", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    content_type = models.CharField("文件类型", max_length=30, choices=Kind.choices)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    description = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "检查结果附件"
        verbose_name_plural = "检查结果附件"
        ordering = ["result", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, "")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ResultAmendment(models.Model):
    """A change to a submitted result by the department head: reason, before and after."""

    result = models.ForeignKey(
        MatterResult, verbose_name="事项检查结果", on_delete=models.PROTECT, related_name="amendments"
    )
    revision = models.PositiveIntegerField("修改后版本")
    at = models.DateTimeField("修改时间", auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("修改理由")
    before = models.JSONField("修改前", encoder=DjangoJSONEncoder)
    after = models.JSONField("修改后", encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = "检查结果修改记录"
        verbose_name_plural = "检查结果修改记录"
        ordering = ["result", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["result", "revision"], name="unique_result_amendment_revision")
        ]


# ---- follow-up (后续处置: 谁审批、谁监管，谁主管、谁监管) -----------------------------------------


class FollowUp(models.Model):
    """A measure taken on a finding. A hand-off (移交) waits in the receiving department's
    queue until it accepts (then handles it) or returns it with a reason."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "责令改正"
        ABNORMAL_LIST = "abnormal", "列入经营异常名录"
        CASE_FILING = "case", "立案查处"
        HANDOVER = "handover", "移交"
        JUDICIAL = "judicial", "移送司法机关"

    class Status(models.TextChoices):
        OPEN = "open", "办理中"
        AWAITING = "awaiting", "待接收"
        RETURNED = "returned", "已退回"
        DONE = "done", "已办结"

    class Basis(models.TextChoices):
        APPROVAL = "谁审批、谁监管", "谁审批、谁监管"
        COMPETENT = "谁主管、谁监管", "谁主管、谁监管"
        JURISDICTION = "属地管理", "属地管理"

    LIVE = frozenset({Status.OPEN, Status.AWAITING})

    result = models.ForeignKey(
        MatterResult, verbose_name="事项检查结果", on_delete=models.PROTECT, related_name="follow_ups"
    )
    target = models.ForeignKey(
        Target, verbose_name="检查对象", on_delete=models.PROTECT, related_name="follow_ups"
    )
    kind = models.CharField("处置方式", max_length=10, choices=Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    origin_department = models.ForeignKey(
        Department, verbose_name="发现部门", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="承办部门",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="移交待接收时为接收部门",
    )
    measure = models.TextField("处置内容")
    deadline = models.DateField("办理（改正）期限", null=True, blank=True)
    document_number = models.CharField("文书编号（案号）", max_length=60, blank=True)
    external_body = models.CharField("移送机关", max_length=100, blank=True)
    handover_basis = models.CharField("移交依据", max_length=10, choices=Basis.choices, blank=True)
    accept_deadline = models.DateField("接收期限", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField("接收时间", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="退回人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    recheck_on = models.DateField("复查日期", null=True, blank=True)
    recheck_corrected = models.BooleanField("复查时已改正", null=True, blank=True)
    recheck_note = models.TextField("复查情况", blank=True)
    outcome = models.TextField("办结情况", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "后续处置"
        verbose_name_plural = "后续处置"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="returned") | ~models.Q(return_reason=""),
                name="returned_follow_up_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="handover") | ~models.Q(handover_basis=""),
                name="handover_has_basis",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="follow_up_department_status"),
            models.Index(fields=["target", "kind", "created_at"], name="follow_up_target_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.target.name}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    def is_overdue(self, today: datetime.date) -> bool:
        if self.status == self.Status.AWAITING:
            return is_overdue(self.accept_deadline, today=today)
        if self.status == self.Status.OPEN:
            if self.kind == self.Kind.CORRECTION and self.recheck_on is not None:
                return False
            return is_overdue(self.deadline, today=today)
        return False


# ---- case leads (个案线索) -----------------------------------------------------------------------


class CaseLead(models.Model):
    """A lead from a complaint, a referral or monitoring. It may name a business that is in
    the registry, or — 无证无照经营 — a party with no registration and no credit code. It is
    handled by a case check (a task of kind 个案检查, not random, counted apart from random
    inspections) or gathered with other leads into a special random task (专项抽查)."""

    class Source(models.TextChoices):
        COMPLAINT = "complaint", "投诉举报"
        REFERRAL = "referral", "转办交办"
        MONITORING = "monitoring", "数据监测"

    class Kind(models.TextChoices):
        GENERAL = "general", "一般违法线索"
        UNLICENSED = "unlicensed", "无证无照经营"

    class Status(models.TextChoices):
        REGISTERED = "registered", "已登记待分派"
        ASSIGNED = "assigned", "已分派待处理"
        CHECKING = "checking", "个案检查中"
        GROUPED = "grouped", "已纳入专项抽查"
        CLOSED = "closed", "已办结"

    LIVE = frozenset({Status.REGISTERED, Status.ASSIGNED, Status.CHECKING, Status.GROUPED})

    number = models.CharField("线索编号", max_length=30, unique=True)
    source = models.CharField("线索来源", max_length=12, choices=Source.choices)
    kind = models.CharField("线索类型", max_length=12, choices=Kind.choices, default=Kind.GENERAL)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REGISTERED)
    received_on = models.DateField("收到日期")
    deadline = models.DateField("办理期限")
    target = models.ForeignKey(
        Target,
        verbose_name="检查对象",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_leads",
        help_text="名录库中的对象；无证无照经营的当事人可能不在名录库中",
    )
    party_name = models.CharField("当事人名称", max_length=200)
    party_credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    party_address = models.CharField("经营地址", max_length=300, blank=True)
    town = models.ForeignKey(
        Town, verbose_name="所属镇街", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField("线索内容")
    reporter_name = models.CharField("举报人姓名", max_length=50, blank=True)
    reporter_phone = EncryptedCharField("举报人联系电话", max_length=20, blank=True)
    matters = models.ManyToManyField(Matter, verbose_name="涉及的抽查事项", blank=True, related_name="+")
    registering_department = models.ForeignKey(
        Department, verbose_name="登记部门", on_delete=models.PROTECT, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    department = models.ForeignKey(
        Department,
        verbose_name="承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)
    task = models.ForeignKey(
        Task,
        verbose_name="处理任务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_leads",
        help_text="个案检查任务，或汇集线索的专项抽查任务",
    )
    outcome = models.TextField("办理结果", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "个案线索"
        verbose_name_plural = "个案线索"
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="registered") | models.Q(department__isnull=False),
                name="handled_lead_has_department",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""), name="closed_lead_has_outcome"
            ),
        ]
        indexes = [models.Index(fields=["department", "status"], name="lead_department_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.party_name}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_live and is_overdue(self.deadline, today=today)


# ---- credit risk (信用风险分类) and joint punishment (联合惩戒) --------------------------------


class TargetCredit(models.Model):
    """The last recomputation of a target's class (docs/CREDIT_RISK.md). `base_class` is the
    class the registry gave it (an import or the office's edit); the rules adjust from it."""

    # The rule that decided the class (first match wins), as the history note says it.
    RULES = {
        "override": "办公室人工调整",
        "listed": "列入严重违法失信名单",
        "serious": "24个月内有严重违法问题或被立案查处、移送司法机关",
        "finding": "24个月内检查发现问题或复查未改正，不低于C类",
        "corrected": "12个月内发现问题已改正，不低于B类",
        "clean_run": "36个月内检查未发现问题，每两次下调一类",
        "base": "无影响分类的检查结果，按名录库分类",
    }

    target = models.OneToOneField(
        Target, verbose_name="检查对象", primary_key=True, on_delete=models.CASCADE, related_name="credit"
    )
    base_class = models.CharField("基准分类", max_length=1, choices=RiskClass.choices)
    computed_class = models.CharField("计算分类", max_length=1, choices=RiskClass.choices)
    rule = models.CharField("适用规则", max_length=20, blank=True)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "信用风险分类计算结果"
        verbose_name_plural = "信用风险分类计算结果"


class CreditOverride(models.Model):
    """An office override of a target's class: it holds against the rules until lifted."""

    target = models.ForeignKey(
        Target, verbose_name="检查对象", on_delete=models.PROTECT, related_name="credit_overrides"
    )
    risk_class = models.CharField("调整为", max_length=1, choices=RiskClass.choices)
    reason = models.TextField("调整理由")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="调整人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("调整时间", auto_now_add=True)
    lifted_at = models.DateTimeField("撤销时间", null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lift_reason = models.TextField("撤销理由", blank=True)

    class Meta:
        verbose_name = "信用风险分类人工调整"
        verbose_name_plural = "信用风险分类人工调整"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target"], condition=models.Q(lifted_at__isnull=True), name="one_live_override"
            )
        ]


class DishonestyListing(models.Model):
    """An entry on the serious-dishonesty list (严重违法失信名单), kept by the office."""

    target = models.ForeignKey(
        Target, verbose_name="检查对象", on_delete=models.PROTECT, related_name="dishonesty_listings"
    )
    source = models.CharField("列入机关（来源）", max_length=100)
    document_number = models.CharField("列入决定文号", max_length=60, blank=True)
    reason = models.TextField("列入事由")
    listed_on = models.DateField("列入日期")
    expires_on = models.DateField("届满日期", null=True, blank=True)
    removed_on = models.DateField("移出日期", null=True, blank=True)
    removal_reason = models.TextField("移出理由", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="移出登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "严重违法失信名单"
        verbose_name_plural = "严重违法失信名单"
        ordering = ["-listed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=models.F("listed_on")),
                name="listing_expires_after_listed",
            ),
            models.CheckConstraint(
                condition=models.Q(removed_on__isnull=True) | ~models.Q(removal_reason=""),
                name="listing_removal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["target", "listed_on"], name="listing_target")]

    def __str__(self) -> str:
        return f"{self.target.name}（{self.source}）"

    @classmethod
    def in_force_q(cls, today: datetime.date, prefix: str = "") -> models.Q:
        """Listings in force on `today`: listed, not expired, not removed."""
        return (
            models.Q(**{f"{prefix}listed_on__lte": today})
            & (
                models.Q(**{f"{prefix}expires_on__isnull": True})
                | models.Q(**{f"{prefix}expires_on__gt": today})
            )
            & (
                models.Q(**{f"{prefix}removed_on__isnull": True})
                | models.Q(**{f"{prefix}removed_on__gt": today})
            )
        )

    def is_in_force(self, today: datetime.date) -> bool:
        return (
            self.listed_on <= today
            and (self.expires_on is None or self.expires_on > today)
            and (self.removed_on is None or self.removed_on > today)
        )
