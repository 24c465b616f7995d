"""Doing it: tasks, their verifiable draws (dsj-draw/1), the inspections they create.

A `Task` (抽查任务) is made from a plan item or directly (专项); it holds everything the
draw needs — matters, department slots, scope, sampling, window. A `Draw` is the protocol
in docs/DRAW_PROTOCOL.md: prepared (committed), executed, or cancelled. Executing it
creates one `Inspection` per selected target with its team.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from plans.models import Matter, PlanItem
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

    class Status(models.TextChoices):
        DRAFT = "draft", "待抽取"
        PREPARED = "prepared", "已公示承诺"
        DRAWN = "drawn", "已抽取"
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
    form = models.CharField("抽查形式", max_length=10, choices=PlanItem.Form.choices)
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

    target = models.ForeignKey(
        Target, verbose_name="检查对象", on_delete=models.PROTECT, related_name="visits"
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

    task = models.ForeignKey(
        Task, verbose_name="抽查任务", on_delete=models.PROTECT, related_name="inspections"
    )
    draw = models.ForeignKey(
        Draw,
        verbose_name="随机抽取",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    target = models.ForeignKey(
        Target, verbose_name="检查对象", on_delete=models.PROTECT, related_name="inspections"
    )
    visit = models.ForeignKey(
        Visit, verbose_name="上门检查", on_delete=models.PROTECT, related_name="inspections"
    )
    stratum = models.CharField("分层", max_length=10, blank=True)
    ticket = models.CharField("抽签值", max_length=64, blank=True)
    position = models.PositiveIntegerField("抽取顺序", help_text="按抽签值升序的位次，从 1 开始")
    batch = models.PositiveIntegerField("批次", default=1)
    risk_class = models.CharField("抽取时信用风险分类", max_length=1, choices=RiskClass.choices)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查"
        verbose_name_plural = "检查"
        ordering = ["task", "position"]
        constraints = [models.UniqueConstraint(fields=["task", "target"], name="unique_inspection_target")]
        indexes = [models.Index(fields=["target", "created_at"])]

    def __str__(self) -> str:
        return f"{self.task.code} · {self.target.name}"


class InspectionAssignment(models.Model):
    """An inspector on an inspection's team. A replaced inspector's row stays, inactive."""

    inspection = models.ForeignKey(
        Inspection, verbose_name="检查", on_delete=models.CASCADE, related_name="assignments"
    )
    inspector = models.ForeignKey(
        Inspector, verbose_name="执法检查人员", on_delete=models.PROTECT, related_name="assignments"
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
