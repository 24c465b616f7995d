from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from office.models import METRICS
from office.services import weights_problems


class WeightsForm(forms.Form):
    """A year's weights: one whole number per metric, summing to 100."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for key, label, _ in METRICS:
            self.fields[key] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=100,
                error_messages={
                    "required": f"请填写“{label}”的权重。",
                    "invalid": f"“{label}”的权重须为整数。",
                    "min_value": f"“{label}”的权重不能小于 0。",
                    "max_value": f"“{label}”的权重不能大于 100。",
                },
            )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if not self.errors:
            # Each field is already a whole number from 0 to 100; what is left is the sum.
            problems = weights_problems(data)
            if problems:
                raise ValidationError(problems.get("__all__", ["权重无效。"]))
        return data
