from __future__ import annotations

from typing import Any

from rest_framework import serializers

from registry.models import Inspector, SubRegistry, Target
from registry.permissions import may_see_personal_details


class TargetSerializer(serializers.ModelSerializer):
    town = serializers.CharField(source="town.name", default="", read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "legal_representative",
            "address",
            "town",
            "industry_code",
            "status",
            "risk_class",
            "address_unreachable",
            "updated_at",
        ]


class SubRegistrySerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SubRegistry
        fields = ["id", "department", "name", "description", "member_count"]


class InspectorSerializer(serializers.ModelSerializer):
    """Personal details (certificate number, phone) only for the caller's own department."""

    department = serializers.CharField(source="department.code", read_only=True)
    expertise = serializers.SerializerMethodField()
    is_expert = serializers.BooleanField(read_only=True)
    certified_today = serializers.SerializerMethodField()

    class Meta:
        model = Inspector
        fields = [
            "id",
            "code",
            "name",
            "department",
            "category",
            "organisation",
            "is_expert",
            "certificate_number",
            "certificate_valid_until",
            "certified_today",
            "expertise",
            "is_active",
            "phone",
        ]

    def get_expertise(self, inspector: Inspector) -> list[str]:
        return [tag.name for tag in getattr(inspector, "expertise_list", inspector.expertise.all())]

    def get_certified_today(self, inspector: Inspector) -> bool:
        return inspector.is_certified_on(self.context["today"])

    def to_representation(self, inspector: Inspector) -> dict[str, Any]:
        data = super().to_representation(inspector)
        if not may_see_personal_details(self.context["request"].user, inspector):
            data["certificate_number"] = None
            data["phone"] = None
        return data
