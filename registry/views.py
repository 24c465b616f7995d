from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from inspections.selectors import credit_rule_label, target_panel
from luozhuang_dsj.forms import DepartmentForm
from luozhuang_dsj.import_views import export_request, import_upload_page
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.pagination import CappedPaginator
from luozhuang_dsj.lib.roles import Role
from registry import selectors, services
from registry.forms import (
    ConflictForm,
    InspectorFilterForm,
    InspectorForm,
    MembershipAddForm,
    MembershipImportOptionsForm,
    SubRegistryForm,
    TargetFilterForm,
    TargetForm,
    UnavailabilityForm,
)
from registry.industries import division_name
from registry.models import Department, Inspector, InspectorUnavailability
from registry.permissions import (
    get_conflict_for_user,
    get_inspector_for_user,
    get_sub_registry_for_user,
    get_target_for_user,
    may_change_department_data,
    may_edit_targets,
    may_see_all_departments,
    may_see_personal_details,
)

TARGET_LABELS = {
    "name": "名称",
    "kind": "对象类型",
    "legal_representative": "法定代表人",
    "address": "住所",
    "town": "所属镇街",
    "industry_code": "行业代码",
    "status": "登记状态",
    "risk_class": "信用风险分类",
    "address_unreachable": "登记住所无法联系",
}


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def department_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The office keeps the list of member departments (成员单位)."""
    department = get_object_or_404(Department, code=code) if code else None
    initial = services.department_snapshot(department) if department else {"is_active": True}
    form = DepartmentForm(request.POST or None, initial=initial)
    if department:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.department_save(
                actor=request.user,
                department=department,
                code=data["code"],
                name=data["name"],
                short_name=data["short_name"],
                is_active=data["is_active"],
                note=data["note"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已保存成员单位“{data['short_name']}”。")
            return redirect("office-home")
    return render(request, "registry/department_form.html", {"form": form, "department": department})


# ---- the two registries (两库) ---------------------------------------------------------------

READ_ROLES = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)
PAGE_SIZE = 50


def _form_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@role_required(*READ_ROLES)
def target_list(request: HttpRequest) -> HttpResponse:
    form = TargetFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    page = CappedPaginator(selectors.target_list(filters, ordering=("-pk",)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/target_list.html",
        {
            "form": form,
            "page": page,
            "may_edit": may_edit_targets(request.user),
            "query": request.GET.urlencode(),
        },
    )


@role_required(*READ_ROLES)
@require_POST
def target_export(request: HttpRequest) -> HttpResponse:
    return export_request(request, key="registry.targets", params=request.GET)


@role_required(*READ_ROLES)
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_target_for_user(user=request.user, pk=pk)
    history = CappedPaginator(target.changes.select_related("user"), 20).get_page(request.GET.get("page"))
    sub_registries = target.sub_registries.select_related("department").order_by("department__code", "name")
    conflicts = target.conflicts.select_related("inspector", "inspector__department")
    if not may_see_all_departments(request.user):
        # Sub-registries and conflicts are department data: only the office sees every department's.
        sub_registries = sub_registries.filter(department_id=request.user.department_id)
        conflicts = conflicts.filter(inspector__department_id=request.user.department_id)
    # 联合惩戒 flags, the credit class's reason and every department's results (互认共享).
    panel = target_panel(target, today=timezone.localdate())
    return render(
        request,
        "registry/target_detail.html",
        {
            "target": target,
            "history": history,
            "labels": TARGET_LABELS,
            "sub_registries": sub_registries,
            "conflicts": conflicts,
            "industry": division_name(target.industry_code),
            "may_edit": may_edit_targets(request.user),
            "panel": panel,
            "credit_rule": credit_rule_label(panel.credit.rule) if panel.credit else "",
            "may_override": may_see_all_departments(request.user),
        },
    )


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    target = get_target_for_user(user=request.user, pk=pk, change=True) if pk else None
    initial = {name: getattr(target, name) for name in services.TARGET_FIELDS} if target else {}
    if target:
        initial["code"] = target.code
    form = TargetForm(request.POST or None, initial=initial, editing=target is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind = target.kind if target else data["kind"]
        code = target.code if target else (data["code"] or services.target_next_key(kind))
        values = {name: data[name] for name in services.TARGET_FIELDS if name != "kind"} | {"kind": kind}
        try:
            saved = services.target_save(
                actor=request.user, target=target, code=code, data=values, note=data["note"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"已保存检查对象“{saved.name}”。")
            return redirect("target-detail", saved.pk)
    return render(request, "registry/target_form.html", {"form": form, "target": target})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def target_import(request: HttpRequest) -> HttpResponse:
    return import_upload_page(
        request, schema_key="registry.targets", params={}, back_url=reverse("target-list")
    )


# sub-registries


@role_required(*READ_ROLES)
def sub_registry_list(request: HttpRequest) -> HttpResponse:
    sub_registries = selectors.sub_registries_for_user(request.user).annotate(
        member_count=Count("memberships")
    )
    return render(request, "registry/sub_registry_list.html", {"sub_registries": sub_registries})


@role_required(*READ_ROLES)
def sub_registry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sub_registry = get_sub_registry_for_user(user=request.user, pk=pk)
    query = request.GET.get("q", "").strip()
    members = selectors.target_list({"sub_registry": sub_registry, "q": query}, ordering=("-pk",))
    page = CappedPaginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    may_change = may_change_department_data(request.user, sub_registry.department_id)
    return render(
        request,
        "registry/sub_registry_detail.html",
        {
            "sub_registry": sub_registry,
            "page": page,
            "query": query,
            "may_change": may_change,
            "add_form": MembershipAddForm() if may_change else None,
        },
    )


@role_required(*READ_ROLES)
@require_http_methods(["GET", "POST"])
def sub_registry_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    sub_registry = get_sub_registry_for_user(user=request.user, pk=pk, change=True) if pk else None
    initial = {"name": sub_registry.name, "description": sub_registry.description} if sub_registry else {}
    form = SubRegistryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.sub_registry_save(
                actor=request.user, sub_registry=sub_registry, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"已保存分库“{saved.name}”。")
            return redirect("sub-registry-detail", saved.pk)
    return render(request, "registry/sub_registry_form.html", {"form": form, "sub_registry": sub_registry})


@role_required(*READ_ROLES)
@require_POST
def sub_registry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    sub_registry = get_sub_registry_for_user(user=request.user, pk=pk, change=True)
    try:
        services.sub_registry_delete(actor=request.user, sub_registry=sub_registry)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("sub-registry-detail", pk)
    messages.success(request, f"已删除分库“{sub_registry.name}”（检查对象本身保留在名录库中）。")
    return redirect("sub-registry-list")


@role_required(*READ_ROLES)
@require_POST
def sub_registry_add(request: HttpRequest, pk: int) -> HttpResponse:
    sub_registry = get_sub_registry_for_user(user=request.user, pk=pk, change=True)
    form = MembershipAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
        return redirect("sub-registry-detail", pk)
    change = services.sub_registry_add_targets(
        actor=request.user, sub_registry=sub_registry, codes=form.cleaned_data["codes"]
    )
    messages.success(request, f"加入分库 {change.added} 个，已在分库 {change.already} 个。")
    if change.invalid:
        messages.error(request, f"代码有误（校验位不符等）：{'、'.join(change.invalid[:20])}")
    if change.unknown:
        messages.warning(
            request, f"名录库中没有：{'、'.join(change.unknown[:20])}。请先由联席会议办公室录入。"
        )
    return redirect("sub-registry-detail", pk)


@role_required(*READ_ROLES)
@require_POST
def sub_registry_remove(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    sub_registry = get_sub_registry_for_user(user=request.user, pk=pk, change=True)
    target = get_target_for_user(user=request.user, pk=target_pk)
    services.sub_registry_remove_target(actor=request.user, sub_registry=sub_registry, target=target)
    messages.success(request, f"已将“{target.name}”移出分库。")
    return redirect("sub-registry-detail", pk)


@role_required(*READ_ROLES)
@require_http_methods(["GET", "POST"])
def sub_registry_import(request: HttpRequest, pk: int) -> HttpResponse:
    sub_registry = get_sub_registry_for_user(user=request.user, pk=pk, change=True)
    return import_upload_page(
        request,
        schema_key="registry.sub_registry_members",
        params={"sub_registry": sub_registry.pk},
        back_url=reverse("sub-registry-detail", args=[pk]),
        extra_form=MembershipImportOptionsForm(request.POST or None),
    )


@role_required(*READ_ROLES)
@require_POST
def sub_registry_export(request: HttpRequest, pk: int) -> HttpResponse:
    sub_registry = get_sub_registry_for_user(user=request.user, pk=pk)
    return export_request(
        request, key="registry.sub_registry_members", params={"sub_registry": sub_registry.pk}
    )


# inspectors


@role_required(*READ_ROLES)
def inspector_list(request: HttpRequest) -> HttpResponse:
    form = InspectorFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    page = CappedPaginator(selectors.inspectors_for_user(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/inspector_list.html",
        {
            "form": form,
            "page": page,
            "today": timezone.localdate(),
            "may_change": may_change_department_data(request.user, request.user.department_id),
            "query": request.GET.urlencode(),
        },
    )


@role_required(*READ_ROLES)
@require_POST
def inspector_export(request: HttpRequest) -> HttpResponse:
    return export_request(request, key="registry.inspectors", params=request.GET)


@role_required(*READ_ROLES)
def inspector_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = get_inspector_for_user(user=request.user, pk=pk)
    may_change = may_change_department_data(request.user, inspector.department_id)
    today = timezone.localdate()
    return render(
        request,
        "registry/inspector_detail.html",
        {
            "inspector": inspector,
            "personal": may_see_personal_details(request.user, inspector),
            "may_change": may_change,
            "certified": inspector.is_certified_on(today),
            "today": today,
            "expertise": inspector.expertise.all(),
            "periods": inspector.unavailable_periods.all(),
            "conflicts": inspector.conflicts.select_related("target", "declared_by") if may_change else None,
            "period_form": UnavailabilityForm() if may_change else None,
            "conflict_form": ConflictForm() if may_change else None,
        },
    )


@role_required(*READ_ROLES)
@require_http_methods(["GET", "POST"])
def inspector_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    inspector = get_inspector_for_user(user=request.user, pk=pk, change=True) if pk else None
    if inspector is None and not may_change_department_data(request.user, request.user.department_id):
        raise PermissionDenied("只能维护本部门的执法检查人员。")
    department = inspector.department if inspector else request.user.department
    initial: dict = {"is_active": True}
    if inspector:
        initial = {name: getattr(inspector, name) for name in ("code", *services.INSPECTOR_FIELDS)}
        initial["expertise"] = "、".join(tag.name for tag in inspector.expertise.all())
        initial["user"] = inspector.user
    form = InspectorForm(
        request.POST or None, initial=initial, department=department, editing=inspector is not None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.inspector_save(
                actor=request.user,
                inspector=inspector,
                department=department,
                code=inspector.code if inspector else data["code"],
                data=data,
                expertise=data["expertise"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"已保存执法检查人员“{saved.name}”。")
            return redirect("inspector-detail", saved.pk)
    return render(request, "registry/inspector_form.html", {"form": form, "inspector": inspector})


@role_required(*READ_ROLES)
@require_POST
def inspector_unavailability_add(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = get_inspector_for_user(user=request.user, pk=pk, change=True)
    form = UnavailabilityForm(request.POST)
    if form.is_valid():
        services.inspector_unavailability_add(actor=request.user, inspector=inspector, **form.cleaned_data)
        messages.success(request, "已登记不可参加抽查的期间。")
    else:
        messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
    return redirect("inspector-detail", pk)


@role_required(*READ_ROLES)
@require_POST
def inspector_unavailability_remove(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    inspector = get_inspector_for_user(user=request.user, pk=pk, change=True)
    period = get_object_or_404(InspectorUnavailability, pk=period_pk, inspector=inspector)
    services.inspector_unavailability_remove(actor=request.user, period=period)
    messages.success(request, "已删除该期间。")
    return redirect("inspector-detail", pk)


@role_required(*READ_ROLES)
@require_POST
def inspector_conflict_add(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = get_inspector_for_user(user=request.user, pk=pk, change=True)
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.conflict_declare(
                actor=request.user,
                inspector=inspector,
                target=form.cleaned_data["target_code"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, "已登记回避关系。")
    else:
        messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
    return redirect("inspector-detail", pk)


@role_required(Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD, Role.INSPECTOR)
@require_POST
def conflict_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = get_conflict_for_user(user=request.user, pk=pk)
    inspector_pk = conflict.inspector_id
    services.conflict_withdraw(actor=request.user, conflict=conflict)
    messages.success(request, "已撤销该回避关系。")
    if request.user.has_role(Role.INSPECTOR) and conflict.inspector.user_id == request.user.pk:
        return redirect("my-conflicts")
    return redirect("inspector-detail", inspector_pk)


@role_required(*READ_ROLES)
@require_http_methods(["GET", "POST"])
def inspector_import(request: HttpRequest) -> HttpResponse:
    if not may_change_department_data(request.user, request.user.department_id):
        raise PermissionDenied("只能维护本部门的执法检查人员。")
    return import_upload_page(
        request,
        schema_key="registry.inspectors",
        params={"department": request.user.department.code},
        back_url=reverse("inspector-list"),
    )


@role_required(Role.INSPECTOR)
@require_http_methods(["GET", "POST"])
def my_conflicts(request: HttpRequest) -> HttpResponse:
    """An inspector declares their own conflicts of interest (回避)."""
    inspector = Inspector.objects.filter(user=request.user).first()
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and inspector is not None and form.is_valid():
        try:
            services.conflict_declare(
                actor=request.user,
                inspector=inspector,
                target=form.cleaned_data["target_code"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "已申报回避。")
            return redirect("my-conflicts")
    conflicts = inspector.conflicts.select_related("target") if inspector else []
    return render(
        request, "registry/my_conflicts.html", {"inspector": inspector, "form": form, "conflicts": conflicts}
    )
