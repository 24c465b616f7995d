"""Read-only JSON API of inspection results (互认共享), scoped like the pages: every
department reads every department's submitted results; a draft only its own department
(and its team members); inspectors only the inspections they serve on."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from rest_framework import viewsets

from inspections.models import MatterResult
from inspections.permissions import visible_results
from inspections.serializers import MatterResultSerializer
from luozhuang_dsj.lib.access import HasRole
from luozhuang_dsj.lib.roles import Role
from registry.apis import ID_PATTERN, CappedPagination

RESULT_READERS = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD, Role.INSPECTOR)


class ResultFilter(django_filters.FilterSet):
    target = django_filters.CharFilter(field_name="target__code", label="统一社会信用代码（对象标识）")
    department = django_filters.CharFilter(field_name="department__code", label="录入部门代码")
    matter = django_filters.CharFilter(field_name="matter__code", label="事项编号")
    status = django_filters.ChoiceFilter(choices=MatterResult.Status.choices, label="状态")
    inspected_from = django_filters.DateFilter(
        field_name="inspected_on", lookup_expr="gte", label="检查日期起"
    )
    inspected_to = django_filters.DateFilter(field_name="inspected_on", lookup_expr="lte", label="检查日期止")

    class Meta:
        model = MatterResult
        fields = ["target", "department", "matter", "status", "inspected_from", "inspected_to"]


class MatterResultViewSet(viewsets.ReadOnlyModelViewSet):
    """检查结果：各部门已提交的结果互认共享；草稿仅录入部门可读。"""

    lookup_value_regex = ID_PATTERN

    serializer_class = MatterResultSerializer
    permission_classes = [HasRole.of(*RESULT_READERS)]
    filterset_class = ResultFilter
    pagination_class = CappedPagination

    def get_queryset(self) -> QuerySet[MatterResult]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return MatterResult.objects.none()
        return (
            visible_results(self.request.user)
            .select_related("inspection__task", "exemption_item")
            .prefetch_related("codes", "attachments")
            .order_by("-pk")
        )
