"""The dashboard's filters: a year, optionally one department, and the burden threshold N."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone

from office.dashboard import Filters
from registry.models import Department

MIN_YEAR = 2015


class DashboardFilterForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=MIN_YEAR,
        error_messages={"invalid": "年度须为四位数字。", "min_value": f"年度不能早于 {MIN_YEAR} 年。"},
    )
    department = forms.ModelChoiceField(
        label="部门",
        queryset=Department.objects.filter(is_active=True).order_by("-is_office", "code"),
        to_field_name="code",
        required=False,
        empty_label="全部部门",
        error_messages={"invalid_choice": "没有这个部门。"},
    )
    n = forms.IntegerField(
        label="上门次数超过",
        required=False,
        min_value=1,
        max_value=50,
        help_text="列出本年度上门检查超过该次数的市场主体（默认 2 次）",
        error_messages={
            "invalid": "次数须为整数。",
            "min_value": "次数不能小于 1。",
            "max_value": "次数不能大于 50。",
        },
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data if data is not None else {}, *args, **kwargs)
        latest = timezone.localdate().year + 1
        self.fields["year"].validators.append(
            MaxValueValidator(latest, message=f"年度不能晚于 {latest} 年。")
        )
        self.fields["year"].widget.attrs.update({"min": MIN_YEAR, "max": latest})

    def filters(self) -> Filters:
        """The filters asked for; a field with an error falls back to its default."""
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            year=data.get("year") or timezone.localdate().year,
            department=data.get("department"),
            n=data.get("n") or 2,
        )
