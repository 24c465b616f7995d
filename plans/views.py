"""Staff pages for the provincial list, matter lists, the no-penalty list and plans."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from luozhuang_dsj.import_views import import_upload_page
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.roles import Role
from plans import permissions as perms
from plans import selectors, services
from plans.exports import (
    XLSX_CONTENT_TYPE,
    matter_list_workbook,
    plan_workbook,
    revision_line,
    working_copy_line,
)
from plans.forms import (
    ApproveForm,
    CatalogImportForm,
    DepartmentRowForm,
    ExemptionForm,
    MatterForm,
    PlanCreateForm,
    PlanHeaderForm,
    PlanItemForm,
    PublishForm,
    ReasonForm,
    ReturnForm,
    department_forms,
    item_data_from_forms,
)
from plans.importing import parse_ratio_text
from plans.imports import CATALOG_IMPORT, EXEMPTION_IMPORT
from plans.models import (
    AnnualPlan,
    CatalogEdition,
    CatalogItem,
    ExemptionItem,
    MatterCategory,
    PlanItem,
)
from plans.permissions import PLANNING_ROLES
from plans.services import MatterData
from plans.snapshots import matter_list_records, plan_snapshot
from registry.models import Department

DEPARTMENT_ROLES = (Role.DEPT_STAFF, Role.DEPT_HEAD)


def apply_errors(form: django_forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where there is one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# ---- the provincial list ------------------------------------------------------------------------


@role_required(*PLANNING_ROLES)
def catalog_editions(request: HttpRequest) -> HttpResponse:
    editions = CatalogEdition.objects.annotate(item_count=Count("items")).order_by("-number")
    context = {"editions": editions, "may_import": perms.is_office(request.user)}
    return render(request, "plans/catalog_editions.html", context)


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def catalog_import(request: HttpRequest) -> HttpResponse:
    return import_upload_page(
        request,
        schema_key=CATALOG_IMPORT,
        params={},
        back_url=reverse("catalog-editions"),
        heading="导入新一版全省统一的随机抽查事项清单",
        extra_form=CatalogImportForm(request.POST or None),
    )


@role_required(*PLANNING_ROLES)
def catalog_edition_detail(request: HttpRequest, number: int) -> HttpResponse:
    edition = get_object_or_404(CatalogEdition, number=number)
    items = edition.items.all()
    query = request.GET.get("q", "").strip()
    if query:
        items = items.filter(
            Q(name__icontains=query) | Q(check_type__icontains=query) | Q(inspecting_body__icontains=query)
        )
    context = {
        "edition": edition,
        "items": items,
        "query": query,
        "changes": selectors.catalog_edition_changes(edition),
    }
    return render(request, "plans/catalog_edition.html", context)


# ---- department matter lists --------------------------------------------------------------------


def _own_department(request: HttpRequest) -> Department:
    department = request.user.department
    perms.require(
        perms.may_edit_matters(request.user, department), "只有部门工作人员可以维护本部门的抽查事项清单。"
    )
    return department


@role_required(*PLANNING_ROLES)
def matter_list(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """A department's list: one's own, or (for the office) any department's, read-only."""
    if code is None and not perms.is_department_member(request.user, request.user.department):
        return redirect("matter-departments")
    department = perms.get_department_for_matters(user=request.user, code=code)
    show_withdrawn = request.GET.get("withdrawn") == "1"
    latest = department.matter_list_versions.order_by("-number").first()
    records = matter_list_records(selectors.matter_list(department))
    context = {
        "department": department,
        "matters": selectors.matter_list(department, include_withdrawn=show_withdrawn),
        "show_withdrawn": show_withdrawn,
        "may_edit": perms.may_edit_matters(request.user, department),
        "may_publish": perms.may_publish_matter_list(request.user, department),
        "versions": department.matter_list_versions.order_by("-number"),
        "unpublished_changes": latest is None or latest.matters != records,
        "publish_form": PublishForm(),
        "is_office": perms.is_office(request.user),
    }
    return render(request, "plans/matter_list.html", context)


@role_required(Role.OFFICE)
def matter_departments(request: HttpRequest) -> HttpResponse:
    """The office's view of every department's list and its publication."""
    departments = Department.objects.filter(is_active=True).annotate(
        matter_count=Count("matters", filter=Q(matters__is_active=True)),
        version_count=Count("matter_list_versions", distinct=True),
    )
    latest = {version.department_id: version for version in selectors.latest_matter_list_versions()}
    rows = [
        (department, latest.get(department.pk)) for department in departments.order_by("-is_office", "code")
    ]
    return render(request, "plans/matter_departments.html", {"rows": rows})


@role_required(*DEPARTMENT_ROLES)
def matter_compare(request: HttpRequest) -> HttpResponse:
    """比对: the current provincial list against the department's claims."""
    department = _own_department(request)
    rows = selectors.department_catalog_comparison(department)
    show_all = request.GET.get("all") == "1"
    visible = [row for row in rows if show_all or row.concerns_department or row.status != "unclaimed"]
    context = {
        "department": department,
        "rows": visible,
        "hidden": len(rows) - len(visible),
        "show_all": show_all,
        "edition": services.current_catalog_edition(),
    }
    return render(request, "plans/matter_compare.html", context)


def _matter_data(form: MatterForm) -> MatterData:
    data = form.cleaned_data
    return MatterData(
        check_type=data["check_type"],
        name=data["name"],
        target_scope=data["target_scope"],
        category=data["category"],
        ratio_cap=data["ratio_cap"],
        default_ratio=data["default_ratio"],
        frequency=data["frequency"],
        methods=list(data["methods"]),
        inspecting_body=data["inspecting_body"],
        legal_basis=data["legal_basis"],
        note=data["note"],
        expertise=list(data["expertise"]),
    )


def _matter_initial(data: MatterData) -> dict[str, Any]:
    return {name: getattr(data, name) for name in services.MATTER_TEXT_FIELDS} | {"expertise": data.expertise}


@role_required(*DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def matter_claim(request: HttpRequest, item_pk: int) -> HttpResponse:
    department = _own_department(request)
    edition = services.current_catalog_edition()
    item = get_object_or_404(CatalogItem, pk=item_pk, edition=edition)
    hint = parse_ratio_text(item.ratio_frequency)
    cap = hint.cap if item.category == MatterCategory.GENERAL else None
    initial = _matter_initial(
        MatterData.from_catalog(
            item, ratio_cap=cap, default_ratio=cap or hint.minimum, frequency=hint.frequency or "每年1次"
        )
    )
    form = MatterForm(
        request.POST or None,
        initial=initial,
        reason_label="调整理由",
        reason_help="认领时改动了省级清单的内容（事项名称、检查对象、类别、方式、主体、依据）须说明理由",
    )
    if request.method == "POST" and form.is_valid():
        try:
            matter = services.matter_claim(
                actor=request.user,
                department=department,
                catalog_item=item,
                data=_matter_data(form),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已认领“{matter.name}”，编号 {matter.code}。")
            return redirect("matter-compare")
    return render(
        request, "plans/matter_form.html", {"form": form, "item": item, "mode": "claim", "hint": hint}
    )


@role_required(*DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def matter_add_local(request: HttpRequest) -> HttpResponse:
    department = _own_department(request)
    form = MatterForm(
        request.POST or None,
        initial={"inspecting_body": department.short_name, "frequency": "每年1次"},
        reason_label="增设理由",
        reason_help="说明省级清单未涵盖、需要本地增设的原因和依据",
    )
    form.fields["reason"].required = True
    if request.method == "POST" and form.is_valid():
        try:
            matter = services.matter_add_local(
                actor=request.user,
                department=department,
                data=_matter_data(form),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已增设本地事项“{matter.name}”，编号 {matter.code}。")
            return redirect("matter-detail", pk=matter.pk)
    return render(request, "plans/matter_form.html", {"form": form, "mode": "local"})


@role_required(*PLANNING_ROLES)
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    matter = perms.get_matter_for_user(user=request.user, pk=pk)
    current = services.current_catalog_edition()
    newer = None
    if matter.catalog_item and current and matter.catalog_item.edition_id != current.pk:
        newer = current.items.filter(key=matter.catalog_item.key).first()
    context = {
        "matter": matter,
        "changes": matter.changes.select_related("user"),
        "may_edit": perms.may_edit_matters(request.user, matter.department),
        "newer_item": newer,
        "reason_form": ReasonForm(),
        "over_cap": selectors.plan_items_over_cap(matter),
        "plan_items": PlanItem.objects.filter(departments__matters=matter)
        .select_related("plan")
        .order_by("-plan__year", "plan_id", "position"),
    }
    return render(request, "plans/matter_detail.html", context)


@role_required(*DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def matter_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    matter = perms.get_matter_for_user(user=request.user, pk=pk, change=True)
    form = MatterForm(
        request.POST or None,
        initial=_matter_initial(MatterData.from_matter(matter)),
        reason_label="调整理由",
        reason_help="说明为什么调整，保存后记入该事项的调整记录",
    )
    form.fields["reason"].required = True
    if request.method == "POST" and form.is_valid():
        try:
            services.matter_adjust(
                actor=request.user, matter=matter, data=_matter_data(form), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已调整“{matter.name}”。")
            over = selectors.plan_items_over_cap(matter)
            if over:
                messages.warning(
                    request, f"有 {len(over)} 项计划任务的抽查比例超过了新的上限，请相应调整计划。"
                )
            return redirect("matter-detail", pk=matter.pk)
    return render(request, "plans/matter_form.html", {"form": form, "matter": matter, "mode": "adjust"})


def _matter_reason_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    matter = perms.get_matter_for_user(user=request.user, pk=pk, change=True)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写理由。")
        return redirect("matter-detail", pk=matter.pk)
    try:
        action(actor=request.user, matter=matter, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done.format(name=matter.name))
    return redirect("matter-detail", pk=matter.pk)


@role_required(*DEPARTMENT_ROLES)
@require_POST
def matter_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _matter_reason_action(request, pk, services.matter_withdraw, "已将“{name}”移出本部门清单。")


@role_required(*DEPARTMENT_ROLES)
@require_POST
def matter_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _matter_reason_action(request, pk, services.matter_restore, "已将“{name}”恢复到本部门清单。")


@role_required(*DEPARTMENT_ROLES)
@require_POST
def matter_follow(request: HttpRequest, pk: int) -> HttpResponse:
    return _matter_reason_action(
        request, pk, services.matter_follow_catalog, "已按现行省级清单更新“{name}”。"
    )


@role_required(Role.DEPT_HEAD)
@require_POST
def matter_list_publish(request: HttpRequest) -> HttpResponse:
    department = request.user.department
    perms.require(
        perms.may_publish_matter_list(request.user, department),
        "只有本部门负责人可以公开本部门的抽查事项清单。",
    )
    form = PublishForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        version = services.matter_list_publish(actor=request.user, department=department, note=note)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"已公开本部门抽查事项清单第{version.number}版。")
    return redirect("matter-list")


@role_required(*PLANNING_ROLES)
def matter_list_version(request: HttpRequest, code: str, number: int) -> HttpResponse:
    department = perms.get_department_for_matters(user=request.user, code=code)
    version = get_object_or_404(department.matter_list_versions, number=number)
    context = {
        "department": department,
        "version": version,
        "changes": selectors.matter_list_version_changes(version),
        "versions": department.matter_list_versions.order_by("-number"),
    }
    return render(request, "plans/matter_list_version.html", context)


@role_required(*PLANNING_ROLES)
def matter_list_export(request: HttpRequest, code: str) -> HttpResponse:
    department = perms.get_department_for_matters(user=request.user, code=code)
    records = matter_list_records(selectors.matter_list(department))
    content = matter_list_workbook(
        title=f"{department.name}随机抽查事项清单",
        status_line=working_copy_line(),
        records=records,
    )
    filename = f"{department.short_name}随机抽查事项清单（工作稿）.xlsx"
    services.matter_list_export_record(actor=request.user, department=department, filename=filename)
    return xlsx_response(content, filename)


# ---- the no-penalty list -----------------------------------------------------------------------


@role_required(*PLANNING_ROLES)
def exemption_list(request: HttpRequest) -> HttpResponse:
    items = ExemptionItem.objects.select_related("department")
    if request.GET.get("inactive") != "1":
        items = items.filter(is_active=True)
    context = {
        "items": items.order_by("code"),
        "may_edit": perms.may_edit_exemptions(request.user),
        "show_inactive": request.GET.get("inactive") == "1",
    }
    return render(request, "plans/exemption_list.html", context)


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def exemption_import(request: HttpRequest) -> HttpResponse:
    return import_upload_page(
        request, schema_key=EXEMPTION_IMPORT, params={}, back_url=reverse("exemption-list")
    )


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def exemption_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    item = perms.get_exemption_for_user(user=request.user, pk=pk) if pk else None
    form = ExemptionForm(request.POST or None, initial=ExemptionForm.initial_for(item) if item else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.exemption_save(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已保存免罚清单事项 {saved.code}。")
            return redirect("exemption-list")
    return render(request, "plans/exemption_form.html", {"form": form, "item": item})


# ---- annual plans --------------------------------------------------------------------------------


@role_required(*PLANNING_ROLES)
def plan_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    plans = AnnualPlan.objects.select_related("department")
    own = Q(scope=AnnualPlan.Scope.DEPARTMENT, department=user.department)
    if not perms.is_department_member(user, user.department):
        own = Q(pk__in=[])
    if perms.is_office(user):
        visible = plans.filter(Q(scope=AnnualPlan.Scope.JOINT) | Q(status=AnnualPlan.Status.SUBMITTED) | own)
        awaiting = plans.filter(scope=AnnualPlan.Scope.DEPARTMENT, status=AnnualPlan.Status.SUBMITTED)
    else:
        visible = plans.filter(Q(scope=AnnualPlan.Scope.JOINT) | own)
        awaiting = plans.none()
    year = timezone.localdate().year
    context = {
        "plans": visible.order_by("-year", "scope", "department__code"),
        "awaiting": awaiting.order_by("submitted_at"),
        "may_create_joint": perms.is_office(user),
        "may_create_department": perms.is_department_member(user, user.department),
        "years": [year + 1, year, year - 1],
    }
    return render(request, "plans/plan_list.html", context)


@role_required(*PLANNING_ROLES)
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, scope: str) -> HttpResponse:
    if scope not in AnnualPlan.Scope.values:
        raise Http404("没有这种计划类型。")
    if scope == AnnualPlan.Scope.JOINT:
        perms.require(perms.is_office(request.user), "只有联席会议办公室可以制定区联合抽查年度计划。")
    else:
        perms.require(
            perms.is_department_member(request.user, request.user.department),
            "只有部门工作人员可以制定本部门年度计划。",
        )
    today = timezone.localdate()
    form = PlanCreateForm(
        request.POST or None, initial={"year": today.year + 1 if today.month >= 10 else today.year}
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, scope=scope, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已创建“{plan.title}”，请添加抽查任务。")
            return redirect("plan-detail", pk=plan.pk)
    return render(request, "plans/plan_create.html", {"form": form, "scope": AnnualPlan.Scope(scope)})


@role_required(Role.OFFICE)
def plan_filing(request: HttpRequest, year: int) -> HttpResponse:
    """Who has filed the year's department plan, who filed late, who has not filed."""
    rows = selectors.plan_filing_overview(year)
    context = {
        "year": year,
        "rows": rows,
        "due": AnnualPlan(year=year).due_date,
        "counts": {
            "filed": sum(row.state == "filed" for row in rows),
            "late": sum(row.is_late for row in rows),
            "overdue": sum(row.is_overdue for row in rows),
            "total": len(rows),
        },
    }
    return render(request, "plans/plan_filing.html", context)


@role_required(*PLANNING_ROLES)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_for_user(user=request.user, pk=pk)
    user = request.user
    items = list(
        plan.items.select_related("initiator")
        .prefetch_related("departments__department")
        .order_by("position")
    )
    may_edit = perms.may_edit_plan(user, plan)
    status = AnnualPlan.Status
    context = {
        "plan": plan,
        "items": [
            (item, services.plan_item_record(item), selectors.plan_item_frame_counts(item)) for item in items
        ],
        "may_edit": may_edit and plan.is_editable,
        "may_submit": perms.may_submit_plan(user, plan) and plan.status in AnnualPlan.EDITABLE,
        "may_review": perms.may_review_plan(user, plan) and plan.status == status.SUBMITTED,
        "may_approve": perms.may_approve_plan(user, plan) and plan.status == status.DRAFT,
        "may_publish": perms.may_publish_plan(user, plan)
        and plan.status == (status.APPROVED if plan.is_joint else status.FILED),
        "may_revise": may_edit and plan.status in {status.FILED, status.APPROVED, status.PUBLISHED},
        "problems": services.plan_problems(plan) if plan.is_editable else [],
        "revisions": plan.revisions.order_by("-number"),
        "steps": plan.steps.select_related("user"),
        "return_form": ReturnForm(),
        "approve_form": ApproveForm(initial={"meeting": plan.meeting, "meeting_date": plan.meeting_date}),
        "reason_form": ReasonForm(),
    }
    return render(request, "plans/plan_detail.html", context)


@role_required(*PLANNING_ROLES)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_for_user(user=request.user, pk=pk)
    perms.require(perms.may_edit_plan(request.user, plan), "您无权修改该年度计划。")
    form = PlanHeaderForm(
        request.POST or None, initial={"title": plan.title, "description": plan.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "已保存计划基本信息。")
            return redirect("plan-detail", pk=plan.pk)
    return render(request, "plans/plan_edit.html", {"form": form, "plan": plan})


_ROW_PREFIX = re.compile(r"initiator|participants-[0-9]{1,2}")


def _department_forms(
    request: HttpRequest, plan: AnnualPlan, item: PlanItem | None
) -> tuple[DepartmentRowForm, Any]:
    return department_forms(
        request.POST if request.method == "POST" else None,
        options_url=reverse("plan-matter-options", args=[plan.pk]),
        fixed_department=None if plan.is_joint else plan.department,
        item=item,
    )


@role_required(*PLANNING_ROLES)
@require_http_methods(["GET", "POST"])
def plan_item_edit(request: HttpRequest, pk: int, item_pk: int | None = None) -> HttpResponse:
    plan = perms.get_plan_for_user(user=request.user, pk=pk)
    perms.require(perms.may_edit_plan(request.user, plan), "您无权修改该年度计划。")
    item = perms.get_plan_item_for_user(user=request.user, plan=plan, pk=item_pk) if item_pk else None
    if not plan.is_editable:
        messages.error(
            request, f"计划当前为“{plan.get_status_display()}”，不能修改；如需调整，请先发起调整。"
        )
        return redirect("plan-detail", pk=plan.pk)
    initial = PlanItemForm.initial_for(item) if item else PlanItemForm.defaults_for(plan)
    form = PlanItemForm(request.POST or None, initial=initial)
    initiator_form, participant_forms = _department_forms(request, plan, item)
    department_errors: list[str] = []
    if request.method == "POST":
        valid = form.is_valid() & initiator_form.is_valid() & participant_forms.is_valid()
        initiator = initiator_form.cleaned_data.get("department") if initiator_form.is_valid() else None
        if valid and initiator is None:
            department_errors.append("请选择发起部门。")
            valid = False
        if valid:
            data = item_data_from_forms(form, initiator_form, participant_forms)
            try:
                saved = services.plan_item_save(actor=request.user, plan=plan, item=item, data=data)
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    if name in form.fields:
                        form.add_error(name, errors)
                    else:
                        department_errors.extend(errors)
            else:
                messages.success(request, f"已保存抽查任务“{saved.title}”。")
                return redirect("plan-detail", pk=plan.pk)
    context = {
        "plan": plan,
        "item": item,
        "form": form,
        "initiator_form": initiator_form,
        "participant_forms": participant_forms,
        "department_errors": department_errors,
        "heading": f"修改抽查任务：{item.title}" if item else "添加抽查任务",
        "back_url": reverse("plan-detail", args=[plan.pk]),
        "back_label": plan.title,
    }
    return render(request, "plans/plan_item_form.html", context)


@role_required(*PLANNING_ROLES)
@require_GET
def plan_matter_options(request: HttpRequest, pk: int) -> HttpResponse:
    """The matters of the department just chosen in a plan item's department row (htmx)."""
    plan = perms.get_plan_for_user(user=request.user, pk=pk)
    perms.require(perms.may_edit_plan(request.user, plan), "您无权修改该年度计划。")
    prefix = request.GET.get("prefix", "")
    if not _ROW_PREFIX.fullmatch(prefix):
        raise Http404("参数不正确。")
    row = DepartmentRowForm(request.GET, prefix=prefix)
    return render(request, "plans/snippets/matter_options.html", {"row": row})


@role_required(*PLANNING_ROLES)
@require_POST
def plan_item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    plan = perms.get_plan_for_user(user=request.user, pk=pk)
    item = perms.get_plan_item_for_user(user=request.user, plan=plan, pk=item_pk)
    try:
        services.plan_item_delete(actor=request.user, plan=plan, item=item)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"已删除抽查任务“{item.title}”。")
    return redirect("plan-detail", pk=plan.pk)


def _plan_action(request: HttpRequest, pk: int, run: Any, done: str) -> HttpResponse:
    plan = perms.get_plan_for_user(user=request.user, pk=pk)
    try:
        run(plan)
    except PermissionDenied:
        raise
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("plan-detail", pk=plan.pk)


@role_required(Role.DEPT_HEAD)
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(
        request,
        pk,
        lambda plan: services.plan_submit(actor=request.user, plan=plan),
        "已报送联席会议办公室备案。",
    )


@role_required(Role.OFFICE)
@require_POST
def plan_file(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(
        request, pk, lambda plan: services.plan_file(actor=request.user, plan=plan), "已备案。"
    )


@role_required(Role.OFFICE)
@require_POST
def plan_return(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReturnForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _plan_action(
        request,
        pk,
        lambda plan: services.plan_return(actor=request.user, plan=plan, comment=comment),
        "已退回，部门将看到退回意见。",
    )


@role_required(Role.OFFICE)
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = ApproveForm(request.POST)
    if not form.is_valid():
        plan = perms.get_plan_for_user(user=request.user, pk=pk)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("plan-detail", pk=plan.pk)
    return _plan_action(
        request,
        pk,
        lambda plan: services.plan_approve(actor=request.user, plan=plan, **form.cleaned_data),
        "已登记联席会议审议结果。",
    )


@role_required(Role.OFFICE, Role.DEPT_HEAD)
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(
        request, pk, lambda plan: services.plan_publish(actor=request.user, plan=plan), "已向社会公开。"
    )


@role_required(*PLANNING_ROLES)
@require_POST
def plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _plan_action(
        request,
        pk,
        lambda plan: services.plan_revise(actor=request.user, plan=plan, reason=reason),
        "已发起调整：修改后请重新报送备案（联合计划重新登记审议结果）。",
    )


@role_required(*PLANNING_ROLES)
def plan_revision(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = perms.get_plan_for_user(user=request.user, pk=pk)
    revision = perms.get_plan_revision_for_user(user=request.user, plan=plan, number=number)
    context = {
        "plan": plan,
        "revision": revision,
        "changes": selectors.plan_revision_changes(revision, published_only=False),
        "revisions": plan.revisions.order_by("-number"),
    }
    return render(request, "plans/plan_revision.html", context)


@role_required(*PLANNING_ROLES)
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.get_plan_for_user(user=request.user, pk=pk)
    content = plan_workbook(plan_snapshot(plan), status_line=working_copy_line(plan.get_status_display()))
    filename = f"{plan.title}（工作稿）.xlsx"
    services.plan_export_record(actor=request.user, plan=plan, filename=filename)
    return xlsx_response(content, filename)


@role_required(*PLANNING_ROLES)
def plan_revision_export(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = perms.get_plan_for_user(user=request.user, pk=pk)
    revision = perms.get_plan_revision_for_user(user=request.user, plan=plan, number=number)
    content = plan_workbook(revision.snapshot, status_line=revision_line(revision))
    filename = f"{revision.snapshot['title']}（第{revision.number}版）.xlsx"
    services.plan_export_record(actor=request.user, plan=plan, revision=revision, filename=filename)
    return xlsx_response(content, filename)
