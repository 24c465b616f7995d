from __future__ import annotations

from django import forms
from django.conf import settings

from exchange.models import ExchangeItem, InboundFile


class ItemFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *ExchangeItem.Status.choices]
    )
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *ExchangeItem.Kind.choices])


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="文件类型", choices=InboundFile.Kind.choices)
    file = forms.FileField(
        label="省工作平台下发的文件",
        help_text="Excel（.xlsx、.xls、.xlsb）、.ods 或 .csv；表头与“导入检查对象”“导入省级清单”的模板相同。",
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(f"文件不能超过 {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB。")
        return upload


class ExportForm(forms.Form):
    layout = forms.ChoiceField(label="数据类型", choices=ExchangeItem.Kind.choices)
    year = forms.IntegerField(
        label="年度", required=False, min_value=2019, max_value=2100, help_text="不填则导出全部年度"
    )
