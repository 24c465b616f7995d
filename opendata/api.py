"""The public read-only API (/api/public/): anonymous, throttled per client address,
cursor-paginated (no COUNT over the large tables, stable under new publications)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny

from inspections import selectors as draw_selectors
from inspections.models import Draw, ResultCode
from luozhuang_dsj.lib.ratelimit import ClientAddressThrottle
from opendata import serializers as public
from opendata.datasets import RESULT_COLUMNS, published_results
from plans.models import MatterListVersion, PlanRevision

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

ERROR = inline_serializer("PublicError", fields={"detail": serializers.CharField()})
ERRORS = {
    400: OpenApiResponse(
        {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        description="筛选条件有误：各字段的错误信息（如年度不是整数、结果性质不在可选值中）。",
    ),
    404: OpenApiResponse(ERROR, description="翻页游标无效。"),
    429: OpenApiResponse(ERROR, description="请求过于频繁，请按 Retry-After 头的秒数稍后再试。"),
}


def _cursor_pagination(*fields: str) -> type[CursorPagination]:
    return type(
        "PublicCursorPagination",
        (CursorPagination,),
        {
            "page_size": PAGE_SIZE,
            "page_size_query_param": "page_size",
            "max_page_size": MAX_PAGE_SIZE,
            "ordering": fields,
        },
    )


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PublicAPIView(generics.ListAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientAddressThrottle.of("public_api")]


class ResultFilter(django_filters.FilterSet):
    credit_code = django_filters.CharFilter(
        field_name="credit_code", help_text="统一社会信用代码/对象标识（精确匹配）"
    )
    department = django_filters.CharFilter(field_name="department__code", help_text="检查部门代码，如 SCJG")
    year = IntegerFilter(field_name="year", min_value=1, max_value=9999, help_text="年度")
    outcome = django_filters.ChoiceFilter(choices=ResultCode.Outcome.choices, help_text="结果性质")


@extend_schema(
    summary="已公开的检查结果",
    tags=["公开数据"],
    responses={200: public.PublicResultSerializer(many=True), **ERRORS},
)
class ResultList(PublicAPIView):
    """已公开的抽查检查结果，按公开时间从新到旧；可按信用代码、部门、年度、结果性质筛选。"""

    serializer_class = public.PublicResultSerializer
    filterset_class = ResultFilter
    pagination_class = _cursor_pagination("-published_at", "-id")

    def get_queryset(self):
        return published_results().select_related("department").only(*RESULT_COLUMNS)


class CurrentVersionFilter(django_filters.FilterSet):
    """`current`: the latest published version only (true) or the superseded ones (false)."""

    current = django_filters.BooleanFilter(
        method="filter_current", help_text="true 只列现行版本，false 只列已被调整替代的历史版本"
    )

    def filter_current(self, queryset, name, value):
        return queryset.filter(is_current=value)


class PlanFilter(CurrentVersionFilter):
    year = IntegerFilter(field_name="plan__year", min_value=1, max_value=9999, help_text="计划年度")


@extend_schema(
    summary="已公开的年度抽查计划",
    tags=["公开数据"],
    responses={200: public.PublicPlanSerializer(many=True), **ERRORS},
)
class PlanList(PublicAPIView):
    """已公开的年度抽查计划的各个版本（含历次调整），按公开时间从新到旧。"""

    serializer_class = public.PublicPlanSerializer
    filterset_class = PlanFilter
    pagination_class = _cursor_pagination("-published_at", "-id")

    def get_queryset(self):
        newer = PlanRevision.objects.filter(
            plan=OuterRef("plan"), number__gt=OuterRef("number"), published_at__isnull=False
        )
        return (
            PlanRevision.objects.filter(published_at__isnull=False)
            .select_related("plan")
            .annotate(is_current=~Exists(newer))
        )


class MatterListFilter(CurrentVersionFilter):
    department = django_filters.CharFilter(field_name="department__code", help_text="部门代码，如 SCJG")


@extend_schema(
    summary="已公开的随机抽查事项清单",
    tags=["公开数据"],
    responses={200: public.PublicMatterListSerializer(many=True), **ERRORS},
)
class MatterListList(PublicAPIView):
    """各部门已公开的随机抽查事项清单的各个版本，按公开时间从新到旧。"""

    serializer_class = public.PublicMatterListSerializer
    filterset_class = MatterListFilter
    pagination_class = _cursor_pagination("-published_at", "-id")

    def get_queryset(self):
        newer = MatterListVersion.objects.filter(
            department=OuterRef("department"), number__gt=OuterRef("number")
        )
        return MatterListVersion.objects.select_related("department").annotate(is_current=~Exists(newer))


class DrawFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Draw.Status.choices, help_text="状态")
    task_code = django_filters.CharFilter(field_name="task__code", help_text="任务编号")


@extend_schema(
    summary="随机抽取", tags=["公开数据"], responses={200: public.PublicDrawSerializer(many=True), **ERRORS}
)
class DrawList(PublicAPIView):
    """随机抽取的承诺、计划时间、状态和取消理由，按承诺时间从新到旧。"""

    serializer_class = public.PublicDrawSerializer
    filterset_class = DrawFilter
    pagination_class = _cursor_pagination("-committed_at", "-id")

    def get_queryset(self):
        return draw_selectors.public_draws().select_related("task__initiator")
