from __future__ import annotations

from typing import Any

from django import forms

from luozhuang_dsj.lib.roles import BUSINESS_ROLES
from luozhuang_dsj.models import User
from notices.models import HolidayDay, RosterMember
from registry.models import Department


class DateInput(forms.DateInput):
    input_type = "date"


class NotificationEmailForm(forms.Form):
    email = forms.CharField(
        label="接收通知的电子邮件地址",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="填写后，站内通知同时发送到该邮箱（须系统已配置邮件服务）；留空则只在站内接收。",
    )


class HolidayArrangementForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    source = forms.CharField(
        label="依据文件",
        max_length=200,
        help_text="如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）",
    )


class HolidaySourceForm(forms.Form):
    source = forms.CharField(label="依据文件", max_length=200)


class HolidayDaysForm(forms.Form):
    first = forms.DateField(label="开始日期", widget=DateInput)
    last = forms.DateField(
        label="结束日期", widget=DateInput, required=False, help_text="只录入一天时留空；连续放假可一次录入"
    )
    kind = forms.ChoiceField(label="类型", choices=HolidayDay.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(
        label="节日",
        max_length=30,
        help_text="如：春节、国庆节",
        error_messages={"required": "请填写节日名称，如春节。"},
    )


class WorkingDaysForm(forms.Form):
    start = forms.DateField(label="起算日", widget=DateInput, help_text="起算日当天不计入")
    days = forms.IntegerField(label="工作日数", min_value=1, max_value=366, initial=20)


class RosterMemberForm(forms.Form):
    duty = forms.ChoiceField(label="职责", choices=RosterMember.Duty.choices)
    position = forms.IntegerField(
        label="排序", min_value=1, max_value=999, initial=1, help_text="同一职责内的先后"
    )
    name = forms.CharField(label="姓名", max_length=50)
    post = forms.CharField(label="职务", max_length=100, help_text="如：区市场监管局局长")
    department = forms.ModelChoiceField(
        label="成员单位",
        queryset=Department.objects.filter(is_active=True).order_by("-is_office", "code"),
        required=False,
        help_text="区政府领导可不填",
    )
    user = forms.ModelChoiceField(
        label="登录账号",
        queryset=User.objects.filter(is_active=True, role_grants__role__in=BUSINESS_ROLES)
        .distinct()
        .select_related("department")
        .order_by("department__code", "name"),
        required=False,
        help_text="可选：该成员在本平台的账号，须属于所选成员单位",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.name}（{user.username}，{user.department.short_name}）"
        )

    @staticmethod
    def initial_for(member: RosterMember) -> dict[str, Any]:
        return {
            "duty": member.duty,
            "position": member.position,
            "name": member.name,
            "post": member.post,
            "department": member.department,
            "user": member.user,
        }
