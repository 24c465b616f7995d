from __future__ import annotations

from typing import Any

from django import forms

from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from registry import values
from registry.industries import division_choices
from registry.models import Department, ExpertiseTag, Inspector, RiskClass, SubRegistry, Target, Town
from registry.permissions import may_see_all_departments
from registry.selectors import sub_registries_for_user

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices: Any, label: str = "全部") -> list[tuple[str, str]]:
    return [("", label), *choices]


class TargetFilterForm(forms.Form):
    q = forms.CharField(
        label="名称或统一社会信用代码",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "名称中的字词，或代码前几位"}),
    )
    town = forms.ModelChoiceField(
        label="所属镇街", queryset=Town.objects.all(), required=False, empty_label="全部"
    )
    kind = forms.ChoiceField(label="对象类型", choices=_blank(Target.Kind.choices), required=False)
    status = forms.ChoiceField(label="登记状态", choices=_blank(Target.Status.choices), required=False)
    risk_class = forms.ChoiceField(label="信用风险分类", choices=_blank(RiskClass.choices), required=False)
    industry = forms.ChoiceField(label="行业（大类）", choices=(), required=False)
    sub_registry = forms.ModelChoiceField(
        label="分库", queryset=SubRegistry.objects.none(), required=False, empty_label="全部"
    )
    address_unreachable = forms.BooleanField(label="仅看登记住所无法联系", required=False)

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = _blank(division_choices())
        self.fields["sub_registry"].queryset = (
            sub_registries_for_user(user) if user is not None else SubRegistry.objects.all()
        )


class TargetForm(forms.Form):
    kind = forms.ChoiceField(label="对象类型", choices=Target.Kind.choices)
    code = forms.CharField(
        label="统一社会信用代码 / 对象标识",
        max_length=40,
        required=False,
        help_text="市场主体填 18 位统一社会信用代码（自动转半角、大写并核验校验位）；产品、项目、场所可留空，系统自动编号。",
    )
    name = forms.CharField(label="名称", max_length=200)
    legal_representative = forms.CharField(
        label="法定代表人（负责人、经营者）", max_length=100, required=False
    )
    address = forms.CharField(label="住所（经营场所）", max_length=300, required=False)
    town = forms.ModelChoiceField(
        label="所属镇街", queryset=Town.objects.filter(is_active=True), required=False
    )
    industry_code = forms.CharField(
        label="行业代码",
        max_length=5,
        required=False,
        help_text="国民经济行业分类代码，2 至 4 位数字，如 5211。",
    )
    status = forms.ChoiceField(label="登记状态", choices=Target.Status.choices, initial=Target.Status.ACTIVE)
    risk_class = forms.ChoiceField(label="信用风险分类", choices=RiskClass.choices, initial=RiskClass.B)
    address_unreachable = forms.BooleanField(label="登记住所无法联系", required=False)
    note = forms.CharField(
        label="变更说明",
        max_length=300,
        required=False,
        help_text="调整信用风险分类时必填，记入变更记录和审计日志。",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["code"].disabled = True
            self.fields["kind"].disabled = True

    def clean_industry_code(self) -> str:
        text = self.cleaned_data["industry_code"].strip()
        if not text:
            return ""
        try:
            return values.parse_industry(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.editing or "kind" not in data:
            return data
        raw = data.get("code", "")
        if data["kind"] in values.NON_ENTITY_KINDS and not raw.strip():
            data["code"] = ""
            return data
        try:
            data["code"] = values.parse_code(raw, data["kind"])
        except ValueError as error:
            self.add_error("code", str(error))
        return data


class SubRegistryForm(forms.Form):
    name = forms.CharField(
        label="分库名称", max_length=100, help_text="如“特种设备使用单位”“食品经营者”“学校”。"
    )
    description = forms.CharField(label="说明", max_length=300, required=False)


class MembershipAddForm(forms.Form):
    codes = forms.CharField(
        label="统一社会信用代码（每行一个）",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="一次最多 1000 个；检查对象须已在名录库中。",
    )

    def clean_codes(self) -> list[str]:
        codes = [
            line.strip()
            for line in self.cleaned_data["codes"].replace(",", "\n").splitlines()
            if line.strip()
        ]
        if len(codes) > 1000:
            raise forms.ValidationError("一次最多添加 1000 个，更多请用导入。")
        return codes


class MembershipImportOptionsForm(forms.Form):
    mode = forms.ChoiceField(
        label="导入方式",
        choices=[
            ("add", "追加：把文件中的对象加入分库，已有成员保留"),
            ("replace", "同步：分库成员以文件为准，文件中没有的移出分库（不删除检查对象）"),
        ],
        initial="add",
        widget=forms.RadioSelect,
    )


class InspectorFilterForm(forms.Form):
    q = forms.CharField(
        label="姓名或人员编号",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    department = forms.ModelChoiceField(
        label="所属部门", queryset=Department.objects.all(), required=False, empty_label="全部"
    )
    category = forms.ChoiceField(label="人员类别", choices=_blank(Inspector.Category.choices), required=False)
    expertise = forms.ModelChoiceField(
        label="业务专长", queryset=ExpertiseTag.objects.all(), required=False, empty_label="全部"
    )
    active = forms.ChoiceField(
        label="在岗", choices=[("", "全部"), ("yes", "在岗"), ("no", "不在岗")], required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_see_all_departments(user):
            del self.fields["department"]


class InspectorForm(forms.Form):
    code = forms.CharField(label="人员编号", max_length=30)
    name = forms.CharField(label="姓名", max_length=50)
    category = forms.ChoiceField(label="人员类别", choices=Inspector.Category.choices)
    organisation = forms.CharField(
        label="所在机构",
        max_length=100,
        required=False,
        help_text="专家、第三方机构人员必填（检验检测机构、科研院所、会计师事务所等）。",
    )
    certificate_number = forms.CharField(label="执法证号", max_length=40, required=False)
    certificate_valid_until = forms.DateField(
        label="执法证有效期至",
        required=False,
        widget=DATE,
        help_text="过期后自动视为无执法资格，不再计入两名执法人员。",
    )
    expertise = forms.CharField(
        label="业务专长",
        max_length=500,
        required=False,
        help_text="多个专长用顿号或逗号分隔，如“食品安全、特种设备”。",
    )
    is_active = forms.BooleanField(label="在岗", required=False, initial=True)
    phone = forms.RegexField(
        label="联系电话",
        regex=r"^[0-9-]{7,20}$",
        required=False,
        error_messages={"invalid": "请输入有效的电话号码。"},
    )
    user = forms.ModelChoiceField(
        label="登录账号",
        queryset=User.objects.none(),
        required=False,
        help_text="关联后，该人员可登录查看自己的检查任务、申报回避。",
    )

    def __init__(self, *args: Any, department: Department, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            department=department, is_active=True, role_grants__role=Role.INSPECTOR
        ).order_by("username")
        if editing:
            self.fields["code"].disabled = True

    def clean_code(self) -> str:
        return values.compact(self.cleaned_data["code"]).upper()

    def clean_expertise(self) -> list[str]:
        return values.split_tags(self.cleaned_data["expertise"])


class UnavailabilityForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=DATE)
    end = forms.DateField(label="结束日期", widget=DATE)
    reason = forms.CharField(label="原因", max_length=200, help_text="如培训、休假、借调。")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data


class ConflictForm(forms.Form):
    inspector = forms.ModelChoiceField(label="执法检查人员", queryset=Inspector.objects.none())
    target_code = forms.CharField(label="检查对象的统一社会信用代码（对象标识）", max_length=40)
    reason = forms.CharField(
        label="回避事由", max_length=300, help_text="如“近亲属在该单位任职”“曾在该单位工作”。"
    )

    def __init__(self, *args: Any, inspectors: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if inspectors is None:
            del self.fields["inspector"]
        else:
            self.fields["inspector"].queryset = inspectors

    def clean_target_code(self) -> Target:
        text = self.cleaned_data["target_code"]
        code = (
            values.credit_code.normalise(text)
            if len(values.credit_code.normalise(text)) == 18
            else text.strip()
        )
        target = Target.objects.filter(code=code).first()
        if target is None:
            raise forms.ValidationError("检查对象名录库中没有该代码。")
        return target
