"""The department's side of 一公开: its publications (pending, published, late), the
head's publish action, and the objections to its published results."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from disclosure import selectors, services
from disclosure.forms import ObjectionDecisionForm
from disclosure.models import Objection, ResultPublication
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.roles import Role
from plans.views import apply_errors

READERS = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)
STATES = [("", "全部"), ("pending", "待公开"), ("late", "逾期"), ("published", "已公开")]


def _publication(request: HttpRequest, pk: int) -> ResultPublication:
    publication = selectors.publications_for(request.user).filter(pk=pk).first()
    if publication is None:
        raise Http404("没有找到该检查结果公开。")
    return publication


@role_required(*READERS)
@require_GET
def publication_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.publications_for(request.user)
    state = request.GET.get("state", "")
    if state not in dict(STATES):
        state = ""
    page = Paginator(selectors.publications_filtered(rows, state=state, today=today), 30).get_page(
        request.GET.get("page")
    )
    is_office = request.user.has_role(Role.OFFICE)
    context = {
        "page": page,
        "state": state,
        "states": STATES,
        "today": today,
        "counts": selectors.publication_counts(rows, today=today),
        "coverage": selectors.calendar_coverage(list(page), today=today),
        "late_by_department": selectors.late_by_department(today=today) if is_office else [],
        "is_office": is_office,
    }
    return render(request, "disclosure/staff/publication_list.html", context)


@role_required(*READERS)
@require_GET
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(request, pk)
    today = timezone.localdate()
    context = {
        "publication": publication,
        "results": services.publication_results(publication)
        .select_related("matter")
        .prefetch_related("codes")
        .order_by("matter__code"),
        "problems": services.publication_problems(publication),
        "may_publish": services.may_publish(request.user, publication),
        "is_late": publication.is_late(today),
        "coverage": selectors.calendar_coverage([publication], today=today),
        "rows": publication.rows.order_by("matter_code"),
    }
    return render(request, "disclosure/staff/publication_detail.html", context)


@role_required(Role.DEPT_HEAD)
@require_POST
def publication_publish(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(request, pk)
    try:
        services.publication_publish(actor=request.user, publication=publication)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "检查结果已向社会公开。")
    return redirect("publication-detail", pk=publication.pk)


@role_required(*READERS)
@require_GET
def objection_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.objections_for(request.user)
    status = request.GET.get("status", "")
    if status in Objection.Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-filed_at", "pk"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/staff/objection_list.html",
        {"page": page, "status": status, "statuses": Objection.Status.choices},
    )


def _objection(request: HttpRequest, pk: int) -> Objection:
    objection = selectors.objections_for(request.user).filter(pk=pk).first()
    if objection is None:
        raise Http404("没有找到该异议。")
    return objection


@role_required(*READERS)
def objection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objection = _objection(request, pk)
    may_decide = services.may_decide(request.user, objection)
    form = ObjectionDecisionForm(request.POST or None)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied("只有本部门负责人可以处理异议。")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.objection_decide(
                    actor=request.user,
                    objection=objection,
                    decision=data["decision"],
                    reason=data["reason"],
                    corrected_label=data["corrected_label"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "异议已处理。")
                return redirect("objection-detail", pk=objection.pk)
    context = {
        "objection": objection,
        "row": objection.published_result,
        "attachments": objection.attachments.all(),
        "may_decide": may_decide and objection.status == Objection.Status.FILED,
        "form": form,
    }
    return render(request, "disclosure/staff/objection_detail.html", context)


@role_required(*READERS)
@require_GET
def objection_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    objection = _objection(request, pk)
    attachment = get_object_or_404(objection.attachments, pk=attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
