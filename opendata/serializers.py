"""Serializers of the public API: each lists exactly the public fields, nothing else.

The results come from the public results table; plans and matter lists from their
published snapshots, re-serialised field by field so that nothing added to a snapshot
later reaches the API unannounced; draws from the draw's public facts (commitment,
schedule, status, cancellation), never its secret before execution, its teams or its
pool.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inspections.models import Draw
from opendata.datasets import OUTCOME_LABELS


class PublicResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="公开结果的稳定编号")
    credit_code = serializers.CharField(help_text="统一社会信用代码/对象标识")
    target_name = serializers.CharField(help_text="检查对象名称")
    target_kind = serializers.CharField(help_text="对象类型")
    operator_masked = serializers.CharField(help_text="个体工商户经营者（只保留姓氏，如“张*”）；其他对象为空")
    town_name = serializers.CharField(help_text="所属镇街")
    department_code = serializers.CharField(source="department.code", help_text="检查部门代码")
    department_name = serializers.CharField(source="department.name", help_text="检查部门")
    year = serializers.IntegerField(help_text="年度")
    task_code = serializers.CharField(help_text="任务编号")
    task_title = serializers.CharField(help_text="任务名称")
    matter_code = serializers.CharField(help_text="事项编号")
    matter_name = serializers.CharField(help_text="抽查事项")
    result_codes = serializers.CharField(help_text="结果代码，以“、”分隔")
    result_label = serializers.CharField(help_text="检查结果")
    outcome = serializers.CharField(help_text="结果性质代码")
    outcome_label = serializers.SerializerMethodField(help_text="结果性质")
    inspected_on = serializers.DateField(allow_null=True, help_text="检查日期")
    published_at = serializers.DateTimeField(help_text="公开时间")
    corrected_label = serializers.CharField(help_text="更正后结果；未更正为空")
    correction_note = serializers.CharField(help_text="更正说明；未更正为空")
    corrected_at = serializers.DateTimeField(allow_null=True, help_text="更正时间；未更正为 null")

    def get_outcome_label(self, row) -> str:
        return OUTCOME_LABELS.get(row.outcome, row.outcome)


class PublicPlanItemSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="任务序号")
    title = serializers.CharField(help_text="任务名称")
    initiator = serializers.CharField(help_text="发起部门")
    participants = serializers.ListField(child=serializers.CharField(), help_text="配合部门")
    matters = serializers.ListField(child=serializers.CharField(), help_text="各部门的抽查事项")
    target_scope = serializers.CharField(source="scope", help_text="对象范围")
    ratio_frequency = serializers.CharField(help_text="比例及频次")
    risk_requirement = serializers.CharField(help_text="信用风险分类要求")
    form = serializers.CharField(help_text="抽查形式")
    methods = serializers.ListField(child=serializers.CharField(), help_text="检查方式")
    window = serializers.CharField(help_text="起止时间")
    batch_size = serializers.CharField(help_text="每批户数")
    note = serializers.CharField(help_text="备注")


class PublicPlanSerializer(serializers.Serializer):
    """One published revision of an annual plan."""

    plan_id = serializers.IntegerField(help_text="计划编号")
    year = serializers.IntegerField(source="plan.year", help_text="计划年度")
    scope = serializers.CharField(source="snapshot.scope_label", help_text="计划类型")
    department = serializers.CharField(source="snapshot.department", help_text="制定单位")
    title = serializers.CharField(source="snapshot.title", help_text="计划名称")
    description = serializers.CharField(source="snapshot.description", help_text="工作要求")
    revision = serializers.IntegerField(source="number", help_text="修订号")
    is_current = serializers.BooleanField(help_text="是否为现行（最新公开的）版本")
    revision_reason = serializers.CharField(source="reason", help_text="调整理由")
    adopted_at = serializers.DateTimeField(source="frozen_at", help_text="备案（审议）时间")
    published_at = serializers.DateTimeField(help_text="公开时间")
    meeting = serializers.CharField(source="snapshot.meeting", help_text="审议会议（联合计划）")
    meeting_date = serializers.CharField(source="snapshot.meeting_date", help_text="审议日期（联合计划）")
    items = PublicPlanItemSerializer(source="snapshot.items", many=True, help_text="抽查任务")


class PublicMatterSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="事项编号")
    check_type = serializers.CharField(help_text="抽查类别")
    name = serializers.CharField(help_text="抽查事项")
    target_scope = serializers.CharField(help_text="检查对象")
    category = serializers.CharField(help_text="事项类别")
    methods = serializers.ListField(child=serializers.CharField(), help_text="检查方式")
    inspecting_body = serializers.CharField(help_text="检查主体")
    legal_basis = serializers.CharField(help_text="检查依据")
    ratio_cap = serializers.CharField(help_text="抽查比例上限")
    default_ratio = serializers.CharField(help_text="默认抽查比例")
    frequency = serializers.CharField(help_text="抽查频次")
    expertise = serializers.ListField(child=serializers.CharField(), help_text="所需业务专长")
    source = serializers.CharField(help_text="事项来源")
    catalog_key = serializers.CharField(help_text="省级清单事项标识；本地事项为空")
    note = serializers.CharField(help_text="备注")


class PublicMatterListSerializer(serializers.Serializer):
    """One published version of a department's matter list."""

    department_code = serializers.CharField(source="department.code", help_text="部门代码")
    department_name = serializers.CharField(source="department.name", help_text="部门")
    version = serializers.IntegerField(source="number", help_text="清单版本号")
    is_current = serializers.BooleanField(help_text="是否为现行（最新公开的）版本")
    published_at = serializers.DateTimeField(help_text="公开时间")
    note = serializers.CharField(help_text="更新说明")
    matters = PublicMatterSerializer(many=True, help_text="事项")


class PublicDrawSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="抽取编号")
    task_code = serializers.CharField(source="task.code", help_text="任务编号")
    task_title = serializers.CharField(source="task.title", help_text="任务名称")
    initiator = serializers.CharField(source="task.initiator.name", help_text="发起部门")
    status = serializers.ChoiceField(choices=Draw.Status.choices, help_text="状态")
    status_label = serializers.CharField(source="get_status_display", help_text="状态名称")
    commitment = serializers.CharField(help_text="承诺值（抽取前公开）")
    committed_at = serializers.DateTimeField(help_text="承诺时间")
    scheduled_for = serializers.DateTimeField(help_text="计划抽取时间")
    frame_digest = serializers.CharField(help_text="抽取名单摘要")
    frame_size = serializers.IntegerField(help_text="抽取名单户数")
    executed_at = serializers.DateTimeField(allow_null=True, help_text="抽取时间；未抽取为 null")
    cancelled_at = serializers.DateTimeField(allow_null=True, help_text="取消时间；未取消为 null")
    cancel_reason = serializers.CharField(help_text="取消理由；未取消为空")
    page_url = serializers.SerializerMethodField(help_text="公示页面地址")

    @extend_schema_field(OpenApiTypes.STR)
    def get_page_url(self, draw: Draw) -> str:
        return reverse("public-draw", args=[draw.pk])
