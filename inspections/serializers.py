"""Read-only serializers of the results API (互认共享). Nothing here writes."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inspections.models import MatterResult, ResultAttachment


class ResultAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ResultAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at", "url"]

    def get_url(self, attachment: ResultAttachment) -> str:
        return reverse("result-attachment", args=[attachment.result_id, attachment.pk])


class MatterResultSerializer(serializers.ModelSerializer):
    """A matter's result as every department reads it once submitted."""

    target = serializers.CharField(source="target.code", read_only=True)
    target_name = serializers.CharField(source="target.name", read_only=True)
    task = serializers.CharField(source="inspection.task.code", read_only=True)
    task_kind = serializers.CharField(source="inspection.task.kind", read_only=True)
    department = serializers.CharField(source="department.code", read_only=True)
    matter = serializers.CharField(source="matter.code", read_only=True)
    matter_name = serializers.CharField(source="matter.name", read_only=True)
    codes = serializers.SerializerMethodField()
    exemption_item = serializers.CharField(source="exemption_item.code", default=None, read_only=True)
    attachments = ResultAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = MatterResult
        fields = [
            "id",
            "target",
            "target_name",
            "task",
            "task_kind",
            "department",
            "matter",
            "matter_name",
            "status",
            "codes",
            "inspected_on",
            "findings",
            "legal_basis",
            "exemption_item",
            "correction_order",
            "correction_deadline",
            "finding_level",
            "revision",
            "submitted_at",
            "approved_at",
            "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_codes(self, result: MatterResult) -> list[str]:
        return sorted(code.code for code in result.codes.all())
