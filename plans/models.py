"""What may be inspected and when: the provincial list, department matter lists,
the no-penalty list and the annual plans.

Published material (a department's matter list, a filed plan) is kept as immutable
snapshots (`MatterListVersion`, `PlanRevision`): the public side reads only those, so
nothing that is still being edited can leak out, and every earlier version stays visible.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from registry.models import Department, ExpertiseTag, RiskClass, SubRegistry, Town

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class MatterCategory(models.TextChoices):
    """事项类别: a key matter has no ratio cap; a general matter's ratio is capped."""

    KEY = "重点", "重点检查事项"
    GENERAL = "一般", "一般检查事项"


class Method(models.TextChoices):
    """检查方式."""

    ON_SITE = "实地核查", "实地核查"
    DOCUMENTS = "书面检查", "书面检查"
    ONLINE = "网络监测", "网络监测"


METHOD_ORDER = [Method.ON_SITE, Method.DOCUMENTS, Method.ONLINE]


def methods_display(methods: list[str]) -> str:
    return "、".join(methods)


# ---- the provincial unified list ----------------------------------------------------------


class CatalogEdition(models.Model):
    """One edition of the provincial unified list (全省统一的随机抽查事项清单)."""

    number = models.PositiveIntegerField("版次", unique=True)
    title = models.CharField("版本名称", max_length=100)
    source_name = models.CharField("来源文件", max_length=200, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.JSONField(
        "与上一版相比", default=dict, help_text='{"added": n, "changed": n, "removed": n, "unchanged": n}'
    )

    class Meta:
        verbose_name = "省级抽查事项清单版本"
        verbose_name_plural = "省级抽查事项清单版本"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"第{self.number}版 {self.title}"


class CatalogItem(models.Model):
    """One item of one edition. `key` follows the item across editions."""

    edition = models.ForeignKey(
        CatalogEdition, verbose_name="清单版本", on_delete=models.PROTECT, related_name="items"
    )
    key = models.CharField("事项标识", max_length=20, help_text="首次出现的版次和序号，跨版本不变，如 01-007")
    position = models.PositiveIntegerField("序号")
    check_type = models.CharField("抽查类别", max_length=100)
    name = models.CharField("抽查事项", max_length=200)
    target_scope = models.CharField("检查对象", max_length=300)
    category = models.CharField("事项类别", max_length=2, choices=MatterCategory.choices)
    methods = models.JSONField("检查方式", default=list)
    inspecting_body = models.CharField("检查主体", max_length=200)
    legal_basis = models.TextField("检查依据")
    ratio_frequency = models.CharField("抽查比例和频次", max_length=200, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)

    class Meta:
        verbose_name = "省级抽查事项"
        verbose_name_plural = "省级抽查事项"
        ordering = ["edition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "key"], name="unique_catalog_item_key"),
            models.UniqueConstraint(
                fields=["edition", "check_type", "name"], name="unique_catalog_item_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_type}·{self.name}"

    @property
    def methods_display(self) -> str:
        return methods_display(self.methods)


# ---- department matter lists ----------------------------------------------------------------


class Matter(models.Model):
    """A matter in a department's list (本部门随机抽查事项): claimed from the provincial
    list (认领), possibly adjusted (调整), or added locally."""

    class Source(models.TextChoices):
        CLAIMED = "认领", "认领省级清单事项"
        LOCAL = "本地", "本地增设事项"

    department = models.ForeignKey(
        Department, verbose_name="所属部门", on_delete=models.PROTECT, related_name="matters"
    )
    code = models.CharField("事项编号", max_length=30, unique=True, help_text="部门代码-序号，如 SCJG-003")
    source = models.CharField("来源", max_length=2, choices=Source.choices)
    catalog_item = models.ForeignKey(
        CatalogItem,
        verbose_name="认领的省级事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matters",
    )
    check_type = models.CharField("抽查类别", max_length=100)
    name = models.CharField("抽查事项", max_length=200)
    target_scope = models.CharField("检查对象", max_length=300)
    category = models.CharField("事项类别", max_length=2, choices=MatterCategory.choices)
    ratio_cap = models.DecimalField(
        "抽查比例上限（%）",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text="一般检查事项必填；重点检查事项不设上限",
    )
    default_ratio = models.DecimalField(
        "默认抽查比例（%）", max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )
    frequency = models.CharField("抽查频次", max_length=50, default="每年1次")
    methods = models.JSONField("检查方式", default=list)
    inspecting_body = models.CharField("检查主体", max_length=200)
    legal_basis = models.TextField("检查依据")
    expertise = models.ManyToManyField(
        ExpertiseTag, verbose_name="所需业务专长", blank=True, related_name="matters"
    )
    note = models.CharField("备注", max_length=500, blank=True)
    is_active = models.BooleanField("在清单中", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "本部门抽查事项"
        verbose_name_plural = "本部门抽查事项"
        ordering = ["department__code", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(category=MatterCategory.KEY, ratio_cap__isnull=True)
                    | models.Q(category=MatterCategory.GENERAL, ratio_cap__isnull=False)
                ),
                name="matter_cap_only_for_general",
            ),
            models.CheckConstraint(
                condition=models.Q(ratio_cap__isnull=True)
                | models.Q(default_ratio__lte=models.F("ratio_cap")),
                name="matter_default_ratio_within_cap",
            ),
            models.CheckConstraint(
                condition=models.Q(source="本地", catalog_item__isnull=True)
                | models.Q(source="认领", catalog_item__isnull=False),
                name="matter_source_matches_catalog_item",
            ),
        ]
        indexes = [models.Index(fields=["department", "is_active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_general(self) -> bool:
        return self.category == MatterCategory.GENERAL

    @property
    def methods_display(self) -> str:
        return methods_display(self.methods)

    @property
    def ratio_frequency_display(self) -> str:
        if self.ratio_cap is None:
            ratio = f"不设上限（默认{self.default_ratio}%）"
        else:
            ratio = f"不高于{self.ratio_cap}%（默认{self.default_ratio}%）"
        return f"{ratio}，{self.frequency}" if self.frequency else ratio


class MatterChange(models.Model):
    """One entry of a matter's history: who, when, what changed and why."""

    class Action(models.TextChoices):
        CLAIM = "claim", "认领"
        ADD_LOCAL = "add_local", "增设本地事项"
        ADJUST = "adjust", "调整"
        WITHDRAW = "withdraw", "移出清单"
        RESTORE = "restore", "恢复"

    matter = models.ForeignKey(Matter, verbose_name="事项", on_delete=models.CASCADE, related_name="changes")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField("变更内容", default=dict, help_text="{字段名称: [原值, 新值]}")
    reason = models.CharField("理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "抽查事项变更记录"
        verbose_name_plural = "抽查事项变更记录"
        ordering = ["-at", "-id"]


class MatterListVersion(models.Model):
    """A published version of a department's matter list: what the public sees."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="matter_list_versions"
    )
    number = models.PositiveIntegerField("版本号")
    published_at = models.DateTimeField("公开时间", auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="公开人", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("更新说明", max_length=500, blank=True)
    matters = models.JSONField("事项快照", default=list)

    class Meta:
        verbose_name = "抽查事项清单公开版本"
        verbose_name_plural = "抽查事项清单公开版本"
        ordering = ["department__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["department", "number"], name="unique_matter_list_version")
        ]

    def __str__(self) -> str:
        return f"{self.department.short_name}抽查事项清单第{self.number}版"


# ---- the no-penalty list ------------------------------------------------------------------------


class ExemptionItem(models.Model):
    """An item of the no-penalty list for minor violations (轻微违法免罚清单)."""

    department = models.ForeignKey(
        Department, verbose_name="实施部门", on_delete=models.PROTECT, related_name="exemption_items"
    )
    code = models.CharField("编号", max_length=20, unique=True)
    description = models.TextField("违法行为")
    legal_basis = models.TextField("法律依据")
    conditions = models.TextField("免罚条件")
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "轻微违法免罚清单事项"
        verbose_name_plural = "轻微违法免罚清单事项"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:30]}"


# ---- annual plans -----------------------------------------------------------------------------


PLAN_DUE_MONTH, PLAN_DUE_DAY = 1, 31


def plan_due_date(year: int) -> datetime.date:
    """Department plans are filed by the end of January of the plan year (每年1月底前报备案)."""
    return datetime.date(year, PLAN_DUE_MONTH, PLAN_DUE_DAY)


class AnnualPlan(models.Model):
    """An annual random-inspection plan (年度抽查计划): the district joint plan, owned by
    the office, or one department's plan.

    The live rows (this plan and its items) are what is being edited; each filing or
    approval freezes them into a `PlanRevision`, which is what the public sees.
    """

    class Scope(models.TextChoices):
        JOINT = "joint", "区部门联合随机抽查年度计划"
        DEPARTMENT = "department", "部门年度抽查工作计划"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送，待备案"
        RETURNED = "returned", "已退回修改"
        FILED = "filed", "已备案"
        APPROVED = "approved", "联席会议已审议通过"
        PUBLISHED = "published", "已公开"

    EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})

    scope = models.CharField("计划类型", max_length=10, choices=Scope.choices)
    year = models.PositiveSmallIntegerField(
        "计划年度", validators=[MinValueValidator(2019), MaxValueValidator(2100)]
    )
    department = models.ForeignKey(
        Department,
        verbose_name="制定单位",
        on_delete=models.PROTECT,
        related_name="annual_plans",
        help_text="联合计划为联席会议办公室所在单位",
    )
    title = models.CharField("计划名称", max_length=200)
    description = models.TextField("工作要求", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(
        "修订号", default=1, help_text="正在编制或最近一次备案（审议）的修订号"
    )
    revision_reason = models.CharField("调整理由", max_length=500, blank=True)
    return_comment = models.TextField("退回意见", blank=True)
    meeting = models.CharField("审议会议", max_length=200, blank=True)
    meeting_date = models.DateField("审议日期", null=True, blank=True)
    submitted_at = models.DateTimeField("最近报送时间", null=True, blank=True)
    first_filed_at = models.DateTimeField("首次备案时间", null=True, blank=True)
    filed_submission_at = models.DateTimeField(
        "首次备案所依据的报送时间", null=True, blank=True, help_text="据此判断是否在1月底前报送"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度抽查计划"
        verbose_name_plural = "年度抽查计划"
        ordering = ["-year", "scope", "department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(scope="joint"), name="one_joint_plan_per_year"
            ),
            models.UniqueConstraint(
                fields=["year", "department"],
                condition=models.Q(scope="department"),
                name="one_department_plan_per_year",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_joint(self) -> bool:
        return self.scope == self.Scope.JOINT

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def due_date(self) -> datetime.date:
        return plan_due_date(self.year)


class PlanItem(models.Model):
    """One planned task (抽查任务) of an annual plan. Issue 5 turns it into a Task and draws
    its targets: the scope is sub-registries plus explicit filters (registration status is
    always 存续), and the sample is a ratio per risk class, one ratio, or a fixed count."""

    class Form(models.TextChoices):
        COMPREHENSIVE = "综合联查", "综合联查"
        RISK_BASED = "风险分类联查", "风险分类联查"
        SPECIAL = "专项整治联查", "专项整治联查"

    class Sampling(models.TextChoices):
        RATIO = "ratio", "按比例抽取（不分类）"
        RISK_RATIO = "risk_ratio", "按信用风险分类比例抽取"
        COUNT = "count", "抽取固定数量"

    plan = models.ForeignKey(
        AnnualPlan, verbose_name="年度计划", on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveIntegerField("序号")
    title = models.CharField("任务名称", max_length=200)
    initiator = models.ForeignKey(
        Department, verbose_name="发起部门", on_delete=models.PROTECT, related_name="initiated_plan_items"
    )
    form = models.CharField("抽查形式", max_length=10, choices=Form.choices)
    methods = models.JSONField("检查方式", default=list)
    sub_registries = models.ManyToManyField(
        SubRegistry, verbose_name="检查对象名录库分库", related_name="plan_items"
    )
    towns = models.ManyToManyField(
        Town, verbose_name="限定镇街", blank=True, related_name="plan_items", help_text="不选则为全区"
    )
    target_kinds = models.JSONField("限定对象类型", default=list, blank=True, help_text="不选则不限")
    industry_prefixes = models.JSONField(
        "限定行业代码", default=list, blank=True, help_text="国民经济行业分类代码前缀；不填则不限"
    )
    sampling = models.CharField("抽取方式", max_length=10, choices=Sampling.choices)
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
    frequency = models.CharField("抽查频次", max_length=50, blank=True, default="每年1次")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    batch_size = models.PositiveIntegerField(
        "每批户数", null=True, blank=True, help_text="抽取结果按随机顺序分批检查；不填则不分批"
    )
    note = models.CharField("备注", max_length=500, blank=True)

    class Meta:
        verbose_name = "年度计划抽查任务"
        verbose_name_plural = "年度计划抽查任务"
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="unique_plan_item_position"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="plan_item_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    RISK_FIELDS = {
        RiskClass.A: "ratio_a",
        RiskClass.B: "ratio_b",
        RiskClass.C: "ratio_c",
        RiskClass.D: "ratio_d",
    }

    @property
    def risk_ratios(self) -> dict[str, Decimal | None]:
        return {risk: getattr(self, field) for risk, field in self.RISK_FIELDS.items()}

    @property
    def methods_display(self) -> str:
        return methods_display(self.methods)

    @property
    def target_kinds_display(self) -> str:
        return "、".join(self.target_kinds)


class PlanItemDepartment(models.Model):
    """A department taking part in a plan item, in order: order 0 is the initiating
    department (发起部门), then the participating departments (参与部门) as listed. Each
    contributes matters from its own list."""

    plan_item = models.ForeignKey(
        PlanItem, verbose_name="抽查任务", on_delete=models.CASCADE, related_name="departments"
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="plan_item_roles"
    )
    order = models.PositiveSmallIntegerField("顺序", help_text="0 为发起部门")
    matters = models.ManyToManyField(Matter, verbose_name="抽查事项", related_name="plan_item_departments")

    class Meta:
        verbose_name = "抽查任务参与部门"
        verbose_name_plural = "抽查任务参与部门"
        ordering = ["plan_item", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan_item", "department"], name="unique_plan_item_department"),
            models.UniqueConstraint(fields=["plan_item", "order"], name="unique_plan_item_department_order"),
        ]

    @property
    def is_initiator(self) -> bool:
        return self.order == 0


class PlanRevision(models.Model):
    """A frozen version of a plan, made when it is filed (department plan) or approved by
    the joint meeting (joint plan). Revisions after the first carry the reason."""

    plan = models.ForeignKey(
        AnnualPlan, verbose_name="年度计划", on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField("修订号")
    reason = models.CharField("调整理由", max_length=500, blank=True)
    snapshot = models.JSONField("计划快照")
    frozen_at = models.DateTimeField("备案（审议）时间", auto_now_add=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="备案人", on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公开人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "年度计划修订版本"
        verbose_name_plural = "年度计划修订版本"
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_revision")]

    def __str__(self) -> str:
        return f"{self.plan.title}（第{self.number}版）"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PlanStep(models.Model):
    """The workflow history of a plan: who did what, when, with which comment."""

    class Action(models.TextChoices):
        CREATE = "create", "创建"
        SUBMIT = "submit", "报送备案"
        RETURN = "return", "退回修改"
        FILE = "file", "备案"
        APPROVE = "approve", "联席会议审议通过"
        PUBLISH = "publish", "公开"
        REVISE = "revise", "发起调整"

    plan = models.ForeignKey(
        AnnualPlan, verbose_name="年度计划", on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    revision = models.PositiveIntegerField("修订号")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField("意见或理由", blank=True)

    class Meta:
        verbose_name = "年度计划办理记录"
        verbose_name_plural = "年度计划办理记录"
        ordering = ["-at", "-id"]
