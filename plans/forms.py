from __future__ import annotations

import re
from typing import Any

from django import forms

from plans.models import AnnualPlan, ExemptionItem, Matter, MatterCategory, Method, PlanItem
from plans.snapshots import percent
from registry.models import Department, ExpertiseTag, SubRegistry, Target, Town

PERCENT_HELP = "百分比，最多两位小数，如 3 或 2.5"


def percent_field(label: str, *, required: bool = True, help_text: str = PERCENT_HELP) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class DateInput(forms.DateInput):
    input_type = "date"


class MatterForm(forms.Form):
    check_type = forms.CharField(label="抽查类别", max_length=100)
    name = forms.CharField(label="抽查事项", max_length=200)
    target_scope = forms.CharField(label="检查对象", max_length=300)
    category = forms.ChoiceField(label="事项类别", choices=MatterCategory.choices, widget=forms.RadioSelect)
    ratio_cap = percent_field(
        "抽查比例上限（%）", required=False, help_text="一般检查事项必填；重点检查事项不设上限，请留空"
    )
    default_ratio = percent_field("默认抽查比例（%）", help_text="制定计划时的默认比例，不得高于上限")
    frequency = forms.CharField(label="抽查频次", max_length=50, initial="每年1次")
    methods = forms.MultipleChoiceField(
        label="检查方式", choices=Method.choices, widget=forms.CheckboxSelectMultiple
    )
    inspecting_body = forms.CharField(label="检查主体", max_length=200)
    legal_basis = forms.CharField(label="检查依据", widget=forms.Textarea(attrs={"rows": 3}))
    expertise = forms.ModelMultipleChoiceField(
        label="所需业务专长",
        queryset=ExpertiseTag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="抽取检查人员时，本部门的检查人员须具备所选专长",
    )
    note = forms.CharField(label="备注", max_length=500, required=False)
    reason = forms.CharField(label="调整理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args: Any, reason_label: str = "调整理由", reason_help: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = reason_label
        self.fields["reason"].help_text = reason_help


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    note = forms.CharField(
        label="更新说明",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="向公众说明本版清单的主要变化（可不填）",
    )


class ExemptionForm(forms.Form):
    code = forms.CharField(label="编号", max_length=20, help_text="字母、数字和连字符，如 SCJG-01")
    department = forms.ModelChoiceField(label="实施部门", queryset=Department.objects.filter(is_active=True))
    description = forms.CharField(label="违法行为", widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label="法律依据", widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.CharField(label="免罚条件", widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label="有效", required=False, initial=True)

    @staticmethod
    def initial_for(item: ExemptionItem) -> dict[str, Any]:
        return {
            "code": item.code,
            "department": item.department,
            "description": item.description,
            "legal_basis": item.legal_basis,
            "conditions": item.conditions,
            "is_active": item.is_active,
        }


class CatalogImportForm(forms.Form):
    """What the upload of a new edition of the provincial list asks besides the file."""

    title = forms.CharField(
        label="版本名称",
        max_length=100,
        help_text="如“2026年版”，显示在版本列表和各部门的比对页面上",
        error_messages={"required": "请填写版本名称，如“2026年版”。"},
    )
    note = forms.CharField(label="说明", max_length=300, required=False, help_text="如发文号、施行日期")

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label="计划年度", min_value=2019, max_value=2100)
    title = forms.CharField(
        label="计划名称", max_length=200, required=False, help_text="不填则按年度自动命名"
    )
    description = forms.CharField(label="工作要求", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class PlanHeaderForm(forms.Form):
    title = forms.CharField(label="计划名称", max_length=200)
    description = forms.CharField(label="工作要求", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ReturnForm(forms.Form):
    comment = forms.CharField(label="退回意见", widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(forms.Form):
    meeting = forms.CharField(label="审议会议", max_length=200, help_text="如“2026年第1次联席会议”")
    meeting_date = forms.DateField(label="审议日期", widget=DateInput)


# ---- plan items -------------------------------------------------------------------------------------


class MatterChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Matter) -> str:  # type: ignore[override]
        cap = f"，上限{percent(obj.ratio_cap)}" if obj.ratio_cap is not None else "，不设上限"
        return f"{obj.code} {obj.name}（{obj.category}{cap}）"


class DepartmentRowForm(forms.Form):
    """One department of a plan item and the matters it contributes from its own list."""

    department = forms.ModelChoiceField(
        label="部门",
        queryset=Department.objects.filter(is_active=True),
        required=False,
        empty_label="（不选）",
    )
    matters = MatterChoiceField(
        label="抽查事项", queryset=Matter.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, options_url: str = "", fixed_department: Department | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if fixed_department is not None:
            self.fields["department"].disabled = True
            self.fields["department"].required = True
            self.initial["department"] = fixed_department
            chosen: Any = fixed_department.pk
        elif self.is_bound:
            chosen = self.data.get(self.add_prefix("department"))
        else:
            chosen = self.initial.get("department")
            chosen = getattr(chosen, "pk", chosen)
        self.department_id = int(chosen) if str(chosen or "").isdigit() else None
        if options_url and fixed_department is None:
            # htmx swaps in the chosen department's matters; without JavaScript the list
            # appears when the form comes back from the server.
            self.fields["department"].widget.attrs.update(
                {
                    "hx-get": f"{options_url}?prefix={self.prefix}",
                    "hx-target": f"#{self.add_prefix('matters')}-box",
                    "hx-trigger": "change",
                }
            )
        if self.department_id:
            self.fields["matters"].queryset = Matter.objects.filter(
                department_id=self.department_id, is_active=True
            ).order_by("code")


DepartmentRowFormSet = forms.formset_factory(DepartmentRowForm, extra=0)
EXTRA_PARTICIPANT_ROWS = 3


def department_forms(
    data: Any, *, options_url: str, fixed_department: Department | None, item: PlanItem | None = None
) -> tuple[DepartmentRowForm, Any]:
    """The initiator's row and the participants' rows of a plan item or a special task:
    bound to `data` when posted, otherwise filled from `item` plus a few empty rows."""
    if data is not None:
        initiator = DepartmentRowForm(
            data, prefix="initiator", options_url=options_url, fixed_department=fixed_department
        )
        participants = DepartmentRowFormSet(
            data, prefix="participants", form_kwargs={"options_url": options_url}
        )
        return initiator, participants
    initial: list[dict[str, Any]] = []
    initiator_initial: dict[str, Any] = {}
    if item is not None:
        for role in (
            item.departments.select_related("department").prefetch_related("matters").order_by("order")
        ):
            row = {"department": role.department, "matters": list(role.matters.all())}
            if role.is_initiator:
                initiator_initial = row
            else:
                initial.append(row)
    initial += [{}] * EXTRA_PARTICIPANT_ROWS
    initiator = DepartmentRowForm(
        prefix="initiator",
        initial=initiator_initial,
        options_url=options_url,
        fixed_department=fixed_department,
    )
    participants = DepartmentRowFormSet(
        prefix="participants", initial=initial, form_kwargs={"options_url": options_url}
    )
    return initiator, participants


_PREFIX_SPLIT = re.compile(r"[\s,，、;；]+")


class PlanItemForm(forms.Form):
    title = forms.CharField(label="任务名称", max_length=200)
    form = forms.ChoiceField(label="抽查形式", choices=PlanItem.Form.choices, widget=forms.RadioSelect)
    methods = forms.MultipleChoiceField(
        label="检查方式", choices=Method.choices, widget=forms.CheckboxSelectMultiple
    )
    sub_registries = forms.ModelMultipleChoiceField(
        label="检查对象名录库分库",
        queryset=SubRegistry.objects.select_related("department").order_by("department__code", "name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个检查对象名录库分库。"},
    )
    towns = forms.ModelMultipleChoiceField(
        label="限定镇街",
        queryset=Town.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选则为全区",
    )
    target_kinds = forms.MultipleChoiceField(
        label="限定对象类型",
        choices=Target.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选则不限",
    )
    industry_prefixes = forms.CharField(
        label="限定行业代码",
        required=False,
        max_length=200,
        help_text="国民经济行业分类代码的开头，多个用逗号分隔，如 F52, H62；不填则不限。登记状态一律为存续。",
    )
    sampling = forms.ChoiceField(
        label="抽取方式", choices=PlanItem.Sampling.choices, widget=forms.RadioSelect
    )
    ratio = percent_field("抽查比例（%）", required=False, help_text="按比例抽取时填写")
    ratio_a = percent_field(
        "A类（低风险）比例（%）", required=False, help_text="按信用风险分类抽取时填写，不抽填 0"
    )
    ratio_b = percent_field("B类（一般风险）比例（%）", required=False, help_text="")
    ratio_c = percent_field("C类（较高风险）比例（%）", required=False, help_text="")
    ratio_d = percent_field("D类（高风险）比例（%）", required=False, help_text="")
    target_count = forms.IntegerField(
        label="抽取户数", required=False, min_value=1, help_text="抽取固定数量时填写"
    )
    frequency = forms.CharField(label="抽查频次", max_length=50, required=False, initial="每年1次")
    start_date = forms.DateField(label="开始日期", widget=DateInput)
    end_date = forms.DateField(label="结束日期", widget=DateInput)
    batch_size = forms.IntegerField(
        label="每批户数", required=False, min_value=1, help_text="抽中的对象按随机顺序分批检查；不分批请留空"
    )
    note = forms.CharField(label="备注", max_length=500, required=False)

    SCOPE_FIELDS = ("sub_registries", "towns", "target_kinds", "industry_prefixes")
    SAMPLING_FIELDS = (
        "sampling",
        "ratio",
        "ratio_a",
        "ratio_b",
        "ratio_c",
        "ratio_d",
        "target_count",
        "frequency",
    )
    TIME_FIELDS = ("start_date", "end_date", "batch_size")

    def clean_industry_prefixes(self) -> list[str]:
        text = self.cleaned_data["industry_prefixes"]
        return [part.upper() for part in _PREFIX_SPLIT.split(text) if part]

    def grouped(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    @property
    def basic_fields(self) -> list[forms.BoundField]:
        return self.grouped(("title", "form", "methods"))

    @property
    def scope_fields(self) -> list[forms.BoundField]:
        return self.grouped(self.SCOPE_FIELDS)

    @property
    def sampling_fields(self) -> list[forms.BoundField]:
        return self.grouped(self.SAMPLING_FIELDS)

    @property
    def time_fields(self) -> list[forms.BoundField]:
        return self.grouped((*self.TIME_FIELDS, "note"))

    @staticmethod
    def initial_for(item: PlanItem) -> dict[str, Any]:
        return {
            "title": item.title,
            "form": item.form,
            "methods": item.methods,
            "sub_registries": list(item.sub_registries.all()),
            "towns": list(item.towns.all()),
            "target_kinds": item.target_kinds,
            "industry_prefixes": ", ".join(item.industry_prefixes),
            "sampling": item.sampling,
            "ratio": item.ratio,
            "ratio_a": item.ratio_a,
            "ratio_b": item.ratio_b,
            "ratio_c": item.ratio_c,
            "ratio_d": item.ratio_d,
            "target_count": item.target_count,
            "frequency": item.frequency,
            "start_date": item.start_date,
            "end_date": item.end_date,
            "batch_size": item.batch_size,
            "note": item.note,
        }

    @staticmethod
    def defaults_for(plan: AnnualPlan) -> dict[str, Any]:
        return {
            "frequency": "每年1次",
            "sampling": PlanItem.Sampling.RATIO,
            "form": PlanItem.Form.COMPREHENSIVE,
        }


def item_data_from_forms(
    form: PlanItemForm, initiator_form: DepartmentRowForm, participant_forms: Any
) -> Any:
    """The validated forms of a plan item (or a special task) as the services take them."""
    from plans.services import PlanItemData

    return PlanItemData(
        initiator=initiator_form.cleaned_data["department"],
        initiator_matters=list(initiator_form.cleaned_data["matters"]),
        participants=[
            (row.cleaned_data["department"], list(row.cleaned_data["matters"]))
            for row in participant_forms
            if row.cleaned_data.get("department")
        ],
        **{
            name: list(value) if name in {"sub_registries", "towns"} else value
            for name, value in form.cleaned_data.items()
        },
    )
