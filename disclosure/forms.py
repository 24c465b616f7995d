from __future__ import annotations

import functools
import re
import secrets
from typing import Any

from django import forms
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from disclosure.models import Objection
from disclosure.selectors import OUTCOME_CHOICES, SearchQuery
from luozhuang_dsj.lib.markup import escape, safe_join
from registry.models import Department

CHALLENGE_SALT = "disclosure.objection.challenge"
CHALLENGE_MAX_AGE = 2 * 3600
_PHONE = re.compile(r"^[0-9\-+ ]{7,20}$")


class QuickSelect(forms.Select):
    """A <select> built in Python, with the markup of Django's Select: the search form is on
    every search page, and the template renderer's template per option was a third of its
    cost under load (bench/bench_portal.py). Each option's markup is made once per list of
    choices (the lists are few: the departments, the years, the outcomes)."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> str:
        selected = {str(item) for item in self.format_value(value)}
        options = (
            chosen if key in selected else plain for key, plain, chosen in _option_markup(tuple(self.choices))
        )
        attributes = quick_attributes(self.build_attrs(self.attrs, attrs))
        return safe_join([f'<select name="{escape(name)}"{attributes}>', *options, "</select>"])

    def __deepcopy__(self, memo: dict[int, Any]) -> QuickSelect:
        # The copies share the list of choices (Select normalises it again on each copy).
        return forms.Widget.__deepcopy__(self, memo)


def quick_attributes(attributes: dict[str, Any]) -> str:
    """flatatt's markup (True: the name alone; False and None: left out), without a
    format_html per attribute."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attributes.items()
        if value is not None and value is not False
    )


@functools.lru_cache(maxsize=64)
def _option_markup(choices: tuple[tuple[Any, Any], ...]) -> tuple[tuple[str, str, str], ...]:
    """Per choice: its value as the form gives it back, and its <option> unselected and selected."""
    markup = []
    for key, label in choices:
        value, shown = escape(str(key)), escape(str(label))
        markup.append(
            (
                str(key),
                f'<option value="{value}">{shown}</option>',
                f'<option value="{value}" selected>{shown}</option>',
            )
        )
    return tuple(markup)


class QuickTextInput(forms.TextInput):
    """An <input> built in Python, with the markup of Django's TextInput (see QuickSelect)."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> str:
        attributes = {"type": self.input_type, "name": name, **self.build_attrs(self.attrs, attrs)}
        shown = self.format_value(value)
        if shown is not None:
            attributes["value"] = shown
        return safe_join(["<input", quick_attributes(attributes), ">"])


class SharedChoiceField(forms.TypedChoiceField):
    """A choice field whose copies share its list of choices. A form deep-copies its
    fields for every instance, and ChoiceField copies every choice with them; these lists
    are only ever replaced, never changed in place."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedChoiceField:
        return forms.Field.__deepcopy__(self, memo)


DEPARTMENT_CHOICES_KEY = "disclosure:search-form-departments"


def department_choices() -> list[tuple[Any, str]]:
    """Active departments, read as a plain list (a model choice field reads them through a
    server-side cursor, a round trip more on every search) and kept in the cache: the query
    was a twentieth of a search's time under load. Saving or deleting a department clears
    it (`clear_department_choices`); a change made around the models expires in ten minutes."""
    choices = cache.get(DEPARTMENT_CHOICES_KEY)
    if choices is None:
        departments = Department.objects.filter(is_active=True).order_by("-is_office", "code")
        choices = [("", "全部部门"), *departments.values_list("pk", "short_name")]
        cache.set(DEPARTMENT_CHOICES_KEY, choices, timeout=600)
    return choices


def clear_department_choices(**kwargs: Any) -> None:
    cache.delete(DEPARTMENT_CHOICES_KEY)


class SearchForm(forms.Form):
    """The public search's conditions. Make it with search_form(), which fills in the
    departments and the years as they are today."""

    q = forms.CharField(
        label="企业名称或统一社会信用代码",
        max_length=100,
        required=False,
        widget=QuickTextInput(attrs={"type": "search", "placeholder": "输入名称的一部分或信用代码"}),
    )
    outcome = SharedChoiceField(
        label="检查结果", choices=[("", "全部结果"), *OUTCOME_CHOICES], required=False, widget=QuickSelect
    )
    field_order = ["q", "department", "year", "outcome"]

    def query(self) -> SearchQuery:
        if not self.is_valid():
            return SearchQuery()
        data = self.cleaned_data
        return SearchQuery(
            text=data.get("q") or "",
            department=data.get("department"),
            year=data.get("year"),
            outcome=data.get("outcome") or "",
        )


@functools.lru_cache(maxsize=8)
def _search_form_class(departments: tuple[tuple[Any, str], ...], this_year: int) -> type[SearchForm]:
    """SearchForm with these departments and the eight years to this one as its choices:
    a class per list, so that a search does not normalise and copy the lists again."""
    years = [("", "全部年度"), *((year, f"{year}年") for year in range(this_year, this_year - 8, -1))]
    fields = {
        "department": SharedChoiceField(
            label="检查部门",
            choices=departments,
            coerce=int,
            required=False,
            empty_value=None,
            widget=QuickSelect,
        ),
        "year": SharedChoiceField(
            label="年度", choices=years, coerce=int, required=False, empty_value=None, widget=QuickSelect
        ),
    }
    return type("SearchForm", (SearchForm,), fields)


def search_form(data: Any = None) -> SearchForm:
    """The search form bound to `data` (a QueryDict; None for an empty form), with today's
    departments and years."""
    departments = tuple(tuple(choice) for choice in department_choices())
    return _search_form_class(departments, timezone.localdate().year)(data)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def new_challenge() -> tuple[str, str]:
    """An arithmetic question and its signed answer (works without JavaScript)."""
    first, second = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"a": first + second}, salt=CHALLENGE_SALT)
    return f"{first} 加 {second} 等于多少？", token


class ObjectionForm(forms.Form):
    contact_name = forms.CharField(label="联系人", max_length=50)
    contact_phone = forms.CharField(
        label="联系电话", max_length=20, help_text="仅供处理部门联系您，不会公开。"
    )
    reason = forms.CharField(
        label="异议理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="请说明认为检查结果有误的事实和理由。",
    )
    attachments = MultipleFileField(
        label="证明材料（可选）",
        required=False,
        help_text="JPEG、PNG、WebP 照片或 PDF 文档，最多 5 个。",
    )
    answer = forms.IntegerField(label="验证问题", min_value=0, max_value=100)
    challenge = forms.CharField(widget=forms.HiddenInput)
    # A field people do not see (hidden by the style sheet); robots fill it in.
    website = forms.CharField(label="网址（请勿填写）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        question, token = new_challenge()
        self.question = question
        if not self.is_bound:
            self.initial["challenge"] = token
        self.fresh_token = token
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        if not _PHONE.match(phone):
            raise forms.ValidationError("请填写有效的联系电话（数字，可含“-”）。")
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError("提交未通过校验，请刷新页面后重新填写。")
        try:
            expected = signing.loads(
                data.get("challenge", ""), salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE
            )["a"]
        except (signing.BadSignature, KeyError, TypeError):
            self.add_error("answer", "验证问题已过期，请回答新的问题。")
        else:
            if data.get("answer") is not None and data["answer"] != expected:
                self.add_error("answer", "验证问题的答案不正确，请回答新的问题。")
        return data


class ObjectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理结果",
        choices=[(Objection.Status.UPHELD, "维持原结果"), (Objection.Status.CORRECTED, "更正结果")],
        widget=forms.RadioSelect,
    )
    corrected_label = forms.CharField(
        label="更正后的检查结果",
        max_length=300,
        required=False,
        help_text="选择“更正结果”时填写，公开显示在原结果旁。",
    )
    reason = forms.CharField(
        label="处理理由", widget=forms.Textarea(attrs={"rows": 4}), help_text="向社会公开，请勿填写个人信息。"
    )
