from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import AuditEvent
from registry.models import Department


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。请注意区分大小写。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }


class UserForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[A-Za-z0-9_.-]+$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . -。"},
    )
    name = forms.CharField(label="姓名", max_length=50)
    department = forms.ModelChoiceField(label="所属单位", queryset=Department.objects.filter(is_active=True))
    roles = forms.MultipleChoiceField(label="角色", choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    phone = forms.RegexField(
        label="联系电话",
        required=False,
        regex=r"^[0-9-]{7,20}$",
        error_messages={"invalid": "请输入有效的电话号码。"},
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput(render_value=False), required=False, strip=False
    )

    def __init__(self, *args: object, creating: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            self.fields["password"].required = True
            del self.fields["is_active"]
        else:
            self.fields["username"].disabled = True
            del self.fields["password"]


class PasswordResetForm(forms.Form):
    password = forms.CharField(label="新密码", widget=forms.PasswordInput, strip=False)
    confirm = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("confirm"):
            raise forms.ValidationError("两次输入的密码不一致。")
        return data


class DepartmentForm(forms.Form):
    code = forms.RegexField(
        label="单位代码",
        max_length=20,
        regex=r"^[A-Z0-9]+$",
        error_messages={"invalid": "单位代码只能包含大写字母和数字。"},
    )
    name = forms.CharField(label="单位名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=50)
    is_active = forms.BooleanField(label="在用", required=False, initial=True)
    note = forms.CharField(label="备注", max_length=200, required=False)


class AuditFilterForm(forms.Form):
    since = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    username = forms.CharField(label="用户名", required=False, max_length=150)
    department = forms.CharField(label="单位代码", required=False, max_length=20)
    action = forms.CharField(label="操作", required=False, max_length=60)
    result = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), *AuditEvent.Result.choices]
    )


class OtpTokenForm(forms.Form):
    token = forms.RegexField(
        label="动态验证码",
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": "请输入 6 位数字验证码。", "required": "请输入 6 位数字验证码。"},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )


class UnlockForm(forms.Form):
    """The security administrator's reason for an unlock or a second-factor reset (audited)."""

    reason = forms.CharField(label="原因", max_length=200)
