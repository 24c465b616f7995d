"""Staff pages for case leads (个案线索)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspections import services_leads
from inspections.forms import (
    CaseCheckForm,
    LeadAssignForm,
    LeadCloseForm,
    LeadFilterForm,
    LeadForm,
    LeadGroupForm,
)
from inspections.models import CaseLead
from inspections.permissions import get_lead_for_user, is_department_user, may_assign_lead, visible_leads
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.roles import Role

DEPARTMENT_ROLES = (Role.DEPT_STAFF, Role.DEPT_HEAD)
READERS = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)


def _form_errors(form, error: ValidationError) -> None:  # type: ignore[no-untyped-def]
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@role_required(*READERS)
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET or None)
    leads = visible_leads(request.user).order_by("deadline", "number")
    status = ""
    if form.is_valid():
        data = form.cleaned_data
        status = data["status"]
        if data["source"]:
            leads = leads.filter(source=data["source"])
        if data["kind"]:
            leads = leads.filter(kind=data["kind"])
    if status == "all":
        pass
    elif status in CaseLead.Status.values:
        leads = leads.filter(status=status)
    else:
        leads = leads.filter(status__in=CaseLead.LIVE)
    page = Paginator(leads, 30).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "today": timezone.localdate(),
        "may_group": request.user.has_role(*DEPARTMENT_ROLES),
    }
    return render(request, "inspections/lead_list.html", context)


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def lead_create(request: HttpRequest) -> HttpResponse:
    office = request.user.has_role(Role.OFFICE) and not request.user.has_role(*DEPARTMENT_ROLES)
    form = LeadForm(
        request.POST or None,
        office=office,
        department_id=request.user.department_id,
        initial={"received_on": timezone.localdate(), "kind": CaseLead.Kind.GENERAL},
    )
    if request.method == "POST" and form.is_valid():
        try:
            lead = services_leads.lead_register(actor=request.user, data=form.lead_data())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"已登记线索 {lead.number}，办理期限 {lead.deadline:%Y-%m-%d}。")
            return redirect("lead-detail", pk=lead.pk)
    return render(request, "inspections/lead_form.html", {"form": form})


@role_required(*READERS)
@require_GET
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(user=request.user, pk=pk)
    handler = is_department_user(request.user, lead.department_id)
    office = request.user.has_role(Role.OFFICE)
    inspection = lead.task.inspections.first() if lead.task_id and lead.task.is_case else None
    context = {
        "lead": lead,
        "inspection": inspection,
        "handler": handler,
        # 举报人保密: the reporter's contact in full only for the handling department and the office.
        "may_see_reporter": handler or office,
        "may_assign": may_assign_lead(request.user, lead)
        and lead.status in (CaseLead.Status.REGISTERED, CaseLead.Status.ASSIGNED),
        "assign_form": LeadAssignForm(
            office=office,
            department=lead.department if not office else None,
            initial={"department": lead.department, "assignee": lead.assigned_to},
        ),
        "case_form": CaseCheckForm(
            department_id=lead.department_id, initial={"scheduled_date": timezone.localdate()}
        )
        if handler and lead.status == CaseLead.Status.ASSIGNED
        else None,
        "close_form": LeadCloseForm(),
        "today": timezone.localdate(),
        "matters": lead.matters.all(),
    }
    return render(request, "inspections/lead_detail.html", context)


@role_required(*READERS)
@require_POST
def lead_assign(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(user=request.user, pk=pk)
    if not may_assign_lead(request.user, lead):
        raise PermissionDenied("只有联席会议办公室或承办部门可以分派该线索。")
    office = request.user.has_role(Role.OFFICE)
    form = LeadAssignForm(request.POST, office=office, department=None if office else lead.department)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("lead-detail", pk=lead.pk)
    try:
        services_leads.lead_assign(
            actor=request.user,
            lead=lead,
            department=form.cleaned_data["department"],
            assignee=form.cleaned_data["assignee"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已分派给{form.cleaned_data['department'].short_name}。")
    # The office may have assigned the lead away from its own department's view.
    if visible_leads(request.user).filter(pk=lead.pk).exists():
        return redirect("lead-detail", pk=lead.pk)
    return redirect("lead-list")


@role_required(*DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def lead_case_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Handle a lead by a case check (个案检查): the department appoints the team."""
    lead = get_lead_for_user(user=request.user, pk=pk, change=True)
    form = CaseCheckForm(
        request.POST or None,
        department_id=lead.department_id,
        initial={"scheduled_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services_leads.lead_case_check(
                actor=request.user, lead=lead, data=form.case_check_data()
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"已安排个案检查 {inspection.task.code}，检查组可在“我的检查”中看到。")
            return redirect("inspection-detail", pk=inspection.pk)
    return render(request, "inspections/lead_case_check.html", {"lead": lead, "form": form})


@role_required(*DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def lead_group(request: HttpRequest) -> HttpResponse:
    """Gather the department's leads into a special random task (专项抽查)."""
    initial = {"leads": request.GET.getlist("lead")} if request.method == "GET" else None
    form = LeadGroupForm(request.POST or None, department_id=request.user.department_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = services_leads.leads_group(
                actor=request.user, leads=list(form.cleaned_data["leads"]), data=form.group_data()
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"已汇集为专项抽查任务 {task.code}，请核对抽取规则后公示抽取承诺。")
            return redirect("task-detail", pk=task.pk)
    return render(request, "inspections/lead_group.html", {"form": form})


@role_required(*DEPARTMENT_ROLES)
@require_POST
def lead_close(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(user=request.user, pk=pk, change=True)
    form = LeadCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请写明办理结果。")
        return redirect("lead-detail", pk=lead.pk)
    try:
        services_leads.lead_close(actor=request.user, lead=lead, outcome=form.cleaned_data["outcome"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"线索 {lead.number} 已办结。")
    return redirect("lead-detail", pk=lead.pk)
