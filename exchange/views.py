"""The office's exchange page (/work/exchange/): what went, what came, what failed."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from exchange import layouts, selectors, services, transport
from exchange.forms import ExportForm, ItemFilterForm, UploadForm
from exchange.models import ExchangeItem, InboundFile
from exchange.permissions import get_inbound_for_user, get_item_for_user
from luozhuang_dsj import exports
from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.jobs import job_create
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.roles import Role


def _home_context(request: HttpRequest, upload_form: UploadForm | None = None) -> dict:
    filters = ItemFilterForm(request.GET or None, auto_id="filter_%s")  # one page, three forms: distinct ids
    status = kind = ""
    if filters.is_valid():
        status, kind = filters.cleaned_data["status"], filters.cleaned_data["kind"]
    page = Paginator(selectors.outbox_items(status=status, kind=kind), 30).get_page(request.GET.get("page"))
    return {
        "filters": filters,
        "page": page,
        "counts": selectors.outbox_counts(),
        "runs": selectors.recent_runs(),
        "inbound": selectors.recent_inbound(),
        "transport": transport.describe(),
        "inbox": settings.EXCHANGE_INBOX_DIR,
        "upload_form": upload_form or UploadForm(),
        "export_form": ExportForm(auto_id="export_%s"),
        "layouts": ExchangeItem.Kind.choices,
    }


@role_required(Role.OFFICE)
@require_GET
def exchange_home(request: HttpRequest) -> HttpResponse:
    return render(request, "exchange/home.html", _home_context(request))


@role_required(Role.OFFICE)
@require_POST
def exchange_run_start(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        job = job_create(kind="exchange.run", title="与省工作平台交换数据", actor=request.user)
    return redirect("job-detail", job.pk)


@role_required(Role.OFFICE)
@require_GET
def exchange_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_item_for_user(user=request.user, pk=pk)
    context = {
        "item": item,
        "envelope": json.dumps(services.envelope(item), ensure_ascii=False, indent=2, sort_keys=True),
    }
    return render(request, "exchange/item_detail.html", context)


@role_required(Role.OFFICE)
@require_POST
def exchange_item_retry(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_item_for_user(user=request.user, pk=pk)
    try:
        services.exchange_item_retry(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(
            request, f"{item.get_kind_display()}“{item.key}”已重新排入发送队列，将在下次交换时发送。"
        )
    return redirect("exchange-item", item.pk)


@role_required(Role.OFFICE)
@require_GET
def exchange_inbound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inbound = get_inbound_for_user(user=request.user, pk=pk)
    return render(request, "exchange/inbound_detail.html", {"inbound": inbound})


@role_required(Role.OFFICE)
@require_POST
def exchange_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "exchange/home.html", _home_context(request, form), status=400)
    upload = form.cleaned_data["file"]
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    known = InboundFile.objects.filter(sha256=sha256).first()
    if known is not None:
        form.add_error(
            "file",
            f"同一文件已于{known.processed_at:%Y-%m-%d %H:%M}处理过（{known.get_status_display()}），不再重复处理。",
        )
        return render(request, "exchange/home.html", _home_context(request, form), status=400)
    # Under MEDIA_ROOT: the volume the web and worker containers share.
    folder = Path(settings.MEDIA_ROOT) / "exchange" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(upload.name).name
    path = folder / f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:10]}"
    with open(path, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    kind = form.cleaned_data["kind"]
    with transaction.atomic():
        job = job_create(
            kind="exchange.receive",
            title=f"接收{InboundFile.Kind(kind).label}：{name}",
            actor=request.user,
            params={"kind": kind, "path": str(path), "filename": name, "sha256": sha256},
        )
    return redirect("job-detail", job.pk)


@role_required(Role.OFFICE)
@require_POST
def exchange_export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择要导出的数据类型，年度须为 2019—2100 之间的整数。")
        return redirect("exchange-home")
    key = layouts.LAYOUTS[form.cleaned_data["layout"]][0]
    year = form.cleaned_data["year"]
    fmt = request.POST.get("format", "xlsx")
    fmt = fmt if fmt in exports.FORMATS else "xlsx"
    params = {"year": str(year)} if year else {}
    with transaction.atomic():
        job = exports.export_start(actor=request.user, key=key, fmt=fmt, params=params)
        audit_record(
            action="exchange.export",
            actor=request.user,
            role=Role.OFFICE,
            object_type="省工作平台导入表",
            object_key=key,
            after={"format": fmt, "params": params, "job": str(job.pk)},
        )
    return redirect("job-detail", job.pk)
