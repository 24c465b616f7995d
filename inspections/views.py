"""Staff pages for tasks and their draws."""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspections import selectors, services
from inspections.forms import (
    AdjustForm,
    CancelForm,
    ExecuteForm,
    PrepareForm,
    SlotRuleForm,
    TaskFilterForm,
    TaskRulesForm,
)
from inspections.models import Draw, Task
from inspections.permissions import (
    get_draw_for_user,
    get_task_for_user,
    may_adjust_with_substitute,
    may_manage_task,
    may_read_full_record,
    visible_tasks,
)
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.roles import Role
from plans.forms import DepartmentRowForm, PlanItemForm, department_forms, item_data_from_forms
from plans.models import PlanItem
from plans.selectors import plan_items_in_force
from registry.models import Inspector

READERS = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)
DEPARTMENT_ROLES = (Role.DEPT_STAFF, Role.DEPT_HEAD)
_ROW_PREFIX = re.compile(r"initiator|participants-[0-9]{1,2}")


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@role_required(*READERS)
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    form = TaskFilterForm(request.GET or None)
    tasks = visible_tasks(request.user).order_by("-year", "code")
    if form.is_valid():
        if form.cleaned_data["year"]:
            tasks = tasks.filter(year=form.cleaned_data["year"])
        if form.cleaned_data["status"]:
            tasks = tasks.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            tasks = tasks.filter(kind=form.cleaned_data["kind"])
    page = Paginator(tasks, 30).get_page(request.GET.get("page"))
    may_create = request.user.has_role(*DEPARTMENT_ROLES)
    return render(
        request, "inspections/task_list.html", {"form": form, "page": page, "may_create": may_create}
    )


@role_required(*DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def task_from_plan(request: HttpRequest) -> HttpResponse:
    """Planned tasks of filed plans that this department initiates and has not started."""
    items = (
        plan_items_in_force()
        .filter(initiator=request.user.department, tasks__isnull=True)
        .select_related("plan")
        .order_by("start_date", "plan__year", "position")
    )
    if request.method == "POST":
        item = get_object_or_404(items, pk=request.POST.get("item"))
        try:
            task = services.task_create_from_plan_item(actor=request.user, plan_item=item)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, f"已生成抽查任务 {task.code}。请核对抽取规则后公示抽取承诺。")
            return redirect("task-detail", pk=task.pk)
    return render(request, "inspections/task_from_plan.html", {"items": items})


@role_required(*DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def task_create_special(request: HttpRequest) -> HttpResponse:
    """A special task (专项抽查) outside the annual plan, e.g. for a problem found by leads."""
    posted = request.POST if request.method == "POST" else None
    form = PlanItemForm(posted, initial={"form": PlanItem.Form.SPECIAL, "sampling": PlanItem.Sampling.RATIO})
    initiator_form, participant_forms = department_forms(
        posted, options_url=reverse("task-matter-options"), fixed_department=request.user.department
    )
    department_errors: list[str] = []
    # `&`, not `and`: every form is validated so that all errors show at once.
    if posted is not None and form.is_valid() & initiator_form.is_valid() & participant_forms.is_valid():
        try:
            task = services.task_create_special(
                actor=request.user, data=item_data_from_forms(form, initiator_form, participant_forms)
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                if name in form.fields:
                    form.add_error(name, errors)
                else:
                    department_errors.extend(errors)
        else:
            messages.success(request, f"已创建专项抽查任务 {task.code}。")
            return redirect("task-detail", pk=task.pk)
    context = {
        "form": form,
        "initiator_form": initiator_form,
        "participant_forms": participant_forms,
        "department_errors": department_errors,
        "heading": "新建专项抽查任务",
        "back_url": reverse("task-list"),
        "back_label": "抽查任务",
    }
    return render(request, "plans/plan_item_form.html", context)


@role_required(*DEPARTMENT_ROLES)
@require_GET
def task_matter_options(request: HttpRequest) -> HttpResponse:
    prefix = request.GET.get("prefix", "initiator")
    if not _ROW_PREFIX.fullmatch(prefix):
        raise Http404("参数不正确。")
    return render(
        request, "plans/snippets/matter_options.html", {"row": DepartmentRowForm(request.GET, prefix=prefix)}
    )


@role_required(*READERS)
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(user=request.user, pk=pk)
    draws = list(task.draws.order_by("-committed_at"))
    live = next((draw for draw in draws if draw.status != Draw.Status.CANCELLED), None)
    context = {
        "task": task,
        "rows": selectors.task_department_rows(task),
        "draws": draws,
        "live": live,
        "may_manage": may_manage_task(request.user, task),
        "prepare_form": PrepareForm(initial={"scheduled_for": _default_schedule()}),
        "joint_tasks": task.joint_visit_tasks.select_related("initiator").order_by("code"),
        "now": timezone.now(),
    }
    return render(request, "inspections/task_detail.html", context)


def _default_schedule() -> str:
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    return tomorrow.replace(hour=10, minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")


@role_required(*READERS)
@require_GET
def task_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The frame before committing: counts per stratum, sample sizes, exclusions, overlaps."""
    task = get_task_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    context = {
        "task": task,
        "preview": selectors.frame_preview(task, today=today),
        "overlaps": selectors.task_overlaps(task, today=today),
        "may_manage": may_manage_task(request.user, task),
        "risk_label": selectors.risk_label,
    }
    template = "inspections/snippets/preview.html" if request.htmx else "inspections/task_preview.html"
    return render(request, template, context)


@role_required(*DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def task_rules(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(user=request.user, pk=pk, change=True)
    rows = selectors.task_department_rows(task)
    posted = request.POST if request.method == "POST" else None
    slot_forms = [
        SlotRuleForm(
            posted,
            prefix=f"slot-{row.department.code}",
            initial={"inspector_count": row.inspector_count, "expertise": list(row.expertise.all())},
        )
        for row in rows
    ]
    form = TaskRulesForm(
        posted,
        initial={
            "expert_count": task.expert_count,
            "expert_expertise": list(task.expert_expertise.all()),
            "exclusion_months": task.exclusion_months,
            "batch_size": task.batch_size,
        },
    )
    errors: list[str] = []
    if posted is not None and form.is_valid() & all([slot.is_valid() for slot in slot_forms]):  # noqa: C419 - validate every form
        try:
            services.task_set_rules(
                actor=request.user,
                task=task,
                slots=[
                    services.SlotRule(
                        department_id=row.department_id,
                        inspector_count=slot.cleaned_data["inspector_count"],
                        expertise=list(slot.cleaned_data["expertise"]),
                    )
                    for row, slot in zip(rows, slot_forms, strict=True)
                ],
                expert_count=form.cleaned_data["expert_count"],
                expert_expertise=list(form.cleaned_data["expert_expertise"]),
                exclusion_months=form.cleaned_data["exclusion_months"],
                batch_size=form.cleaned_data["batch_size"],
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, "已保存抽取规则。")
            return redirect("task-detail", pk=task.pk)
    context = {
        "task": task,
        "form": form,
        "slots": list(zip(rows, slot_forms, strict=True)),
        "errors": errors,
    }
    return render(request, "inspections/task_rules.html", context)


@role_required(*DEPARTMENT_ROLES)
@require_POST
def task_join_visits(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(user=request.user, pk=pk, change=True)
    other = get_object_or_404(Task, pk=request.POST.get("other"))
    try:
        services.task_join_visits(actor=request.user, task=task, other=other)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, f"已与任务 {other.code} 合并上门检查：两个任务都抽中的对象只上门一次。")
    return redirect("task-detail", pk=task.pk)


@role_required(*DEPARTMENT_ROLES)
@require_POST
def draw_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(user=request.user, pk=pk, change=True)
    form = PrepareForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("task-detail", pk=task.pk)
    try:
        draw = services.draw_prepare(
            actor=request.user, task=task, scheduled_for=form.cleaned_data["scheduled_for"]
        )
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("task-detail", pk=task.pk)
    messages.success(request, "抽取承诺已生成并公示。到计划抽取时间后，在见证下录入见证输入并执行抽取。")
    return redirect("draw-detail", pk=draw.pk)


@role_required(*READERS)
@require_GET
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_draw_for_user(user=request.user, pk=pk)
    teams = _team_rows(draw) if draw.status == Draw.Status.EXECUTED else []
    context = {
        "draw": draw,
        "task": draw.task,
        "teams": teams,
        "adjustments": draw.adjustments.select_related("by").order_by("position"),
        "may_manage": may_manage_task(request.user, draw.task),
        "may_read_full": may_read_full_record(request.user),
        "may_adjust": may_manage_task(request.user, draw.task) or may_adjust_with_substitute(request.user),
        "execute_form": ExecuteForm(),
        "cancel_form": CancelForm(),
        "now": timezone.now(),
        "risk_label": selectors.risk_label,
    }
    return render(request, "inspections/draw_detail.html", context)


def _team_rows(draw: Draw) -> list[dict]:
    """The drawn targets in ticket order, each with the team serving now (adjusted)."""
    inspections = (
        draw.inspections.select_related("target")
        .prefetch_related("assignments__inspector", "assignments__department")
        .order_by("position")
    )
    rows = []
    for inspection in inspections:
        serving = [assignment for assignment in inspection.assignments.all() if assignment.is_active]
        rows.append({"inspection": inspection, "serving": serving})
    return rows


@role_required(*DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def draw_execute(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_draw_for_user(user=request.user, pk=pk, change=True)
    form = ExecuteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.draw_execute(
                actor=request.user,
                draw=draw,
                witness_input=form.cleaned_data["witness_input"],
                witness_source=form.cleaned_data["witness_source"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                _error_messages(request, error)
                return redirect("draw-detail", pk=draw.pk)
        else:
            return redirect("job-detail", pk=job.pk)
    return render(request, "inspections/draw_execute.html", {"draw": draw, "task": draw.task, "form": form})


@role_required(*DEPARTMENT_ROLES)
@require_POST
def draw_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_draw_for_user(user=request.user, pk=pk, change=True)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "取消抽取必须写明理由，理由将向社会公开。")
        return redirect("draw-detail", pk=draw.pk)
    try:
        services.draw_cancel(actor=request.user, draw=draw, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("draw-detail", pk=draw.pk)
    messages.success(request, "抽取已取消，取消理由已公开。可重新公示抽取承诺。")
    return redirect("task-detail", pk=draw.task_id)


@role_required(Role.OFFICE, *DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def draw_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_draw_for_user(user=request.user, pk=pk, change=True)
    if draw.status != Draw.Status.EXECUTED:
        raise Http404("只有已执行的抽取可以调整检查人员。")
    rows = _team_rows(draw)
    targets = [
        (row["inspection"].target.code, f"{row['inspection'].target.name}（{row['inspection'].target.code}）")
        for row in rows
    ]
    inspectors = sorted(
        {
            (assignment.inspector.code, f"{assignment.inspector.name}（{assignment.inspector.code}）")
            for row in rows
            for assignment in row["serving"]
        }
    )
    form = AdjustForm(request.POST or None, targets=targets, inspectors=inspectors)
    if not may_adjust_with_substitute(request.user):
        form.fields["substitute"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            adjustment = services.draw_adjust(
                actor=request.user,
                draw=draw,
                target_key=form.cleaned_data["target"],
                inspector_out=form.cleaned_data["inspector_out"],
                reason=form.cleaned_data["reason"],
                substitute=form.cleaned_data.get("substitute") or None,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            name = Inspector.objects.get(code=adjustment.inspector_in).name
            messages.success(
                request, f"已调整：{adjustment.inspector_out} 由 {name}（{adjustment.inspector_in}）替换。"
            )
            return redirect("draw-detail", pk=draw.pk)
    return render(request, "inspections/draw_adjust.html", {"draw": draw, "task": draw.task, "form": form})


def _record_response(draw: Draw) -> HttpResponse:
    response = HttpResponse(
        selectors.record_json(selectors.draw_record(draw)), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="record-{draw.task.code}-full.json"'
    return response


def _pool_response(draw: Draw) -> FileResponse:
    return FileResponse(
        draw.pool_file.open("rb"),
        as_attachment=True,
        filename=f"pool-{draw.task.code}.jsonl",
        content_type="application/x-ndjson; charset=utf-8",
    )


# The full record and the pool file name inspectors: the office and the auditors get them;
# the auditors through their own pages (三员分立: no page is shared with business roles).


@role_required(Role.OFFICE)
@require_GET
def draw_full_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_response(get_draw_for_user(user=request.user, pk=pk))


@role_required(Role.OFFICE)
@require_GET
def draw_pool(request: HttpRequest, pk: int) -> FileResponse:
    return _pool_response(get_draw_for_user(user=request.user, pk=pk))


@role_required(Role.AUDITOR)
@require_GET
def audit_draw_list(request: HttpRequest) -> HttpResponse:
    draws = Draw.objects.select_related("task", "task__initiator").order_by("-committed_at")
    page = Paginator(draws, 50).get_page(request.GET.get("page"))
    return render(request, "inspections/audit_draw_list.html", {"page": page})


@role_required(Role.AUDITOR)
@require_GET
def audit_draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_draw_for_user(user=request.user, pk=pk)
    context = {
        "draw": draw,
        "task": draw.task,
        "adjustments": draw.adjustments.select_related("by").order_by("position"),
        "risk_label": selectors.risk_label,
    }
    return render(request, "inspections/audit_draw_detail.html", context)


@role_required(Role.AUDITOR)
@require_GET
def audit_draw_full_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_response(get_draw_for_user(user=request.user, pk=pk))


@role_required(Role.AUDITOR)
@require_GET
def audit_draw_pool(request: HttpRequest, pk: int) -> FileResponse:
    return _pool_response(get_draw_for_user(user=request.user, pk=pk))
