"""The browser side of imports and exports, shared by every app.

An app's own view checks who may import what (its `role_required` and object access),
then hands over to `import_upload_page`; the preview, confirm and cancel pages here work
for every registered import and are open to the roles that import lists at all
(`imports.IMPORT_ROLES`); a batch is then found only by its schema's rule. `export_request` does the same for exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from luozhuang_dsj import exports, imports
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.pagination import CappedPaginator
from luozhuang_dsj.lib.spreadsheets import MACRO_SUFFIXES, READABLE_SUFFIXES
from luozhuang_dsj.models import ImportBatch, User


class UploadForm(forms.Form):
    file = forms.FileField(
        label="电子表格文件",
        help_text="支持 .xlsx、.xls（WPS 或旧版 Excel）、.ods（LibreOffice）和 .csv（UTF-8 或 GBK 编码）。",
        error_messages={"required": "请选择要上传的文件。", "empty": "上传的文件是空的。"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
        if suffix in MACRO_SUFFIXES:
            raise forms.ValidationError(
                "文件含有宏（.xlsm 等启用宏的格式），为安全起见不予接收。请另存为 .xlsx 后上传。"
            )
        if suffix not in READABLE_SUFFIXES:
            raise forms.ValidationError("不支持的文件类型。请上传 .xlsx、.xls、.ods 或 .csv 文件。")
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"文件过大：{upload.size / 1024 / 1024:.1f} MB，上限为 {settings.UPLOAD_MAX_BYTES / 1024 / 1024:.1f} MB。"
            )
        return upload


def import_upload_page(
    request: HttpRequest,
    *,
    schema_key: str,
    params: dict[str, Any],
    back_url: str,
    heading: str | None = None,
    extra_form: forms.Form | None = None,
) -> HttpResponse:
    """Render the upload form and start the validation job on POST. The caller checked access."""
    schema = imports.get_schema(schema_key)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and (extra_form is None or extra_form.is_valid()):
        if extra_form is not None:
            params = {**params, **extra_form.cleaned_data}
        upload = form.cleaned_data["file"]
        batch = imports.import_upload(
            actor=request.user, schema=schema, uploaded=upload, filename=upload.name, params=params
        )
        return redirect("job-detail", batch.validate_job_id)
    recent = ImportBatch.objects.filter(kind=schema_key, department=request.user.department).order_by(
        "-created_at"
    )[:10]
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            "extra_form": extra_form,
            "schema": schema,
            "heading": heading or f"导入{schema.describe(params)}",
            "back_url": back_url,
            "recent": [batch for batch in recent if schema.may_use(request.user, batch.params)],
            "max_megabytes": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        },
    )


def get_import_batch_for_user(*, user: User, pk: str) -> ImportBatch:
    """A batch is visible to the users of its department who may run that import."""
    batch = (
        ImportBatch.objects.filter(pk=pk, department_id=user.department_id)
        .select_related("created_by")
        .first()
    )
    if batch is None:
        raise Http404("没有找到该导入批次。")
    try:
        schema = imports.get_schema(batch.kind)
    except LookupError:
        raise Http404("没有找到该导入批次。") from None
    if not schema.may_use(user, batch.params):
        raise Http404("没有找到该导入批次。")
    return batch


@role_required(*imports.IMPORT_ROLES)
def import_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The preview: every bad row, and what applying would create or change."""
    batch = get_import_batch_for_user(user=request.user, pk=pk)
    schema = imports.get_schema(batch.kind)
    issues = CappedPaginator(batch.issues.all(), 100).get_page(request.GET.get("page"))
    report = batch.report or {}
    plan = report.get("plan") or {}
    order = report.get("count_order") or ()
    return render(
        request,
        "imports/detail.html",
        {
            "batch": batch,
            "schema": schema,
            "page": issues,
            "plan": plan,
            "report": report,
            "plan_counts": _in_order(plan.get("counts") or {}, order),
            "outcome_counts": _in_order((batch.outcome or {}).get("counts") or {}, order),
        },
    )


def _in_order(counts: dict[str, Any], order: Sequence[str]) -> list[tuple[str, Any]]:
    """Counts in the order the schema gave them (stored as jsonb, the dict lost it)."""
    return [(key, counts[key]) for key in order if key in counts] + [
        (key, value) for key, value in counts.items() if key not in order
    ]


@role_required(*imports.IMPORT_ROLES)
@require_POST
def import_confirm_view(request: HttpRequest, pk: str) -> HttpResponse:
    batch = get_import_batch_for_user(user=request.user, pk=pk)
    try:
        job = imports.import_confirm(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("import-detail", batch.pk)
    return redirect("job-detail", job.pk)


@role_required(*imports.IMPORT_ROLES)
@require_POST
def import_cancel_view(request: HttpRequest, pk: str) -> HttpResponse:
    batch = get_import_batch_for_user(user=request.user, pk=pk)
    try:
        imports.import_cancel(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已取消该导入批次，数据库未作任何改动。")
    return redirect("import-detail", batch.pk)


@role_required(*imports.IMPORT_ROLES)
def import_original_file(request: HttpRequest, pk: str) -> HttpResponse:
    from django.http import FileResponse

    batch = get_import_batch_for_user(user=request.user, pk=pk)
    return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.original_filename)


@role_required(*imports.IMPORT_ROLES)
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    try:
        schema = imports.get_schema(kind)
    except LookupError:
        raise Http404("没有这种导入模板。") from None
    if not schema.may_use(request.user, {}):
        raise Http404("没有这种导入模板。")
    response = HttpResponse(
        imports.template_workbook(schema),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(schema.title + '导入模板.xlsx')}"
    return response


@role_required(*imports.IMPORT_ROLES)
def import_history(request: HttpRequest) -> HttpResponse:
    batches = ImportBatch.objects.filter(department_id=request.user.department_id).select_related(
        "created_by"
    )
    visible = []
    for batch in batches[:500]:
        try:
            schema = imports.get_schema(batch.kind)
        except LookupError:
            continue
        if schema.may_use(request.user, batch.params):
            visible.append(batch)
    page = CappedPaginator(visible, 50).get_page(request.GET.get("page"))
    return render(request, "imports/history.html", {"page": page})


def export_request(request: HttpRequest, *, key: str, params: QueryDict | dict[str, Any]) -> HttpResponse:
    """Start an export of a list with the filters the user sees. The caller checked access."""
    fmt = request.POST.get("format", "xlsx")
    if fmt not in exports.FORMATS:
        fmt = "xlsx"
    filters = {name: value for name, value in params.items() if name not in {"page", "format"}}
    if not exports.get_exporter(key).may_use(request.user, filters):
        raise Http404("没有找到该列表。")
    with transaction.atomic():
        job = exports.export_start(actor=request.user, key=key, fmt=fmt, params=filters)
        audit_record(
            action=f"{key.partition('.')[0]}.export",
            actor=request.user,
            role=request.user.primary_role or "",
            object_type="导出",
            object_key=key,
            after={"format": fmt, "filters": filters, "job": str(job.pk)},
        )
    return redirect("job-detail", job.pk)
