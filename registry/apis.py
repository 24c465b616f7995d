"""Read-only JSON API of the registries, scoped like the pages (writes go through the pages and imports)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, QuerySet
from django.utils import timezone
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination

from luozhuang_dsj.lib.access import HasRole
from luozhuang_dsj.lib.pagination import CappedPaginator
from luozhuang_dsj.middleware import MAX_ID
from registry import selectors
from registry.models import Inspector, RiskClass, SubRegistry, Target
from registry.permissions import READERS
from registry.serializers import InspectorSerializer, SubRegistrySerializer, TargetSerializer

# Ids in URLs: digits that fit a BIGINT (anything longer is simply not found).
ID_PATTERN = "[0-9]{1,18}"


class CappedPagination(PageNumberPagination):
    """Never counts a whole table (see CappedPaginator), so that the first page of a million targets stays fast."""

    django_paginator_class = CappedPaginator
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class TargetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="名称或统一社会信用代码")
    town = django_filters.CharFilter(field_name="town__code", label="镇街区划代码")
    kind = django_filters.ChoiceFilter(choices=Target.Kind.choices, label="对象类型")
    status = django_filters.ChoiceFilter(choices=Target.Status.choices, label="登记状态")
    risk_class = django_filters.ChoiceFilter(choices=RiskClass.choices, label="信用风险分类")
    industry = django_filters.CharFilter(
        field_name="industry_code", lookup_expr="startswith", label="行业代码前缀"
    )
    sub_registry = django_filters.NumberFilter(
        method="in_sub_registry", label="分库（本部门的；办公室可用各部门的）", min_value=1, max_value=MAX_ID
    )

    class Meta:
        model = Target
        fields = ["q", "town", "kind", "status", "risk_class", "industry", "sub_registry"]

    def division(self, queryset: QuerySet[Target], name: str, value: str) -> QuerySet[Target]:
        return (
            queryset.filter(**selectors.industry_division(value))
            if value.isdigit() and len(value) == 2
            else queryset.none()
        )

    def search(self, queryset: QuerySet[Target], name: str, value: str) -> QuerySet[Target]:
        return queryset.filter(**selectors.target_search(value))

    def in_sub_registry(self, queryset: QuerySet[Target], name: str, value: int) -> QuerySet[Target]:
        """Members of a sub-registry the caller may read; another department's has none."""
        visible = selectors.sub_registries_for_user(self.request.user).filter(pk=value).values("pk")
        return queryset.filter(memberships__sub_registry__in=visible)


class TargetViewSet(viewsets.ReadOnlyModelViewSet):
    """检查对象名录库：所有部门可读（检查对象是共享的事实）。"""

    lookup_value_regex = ID_PATTERN

    serializer_class = TargetSerializer
    permission_classes = [HasRole.of(*READERS)]
    filterset_class = TargetFilter
    pagination_class = CappedPagination
    queryset = Target.objects.select_related("town").order_by("code")


class SubRegistryViewSet(viewsets.ReadOnlyModelViewSet):
    """本部门的分库（联席会议办公室可读所有部门的分库）。"""

    lookup_value_regex = ID_PATTERN

    serializer_class = SubRegistrySerializer
    permission_classes = [HasRole.of(*READERS)]
    filterset_fields = ["department__code"]

    def get_queryset(self) -> QuerySet[SubRegistry]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return SubRegistry.objects.none()
        return selectors.sub_registries_for_user(self.request.user).annotate(
            member_count=Count("memberships")
        )


class InspectorFilter(django_filters.FilterSet):
    department = django_filters.CharFilter(field_name="department__code", label="部门代码")
    category = django_filters.ChoiceFilter(choices=Inspector.Category.choices, label="人员类别")
    expertise = django_filters.CharFilter(field_name="expertise__name", label="业务专长")
    is_active = django_filters.BooleanFilter(label="在岗")

    class Meta:
        model = Inspector
        fields = ["department", "category", "expertise", "is_active"]


class InspectorViewSet(viewsets.ReadOnlyModelViewSet):
    """本部门的执法检查人员；办公室可读各部门人员，但个人信息只含本部门。"""

    lookup_value_regex = ID_PATTERN

    serializer_class = InspectorSerializer
    permission_classes = [HasRole.of(*READERS)]
    filterset_class = InspectorFilter

    def get_queryset(self) -> QuerySet[Inspector]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Inspector.objects.none()
        return selectors.inspectors_for_user(self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}
