from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from inspections.models import CaseLead, Draw, FollowUp, Inspection, MatterResult, ResultCode, Task
from inspections.services_credit import ListingData
from inspections.services_followups import FollowUpData
from inspections.services_leads import CaseCheckData, GroupData, LeadData
from inspections.services_results import ResultData
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from plans.models import ExemptionItem, Matter
from registry import credit_code
from registry.models import Department, ExpertiseTag, Inspector, RiskClass, Target, Town


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TaskFilterForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2019, max_value=2100)
    kind = forms.ChoiceField(label="任务类型", required=False, choices=[("", "全部"), *Task.Kind.choices])
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


# ---- doing the inspection (issue 6) ----------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (photos taken on the spot and documents)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ResultCodeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ResultCode) -> str:
        return f"{obj.code} {obj.name}"


class ExemptionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ExemptionItem) -> str:
        return f"{obj.code} {obj.description}"


class ResultForm(forms.Form):
    """A matter's result; the same fields for the inspector's entry and the head's change."""

    inspected_on = forms.DateField(label="检查日期", required=False, widget=DateInput())
    codes = ResultCodeChoiceField(
        label="检查结果",
        queryset=ResultCode.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="可多选；“未发现问题”“未发现开展本次抽查涉及的经营活动”只能单独选择。",
    )
    findings = forms.CharField(
        label="检查情况及发现的问题",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    legal_basis = forms.CharField(
        label="违反的法律依据", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    exemption_item = ExemptionChoiceField(
        label="适用的轻微违法免罚清单事项",
        queryset=ExemptionItem.objects.none(),
        required=False,
        empty_label="不适用",
        help_text="适用免罚清单的，须同时责令改正并写明改正期限。",
    )
    correction_order = forms.CharField(
        label="责令改正内容", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    correction_deadline = forms.DateField(label="改正期限", required=False, widget=DateInput())

    def __init__(self, *args: Any, department_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exemption_item"].queryset = ExemptionItem.objects.filter(
            department_id=department_id, is_active=True
        ).order_by("code")

    def result_data(self) -> ResultData:
        data = self.cleaned_data
        return ResultData(
            codes=list(data["codes"]),
            inspected_on=data["inspected_on"],
            findings=data["findings"],
            legal_basis=data["legal_basis"],
            exemption_item=data["exemption_item"],
            correction_order=data["correction_order"],
            correction_deadline=data["correction_deadline"],
        )


class ResultEntryForm(ResultForm):
    attachments = MultipleFileField(
        label="添加附件（现场照片、文书、第三方报告）",
        required=False,
        help_text="JPEG、PNG、WebP 照片或 PDF 文档；系统按文件内容核验类型。",
    )
    client_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class ResultAmendForm(ResultForm):
    reason = forms.CharField(label="修改理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label="添加附件", required=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, label: str = "理由", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label


class CloseInspectionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="检查结论",
        choices=[("done", "已完成检查"), ("impossible", "无法检查")],
        widget=forms.RadioSelect,
        initial="done",
    )
    summary = forms.CharField(
        label="检查汇总意见",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="汇总各部门的检查情况；无法检查的，写明原因（如经营场所无法联系、已停业）。",
    )


class ScheduleForm(forms.Form):
    day = forms.DateField(label="计划检查日期", required=False, widget=DateInput())


class BatchScheduleForm(forms.Form):
    batch = forms.TypedChoiceField(label="批次", coerce=int)
    day = forms.DateField(label="检查日期", widget=DateInput())

    def __init__(self, *args: Any, batches: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["batch"].choices = [(number, f"第 {number} 批") for number in batches]


class InspectionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *Inspection.Status.choices]
    )
    kind = forms.ChoiceField(label="任务类型", required=False, choices=[("", "全部"), *Task.Kind.choices])
    q = forms.CharField(label="检查对象或任务", required=False, max_length=100)


class ResultFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *MatterResult.Status.choices]
    )


class SharedResultFilterForm(forms.Form):
    q = forms.CharField(label="检查对象名称或统一社会信用代码", required=False, max_length=100)


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label="处置方式", choices=FollowUp.Kind.choices, widget=forms.RadioSelect)
    measure = forms.CharField(label="处置内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(
        label="期限", required=False, widget=DateInput(), help_text="责令改正须填写改正期限。"
    )
    document_number = forms.CharField(label="文书编号（案号）", required=False, max_length=60)
    receiving_department = forms.ModelChoiceField(
        label="接收部门（移交）",
        queryset=Department.objects.none(),
        required=False,
        help_text="谁审批、谁监管，谁主管、谁监管：移交给审批或主管部门。",
    )
    handover_basis = forms.ChoiceField(
        label="移交依据", required=False, choices=[("", "—"), *FollowUp.Basis.choices]
    )
    external_body = forms.CharField(label="移送的司法机关", required=False, max_length=100)

    def __init__(self, *args: Any, department_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiving_department"].queryset = Department.objects.filter(is_active=True).exclude(
            pk=department_id
        )

    def follow_up_data(self) -> FollowUpData:
        data = self.cleaned_data
        return FollowUpData(
            kind=data["kind"],
            measure=data["measure"],
            deadline=data["deadline"],
            document_number=data["document_number"],
            external_body=data["external_body"],
            receiving_department=data["receiving_department"],
            handover_basis=data["handover_basis"],
        )


class RecheckForm(forms.Form):
    recheck_on = forms.DateField(label="复查日期", widget=DateInput())
    corrected = forms.TypedChoiceField(
        label="复查结论",
        choices=[("yes", "已按要求改正"), ("no", "逾期未改正")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="复查情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpCloseForm(forms.Form):
    outcome = forms.CharField(label="办结情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    document_number = forms.CharField(label="文书编号（案号）", required=False, max_length=60)


class LeadForm(forms.Form):
    source = forms.ChoiceField(label="线索来源", choices=CaseLead.Source.choices)
    kind = forms.ChoiceField(label="线索类型", choices=CaseLead.Kind.choices, widget=forms.RadioSelect)
    received_on = forms.DateField(label="收到日期", widget=DateInput())
    party_name = forms.CharField(label="当事人名称", max_length=200)
    party_credit_code = forms.CharField(
        label="统一社会信用代码",
        required=False,
        max_length=30,
        help_text="一般违法线索必填，须是名录库中的对象；无证无照经营的当事人可不填。",
    )
    party_address = forms.CharField(label="经营地址", required=False, max_length=300)
    town = forms.ModelChoiceField(
        label="所属镇街", queryset=Town.objects.filter(is_active=True), required=False
    )
    description = forms.CharField(label="线索内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    reporter_name = forms.CharField(label="举报人姓名", required=False, max_length=50)
    reporter_phone = forms.CharField(
        label="举报人联系电话", required=False, max_length=20, help_text="加密保存，依法为举报人保密。"
    )
    department = forms.ModelChoiceField(
        label="承办部门",
        queryset=Department.objects.filter(is_active=True),
        required=False,
        help_text="不选则暂不分派。",
    )
    matters = forms.ModelMultipleChoiceField(
        label="涉及的抽查事项",
        queryset=Matter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, office: bool, department_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if office:
            del self.fields["matters"]
        else:
            del self.fields["department"]
            self.fields["matters"].queryset = Matter.objects.filter(
                department_id=department_id, is_active=True
            ).order_by("code")

    def lead_data(self) -> LeadData:
        data = self.cleaned_data
        return LeadData(
            source=data["source"],
            kind=data["kind"],
            received_on=data["received_on"],
            party_name=data["party_name"],
            description=data["description"],
            party_credit_code=data["party_credit_code"],
            party_address=data["party_address"],
            town=data["town"],
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            matters=list(data.get("matters") or []),
            department=data.get("department"),
        )


class LeadAssignForm(forms.Form):
    department = forms.ModelChoiceField(label="承办部门", queryset=Department.objects.filter(is_active=True))
    assignee = forms.ModelChoiceField(label="承办人", queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, office: bool, department: Department | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not office and department is not None:
            self.fields["department"].queryset = Department.objects.filter(pk=department.pk)
        staff = User.objects.filter(
            is_active=True, role_grants__role__in=[Role.DEPT_STAFF, Role.DEPT_HEAD]
        ).distinct()
        if department is not None:
            staff = staff.filter(department=department)
        self.fields["assignee"].queryset = staff.order_by("username")


class InspectorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Inspector) -> str:
        certificate = f"执法证 {obj.certificate_number}" if obj.certificate_number else obj.category
        return f"{obj.name}（{obj.code}，{certificate}）"


class CaseCheckForm(forms.Form):
    matters = forms.ModelMultipleChoiceField(
        label="检查事项", queryset=Matter.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    inspectors = InspectorChoiceField(
        label="检查人员",
        queryset=Inspector.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="个案检查由部门指派，至少两名持有效执法证的执法人员。",
    )
    scheduled_date = forms.DateField(label="检查日期", widget=DateInput())

    def __init__(self, *args: Any, department_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["matters"].queryset = Matter.objects.filter(
            department_id=department_id, is_active=True
        ).order_by("code")
        self.fields["inspectors"].queryset = Inspector.objects.filter(
            department_id=department_id, is_active=True
        ).order_by("code")

    def case_check_data(self) -> CaseCheckData:
        data = self.cleaned_data
        return CaseCheckData(
            matters=list(data["matters"]),
            inspectors=list(data["inspectors"]),
            scheduled_date=data["scheduled_date"],
        )


class LeadChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CaseLead) -> str:
        return f"{obj.number} {obj.party_name}（{obj.get_source_display()}）"


class LeadGroupForm(forms.Form):
    leads = LeadChoiceField(
        label="汇集的线索", queryset=CaseLead.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label="专项抽查任务名称", max_length=200)
    matters = forms.ModelMultipleChoiceField(
        label="抽查事项", queryset=Matter.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    ratio = forms.DecimalField(label="抽查比例（%）", min_value=0.01, max_value=100, decimal_places=2)
    start_date = forms.DateField(label="开始日期", widget=DateInput())
    end_date = forms.DateField(label="结束日期", widget=DateInput())

    def __init__(self, *args: Any, department_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leads"].queryset = CaseLead.objects.filter(
            department_id=department_id, status=CaseLead.Status.ASSIGNED, target__isnull=False
        ).order_by("number")
        self.fields["matters"].queryset = Matter.objects.filter(
            department_id=department_id, is_active=True
        ).order_by("code")

    def group_data(self) -> GroupData:
        data = self.cleaned_data
        return GroupData(
            title=data["title"],
            matters=list(data["matters"]),
            ratio=data["ratio"],
            start_date=data["start_date"],
            end_date=data["end_date"],
        )


class LeadCloseForm(forms.Form):
    outcome = forms.CharField(
        label="办理结果",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="核查、查处结果，不予立案的理由，答复举报人的情况等。",
    )


class LeadFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "未办结"), ("all", "全部"), *CaseLead.Status.choices]
    )
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部"), *CaseLead.Source.choices])
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *CaseLead.Kind.choices])


class CreditOverrideForm(forms.Form):
    risk_class = forms.ChoiceField(label="调整为", choices=RiskClass.choices)
    reason = forms.CharField(label="调整理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class TargetCodeField(forms.CharField):
    """A target named by its credit code (or registry key)."""

    def clean(self, value: Any) -> Target:
        value = super().clean(value)
        code = credit_code.normalise(value)
        target = Target.objects.filter(code=code).first() or Target.objects.filter(code=value.strip()).first()
        if target is None:
            raise forms.ValidationError("名录库中没有该统一社会信用代码（对象标识）的检查对象。")
        return target


class DishonestyForm(forms.Form):
    target = TargetCodeField(label="统一社会信用代码", max_length=40)
    source = forms.CharField(
        label="列入机关（来源）", max_length=100, help_text="如：临沂市市场监督管理局、信用中国"
    )
    document_number = forms.CharField(label="列入决定文号", required=False, max_length=60)
    reason = forms.CharField(label="列入事由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    listed_on = forms.DateField(label="列入日期", widget=DateInput())
    expires_on = forms.DateField(
        label="届满日期", required=False, widget=DateInput(), help_text="一般为列入之日起三年。"
    )

    def listing_data(self) -> ListingData:
        data = self.cleaned_data
        return ListingData(
            source=data["source"],
            reason=data["reason"],
            listed_on=data["listed_on"],
            document_number=data["document_number"],
            expires_on=data["expires_on"],
        )


class DishonestyRemoveForm(forms.Form):
    removed_on = forms.DateField(label="移出日期", widget=DateInput())
    reason = forms.CharField(label="移出理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
