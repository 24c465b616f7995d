"""Staff pages for follow-up (后续处置) and the hand-off queue (移交接收)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspections import selectors, services_followups
from inspections.forms import FollowUpCloseForm, FollowUpForm, ReasonForm, RecheckForm
from inspections.models import FollowUp
from inspections.permissions import get_follow_up_for_user, get_result_for_user, is_department_user
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.deadlines import deadline_after
from luozhuang_dsj.lib.roles import Role

DEPARTMENT_ROLES = (Role.DEPT_STAFF, Role.DEPT_HEAD)
READERS = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)


def _form_errors(form, error: ValidationError) -> None:  # type: ignore[no-untyped-def]
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _flagged(follow_ups, today):  # type: ignore[no-untyped-def]
    rows = list(follow_ups)
    for follow_up in rows:
        follow_up.overdue = follow_up.is_overdue(today)
    return rows


@role_required(*DEPARTMENT_ROLES)
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """The department's follow-up queue: findings waiting for a measure, measures under way
    (overdue first flagged), hand-offs it sent, returned hand-offs, and what is done."""
    today = timezone.localdate()
    department_id = request.user.department_id
    queue = selectors.follow_up_queue(department_id, today=today)
    done = Paginator(queue["done"], 20).get_page(request.GET.get("page"))
    context = {
        "awaiting": list(selectors.results_awaiting_follow_up(department_id)[:100]),
        "open": _flagged(queue["open"][:200], today),
        "handed_out": _flagged(queue["handed_out"][:100], today),
        "returned": list(queue["returned"][:50]),
        "done": done,
        "incoming": selectors.handover_queue(department_id).count(),
        "today": today,
    }
    return render(request, "inspections/follow_up_list.html", context)


@role_required(*DEPARTMENT_ROLES)
@require_GET
def handover_list(request: HttpRequest) -> HttpResponse:
    """移交接收: hand-offs other departments sent to this one, to accept or return."""
    today = timezone.localdate()
    context = {
        "handovers": _flagged(selectors.handover_queue(request.user.department_id), today),
        "today": today,
    }
    return render(request, "inspections/handover_list.html", context)


@role_required(*DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_result_for_user(user=request.user, pk=pk)
    if not is_department_user(request.user, result.department_id):
        raise PermissionDenied("只有发现问题的部门可以登记后续处置。")
    today = timezone.localdate()
    form = FollowUpForm(
        request.POST or None,
        department_id=result.department_id,
        initial={
            "kind": FollowUp.Kind.CORRECTION,
            "deadline": deadline_after(today, services_followups.CORRECTION_DEFAULT_DAYS),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            follow_up = services_followups.follow_up_create(
                actor=request.user, result=result, data=form.follow_up_data()
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if follow_up.kind == FollowUp.Kind.HANDOVER:
                messages.success(request, f"已移交{follow_up.department.short_name}，待其接收。")
            else:
                messages.success(request, f"已登记后续处置：{follow_up.get_kind_display()}。")
            return redirect("follow-up-detail", pk=follow_up.pk)
    return render(request, "inspections/follow_up_form.html", {"result": result, "form": form})


@role_required(*READERS)
@require_GET
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_follow_up_for_user(user=request.user, pk=pk)
    may_handle = is_department_user(request.user, follow_up.department_id)
    today = timezone.localdate()
    context = {
        "follow_up": follow_up,
        "result": follow_up.result,
        "may_handle": may_handle,
        "overdue": follow_up.is_overdue(today),
        "recheck_form": RecheckForm(initial={"recheck_on": today}),
        "close_form": FollowUpCloseForm(initial={"document_number": follow_up.document_number}),
        "return_form": ReasonForm(label="退回理由"),
        "today": today,
    }
    return render(request, "inspections/follow_up_detail.html", context)


def _done(request: HttpRequest, follow_up: FollowUp, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("follow-up-detail", pk=follow_up.pk)


def _refused(request: HttpRequest, follow_up: FollowUp, error: ValidationError) -> HttpResponse:
    for message in error.messages:
        messages.error(request, message)
    return redirect("follow-up-detail", pk=follow_up.pk)


@role_required(*DEPARTMENT_ROLES)
@require_POST
def follow_up_accept(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_follow_up_for_user(user=request.user, pk=pk, change=True)
    try:
        services_followups.follow_up_accept(actor=request.user, follow_up=follow_up)
    except ValidationError as error:
        return _refused(request, follow_up, error)
    return _done(request, follow_up, "已接收该移交，请依法办理。")


@role_required(*DEPARTMENT_ROLES)
@require_POST
def follow_up_return(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_follow_up_for_user(user=request.user, pk=pk, change=True)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(request, follow_up, ValidationError("退回移交须写明理由。"))
    try:
        services_followups.follow_up_return(
            actor=request.user, follow_up=follow_up, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        return _refused(request, follow_up, error)
    messages.success(request, f"已退回{follow_up.origin_department.short_name}。")
    return redirect("handover-list")


@role_required(*DEPARTMENT_ROLES)
@require_POST
def follow_up_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_follow_up_for_user(user=request.user, pk=pk, change=True)
    form = RecheckForm(request.POST)
    if not form.is_valid():
        return _refused(request, follow_up, ValidationError("请填写复查日期、复查结论和复查情况。"))
    try:
        services_followups.follow_up_recheck(
            actor=request.user,
            follow_up=follow_up,
            recheck_on=form.cleaned_data["recheck_on"],
            corrected=form.cleaned_data["corrected"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        return _refused(request, follow_up, error)
    return _done(request, follow_up, "已登记复查结果。")


@role_required(*DEPARTMENT_ROLES)
@require_POST
def follow_up_close(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_follow_up_for_user(user=request.user, pk=pk, change=True)
    form = FollowUpCloseForm(request.POST)
    if not form.is_valid():
        return _refused(request, follow_up, ValidationError("请写明办结情况。"))
    try:
        services_followups.follow_up_close(
            actor=request.user,
            follow_up=follow_up,
            outcome=form.cleaned_data["outcome"],
            document_number=form.cleaned_data["document_number"],
        )
    except ValidationError as error:
        return _refused(request, follow_up, error)
    return _done(request, follow_up, "已办结。")
