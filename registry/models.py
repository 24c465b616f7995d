from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


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


class RiskClass(models.TextChoices):
    """信用风险分类: A 低, B 一般, C 较高, D 高."""

    A = "A", "A类（低风险）"
    B = "B", "B类（一般风险）"
    C = "C", "C类（较高风险）"
    D = "D", "D类（高风险）"


class Target(models.Model):
    """An inspection target (检查对象).

    `code` is the 统一社会信用代码 of a market entity, or for a product, project or site the
    registry's own stable key, which is never 18 characters long (see DRAW_PROTOCOL.md).
    """

    class Kind(models.TextChoices):
        ENTERPRISE = "企业", "企业"
        INDIVIDUAL = "个体工商户", "个体工商户"
        COOPERATIVE = "农民专业合作社", "农民专业合作社"
        OTHER_ORGANISATION = "其他组织", "其他组织"
        PRODUCT = "产品", "产品"
        PROJECT = "项目", "项目"
        SITE = "场所", "场所"

    ENTITY_KINDS = frozenset({Kind.ENTERPRISE, Kind.INDIVIDUAL, Kind.COOPERATIVE, Kind.OTHER_ORGANISATION})

    class Status(models.TextChoices):
        ACTIVE = "存续", "存续"
        DEREGISTERED = "注销", "注销"
        REVOKED = "吊销", "吊销"
        MOVED_OUT = "迁出", "迁出"

    code = models.CharField("统一社会信用代码/对象标识", max_length=40, unique=True)
    # Searched by substring through a trigram index on PostgreSQL (migration 0004), not a b-tree.
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("对象类型", max_length=10, choices=Kind.choices, default=Kind.ENTERPRISE)
    legal_representative = models.CharField("法定代表人（负责人、经营者）", max_length=100, blank=True)
    address = models.CharField("住所（经营场所）", max_length=300, blank=True)
    # Indexed by (town, status) and (industry_code) below: every index costs time on each
    # imported row, so the registry keeps only those its lists and frames use. The town is
    # checked a statement at a time (luozhuang_dsj.lib.references, migration 0008), not
    # with a query per imported row.
    town = models.ForeignKey(
        Town,
        verbose_name="所属镇街",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
    industry_code = models.CharField("行业代码", max_length=5, blank=True)
    status = models.CharField("登记状态", max_length=4, choices=Status.choices, default=Status.ACTIVE)
    risk_class = models.CharField(
        "信用风险分类", max_length=1, choices=RiskClass.choices, default=RiskClass.B
    )
    address_unreachable = models.BooleanField("登记住所无法联系", default=False)
    # The database's defaults (the statement's time) serve a bulk import, which leaves the
    # two columns out of its COPY: parsing a timestamp twice a row was a twelfth of the
    # server's work. The ORM always gives both.
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_default=Now())

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["status", "risk_class"]),
            models.Index(fields=["town", "status"]),
            # Filtered by division with a range (>= "52", < "53"), which a plain b-tree serves
            # under any collation; no second pattern-ops index needed.
            models.Index(fields=["industry_code"], name="registry_target_industry"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_entity(self) -> bool:
        return self.kind in self.ENTITY_KINDS


class TargetChange(models.Model):
    """One change to a target (动态管理): the history shown on its page."""

    class Source(models.TextChoices):
        MANUAL = "manual", "手工维护"
        IMPORT = "import", "批量导入"
        RESULT = "result", "检查结果"
        CREDIT = "credit", "信用风险分类"

    target = models.ForeignKey(
        Target, verbose_name="检查对象", on_delete=models.CASCADE, related_name="changes"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    changes = models.JSONField("变更内容", help_text="{字段: [原值, 新值]}")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "检查对象变更记录"
        verbose_name_plural = "检查对象变更记录"
        ordering = ["-at", "-id"]


class SubRegistry(models.Model):
    """A department's named list of targets (名录库分库), e.g. 特种设备使用单位."""

    department = models.ForeignKey(
        Department, verbose_name="所属部门", on_delete=models.PROTECT, related_name="sub_registries"
    )
    name = models.CharField("分库名称", max_length=100)
    description = models.CharField("说明", max_length=300, blank=True)
    targets = models.ManyToManyField(
        Target, verbose_name="检查对象", through="SubRegistryMembership", related_name="sub_registries"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "名录库分库"
        verbose_name_plural = "名录库分库"
        ordering = ["department__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="unique_sub_registry_name")
        ]

    def __str__(self) -> str:
        return f"{self.department.short_name}·{self.name}"


class SubRegistryMembership(models.Model):
    sub_registry = models.ForeignKey(SubRegistry, on_delete=models.CASCADE, related_name="memberships")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="memberships")
    added_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "分库成员"
        verbose_name_plural = "分库成员"
        constraints = [models.UniqueConstraint(fields=["sub_registry", "target"], name="unique_membership")]


class ExpertiseTag(models.Model):
    """A 业务专长 tag; matters require them and draw slots filter on them."""

    name = models.CharField("业务专长", max_length=50, unique=True)

    class Meta:
        verbose_name = "业务专长"
        verbose_name_plural = "业务专长"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Inspector(models.Model):
    """An inspector (执法检查人员) in the inspector registry."""

    class Category(models.TextChoices):
        CIVIL_SERVANT = "行政执法类公务员", "行政执法类公务员"
        QUALIFIED = "具有执法资格人员", "具有执法资格人员"
        ROUTINE = "日常监管人员", "日常监管人员"
        COMPREHENSIVE = "综合执法队伍", "综合执法队伍"
        EXPERT = "专家", "专家"
        THIRD_PARTY = "第三方机构", "第三方机构"

    EXPERT_CATEGORIES = frozenset({Category.EXPERT, Category.THIRD_PARTY})

    code = models.CharField("人员编号", max_length=30, unique=True)
    name = models.CharField("姓名", max_length=50)
    department = models.ForeignKey(
        Department, verbose_name="所属部门", on_delete=models.PROTECT, related_name="inspectors"
    )
    category = models.CharField("人员类别", max_length=10, choices=Category.choices)
    organisation = models.CharField(
        "所在机构", max_length=100, blank=True, help_text="专家、第三方机构人员填写"
    )
    certificate_number = models.CharField("执法证号", max_length=40, blank=True)
    certificate_valid_until = models.DateField("执法证有效期至", null=True, blank=True)
    expertise = models.ManyToManyField(
        ExpertiseTag, verbose_name="业务专长", blank=True, related_name="inspectors"
    )
    is_active = models.BooleanField("在岗", default=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspector",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "执法检查人员"
        verbose_name_plural = "执法检查人员"
        ordering = ["code"]
        indexes = [models.Index(fields=["department", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_expert(self) -> bool:
        return self.category in self.EXPERT_CATEGORIES

    def is_certified_on(self, day: datetime.date) -> bool:
        """An enforcement officer with a certificate valid on that day; experts never are."""
        return (
            not self.is_expert
            and bool(self.certificate_number)
            and self.certificate_valid_until is not None
            and self.certificate_valid_until >= day
        )


class InspectorUnavailability(models.Model):
    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="unavailable_periods")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    reason = models.CharField("原因", max_length=200)

    class Meta:
        verbose_name = "不可参加抽查的期间"
        verbose_name_plural = "不可参加抽查的期间"
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="unavailability_end_after_start"
            )
        ]


class ConflictOfInterest(models.Model):
    """回避: the inspector must not inspect the target."""

    inspector = models.ForeignKey(
        Inspector, verbose_name="执法检查人员", on_delete=models.CASCADE, related_name="conflicts"
    )
    target = models.ForeignKey(
        Target, verbose_name="检查对象", on_delete=models.CASCADE, related_name="conflicts"
    )
    reason = models.CharField("回避事由", max_length=300)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申报人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField("申报时间", auto_now_add=True)

    class Meta:
        verbose_name = "回避关系"
        verbose_name_plural = "回避关系"
        constraints = [models.UniqueConstraint(fields=["inspector", "target"], name="unique_conflict")]
