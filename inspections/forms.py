from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from inspections.models import Draw, Task
from registry.models import ExpertiseTag


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TaskFilterForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2019, max_value=2100)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *Task.Status.choices])


class SlotRuleForm(forms.Form):
    inspector_count = forms.IntegerField(label="选派人数", min_value=1, max_value=6)
    expertise = forms.ModelMultipleChoiceField(
        label="须具备的业务专长",
        queryset=ExpertiseTag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class TaskRulesForm(forms.Form):
    expert_count = forms.IntegerField(
        label="专家（第三方）人数",
        min_value=0,
        max_value=5,
        help_text="从专家和第三方机构人员中随机选派，不计入两名执法人员",
    )
    expert_expertise = forms.ModelMultipleChoiceField(
        label="专家须具备的业务专长",
        queryset=ExpertiseTag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exclusion_months = forms.IntegerField(
        label="同一事项排除期（月）",
        min_value=0,
        max_value=60,
        help_text="此期间内已就本任务任一事项接受过任何部门检查的对象不进入抽取范围（结果互认）",
    )
    batch_size = forms.IntegerField(
        label="每批户数",
        required=False,
        min_value=1,
        help_text="抽中的对象按抽签值顺序分批检查；不分批请留空",
    )


class PrepareForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label="计划抽取时间",
        widget=DateTimeInput(),
        help_text="承诺公示后，到此时间才能执行抽取；请在抽取时间前通知见证人。",
    )

    def clean_scheduled_for(self) -> Any:
        value = self.cleaned_data["scheduled_for"]
        if value < timezone.now():
            raise forms.ValidationError("计划抽取时间不能早于现在。")
        return value


class ExecuteForm(forms.Form):
    witness_source = forms.ChoiceField(
        label="见证输入来源", choices=Draw.WitnessSource.choices, widget=forms.RadioSelect
    )
    witness_input = forms.CharField(
        label="见证输入",
        max_length=200,
        help_text="现场见证人报出的数字，或当日福利彩票开奖号码，按原样录入；录入后即执行抽取，不能更改。",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="取消理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="取消理由将与承诺一起永久公开。",
    )


class AdjustForm(forms.Form):
    target = forms.ChoiceField(label="检查对象")
    inspector_out = forms.ChoiceField(label="被替换人员")
    reason = forms.CharField(label="理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    substitute = forms.CharField(
        label="指定替补人员编号",
        required=False,
        max_length=30,
        help_text="仅联席会议办公室可指定；不指定时按抽取规则自动选定替补人员。",
    )

    def __init__(
        self, *args: Any, targets: list[tuple[str, str]], inspectors: list[tuple[str, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets
        self.fields["inspector_out"].choices = inspectors
