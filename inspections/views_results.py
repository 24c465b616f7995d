"""Staff pages for doing the inspection: work lists, the inspection and its notice, result
entry on a phone, the head's review, attachments, the joint summary."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspections import selectors, services_results
from inspections.forms import (
    AttachmentForm,
    BatchScheduleForm,
    CloseInspectionForm,
    InspectionFilterForm,
    ReasonForm,
    ResultAmendForm,
    ResultEntryForm,
    ResultFilterForm,
    ScheduleForm,
    SharedResultFilterForm,
)
from inspections.models import Inspection, MatterResult
from inspections.permissions import (
    get_attachment_for_user,
    get_inspection_for_user,
    get_result_for_user,
    get_task_for_user,
    is_department_head,
    is_department_user,
    may_change_attachments,
    may_enter_result,
    may_manage_inspection,
    may_manage_task,
    visible_results,
)
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.roles import Role
from plans.models import Matter
from registry.models import Inspector

DEPARTMENT_ROLES = (Role.DEPT_STAFF, Role.DEPT_HEAD)
READERS = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD)
TEAM_AND_READERS = (Role.OFFICE, Role.DEPT_STAFF, Role.DEPT_HEAD, Role.INSPECTOR)
# The documents a business prepares for any inspection; the matters add their own basis.
DOCUMENTS_TO_PREPARE = [
    "营业执照（或其他主体资格证明）原件",
    "法定代表人（负责人）身份证明，委托他人接受检查的，提交授权委托书和受托人身份证明",
    "与抽查事项有关的行政许可证件",
    "与抽查事项有关的台账、记录、票据、合同和检测报告等资料",
]


def _form_errors(form, error: ValidationError) -> None:  # type: ignore[no-untyped-def]
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ---- work lists ------------------------------------------------------------------------------------


@role_required(Role.INSPECTOR)
@require_GET
def inspector_home(request: HttpRequest) -> HttpResponse:
    """我的检查: the inspections the user serves on, grouped by date and batch (phone first)."""
    inspector = Inspector.objects.filter(user=request.user).select_related("department").first()
    closed = request.GET.get("show") == "closed"
    inspections = (
        selectors.my_inspections(request.user, closed=closed) if inspector else Inspection.objects.none()
    )
    page = Paginator(inspections, 40).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    progress = selectors.my_matter_progress(request.user, rows)
    today = timezone.localdate()
    groups: list[dict] = []
    for inspection in rows:
        key = (inspection.visit.scheduled_date, inspection.task.code, inspection.batch)
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "date": key[0], "task": inspection.task, "batch": key[2], "items": []})
        groups[-1]["items"].append(
            {
                "inspection": inspection,
                "entered": progress[inspection.pk][0],
                "matters": progress[inspection.pk][1],
                "late": selectors.inspection_is_late(inspection, today=today),
            }
        )
    context = {"inspector": inspector, "groups": groups, "page": page, "closed": closed, "today": today}
    return render(request, "inspector/home.html", context)


@role_required(*READERS)
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    """The department's inspections (its own tasks and joint ones), with entry progress."""
    form = InspectionFilterForm(request.GET or None)
    if request.user.has_role(*DEPARTMENT_ROLES):
        inspections = selectors.department_inspections(request.user.department_id)
    else:
        inspections = Inspection.objects.select_related("task", "task__initiator", "target", "visit")
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            inspections = inspections.filter(status=data["status"])
        if data["kind"]:
            inspections = inspections.filter(task__kind=data["kind"])
        if data["q"]:
            query = data["q"].strip()
            inspections = inspections.filter(
                Q(target__name__contains=query) | Q(target__code=query.upper()) | Q(task__code=query)
            )
    inspections = inspections.order_by("-task__year", "task__code", "batch", "position")
    page = Paginator(inspections, 30).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    progress = selectors.entry_progress(rows)
    today = timezone.localdate()
    context = {
        "form": form,
        "page": page,
        "rows": [
            {
                "inspection": inspection,
                "progress": progress[inspection.pk],
                "late": selectors.inspection_is_late(inspection, today=today),
            }
            for inspection in rows
        ],
    }
    return render(request, "inspections/inspection_list.html", context)


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def task_inspections(request: HttpRequest, pk: int) -> HttpResponse:
    """The initiating department's view of a joint task: every inspection and how far each
    department has entered; batch dates are set here."""
    task = get_task_for_user(user=request.user, pk=pk)
    may_manage = may_manage_task(request.user, task)
    batches = sorted(set(task.inspections.values_list("batch", flat=True)))
    form = BatchScheduleForm(request.POST or None, batches=batches)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied("只有发起部门的工作人员可以安排检查日期。")
        if form.is_valid():
            try:
                count = services_results.batch_schedule(
                    actor=request.user,
                    task=task,
                    batch=form.cleaned_data["batch"],
                    day=form.cleaned_data["day"],
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request,
                    f"已将第 {form.cleaned_data['batch']} 批 {count} 户的检查日期定为 {form.cleaned_data['day']:%Y-%m-%d}。",
                )
                return redirect("task-inspections", pk=task.pk)
    inspections = task.inspections.select_related("target", "visit").order_by("batch", "position")
    status = request.GET.get("status", "")
    if status in Inspection.Status.values:
        inspections = inspections.filter(status=status)
    page = Paginator(inspections, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    progress = selectors.entry_progress(rows)
    today = timezone.localdate()
    counts = dict(task.inspections.order_by().values_list("status").annotate(number=Count("pk")))
    context = {
        "task": task,
        "may_manage": may_manage,
        "form": form,
        "page": page,
        "status": status,
        "counts": [(label, value, counts.get(value, 0)) for value, label in Inspection.Status.choices],
        "rows": [
            {
                "inspection": inspection,
                "progress": progress[inspection.pk],
                "late": selectors.inspection_is_late(inspection, today=today),
            }
            for inspection in rows
        ],
    }
    return render(request, "inspections/task_inspections.html", context)


# ---- one inspection ----------------------------------------------------------------------------------


def _matter_rows(request: HttpRequest, inspection: Inspection) -> list[dict]:
    results = {
        result.matter_id: result
        for result in inspection.results.select_related("department").prefetch_related("codes")
    }
    rows = []
    for row, matters in services_results.inspection_matters(inspection):
        own = is_department_user(request.user, row.department_id) or may_enter_result(
            request.user, inspection, row.department_id
        )
        items = []
        for matter in matters:
            result = results.get(matter.pk)
            readable = result is not None and (result.is_entered or own)
            items.append(
                {"matter": matter, "result": result if readable else None, "has_draft": result is not None}
            )
        rows.append(
            {
                "row": row,
                "items": items,
                "may_enter": may_enter_result(request.user, inspection, row.department_id)
                and not inspection.is_closed,
            }
        )
    return rows


@role_required(*TEAM_AND_READERS)
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for_user(user=request.user, pk=pk)
    may_manage = may_manage_inspection(request.user, inspection)
    context = {
        "inspection": inspection,
        "task": inspection.task,
        "target": inspection.target,
        "team": selectors.serving_team(inspection),
        "matter_rows": _matter_rows(request, inspection),
        "visit_inspections": [
            item for item in selectors.visit_inspections(inspection) if item.pk != inspection.pk
        ],
        "listings": list(selectors.listings_in_force(inspection.target_id, today=timezone.localdate())),
        "may_manage": may_manage,
        "missing": services_results.missing_results(inspection)
        if may_manage and not inspection.is_closed
        else [],
        "schedule_form": ScheduleForm(initial={"day": inspection.visit.scheduled_date}),
        "close_form": CloseInspectionForm(),
        "late": selectors.inspection_is_late(inspection, today=timezone.localdate()),
    }
    return render(request, "inspections/inspection_detail.html", context)


@role_required(*DEPARTMENT_ROLES)
@require_POST
def inspection_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for_user(user=request.user, pk=pk, change=True)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services_results.inspection_schedule(
                actor=request.user, inspection=inspection, day=form.cleaned_data["day"]
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, "已保存计划检查日期。")
    else:
        messages.error(request, "日期格式不正确。")
    return redirect("inspection-detail", pk=inspection.pk)


@role_required(*DEPARTMENT_ROLES)
@require_http_methods(["GET", "POST"])
def inspection_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The joint summary: the initiating department closes the inspection."""
    inspection = get_inspection_for_user(user=request.user, pk=pk, change=True)
    form = CloseInspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_results.inspection_close(
                actor=request.user,
                inspection=inspection,
                summary=form.cleaned_data["summary"],
                impossible=form.cleaned_data["outcome"] == "impossible",
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "检查已办结。")
            return redirect("inspection-detail", pk=inspection.pk)
    context = {
        "inspection": inspection,
        "form": form,
        "missing": services_results.missing_results(inspection),
        "matter_rows": _matter_rows(request, inspection),
    }
    return render(request, "inspections/inspection_close.html", context)


@role_required(*TEAM_AND_READERS)
@require_GET
def inspection_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """检查通知书: who comes (names and 执法证号), when, which matters, what to prepare.
    It covers the whole visit when two tasks visit together (进一次门). Staff only."""
    inspection = get_inspection_for_user(user=request.user, pk=pk)
    parts = []
    for item in selectors.visit_inspections(inspection):
        parts.append(
            {
                "inspection": item,
                "team": selectors.serving_team(item),
                "matters": services_results.inspection_matters(item),
            }
        )
    departments = list(
        dict.fromkeys(row.department.name for part in parts for row, matters in part["matters"])
    )
    context = {
        "inspection": inspection,
        "target": inspection.target,
        "visit": inspection.visit,
        "parts": parts,
        "departments": departments,
        "documents": DOCUMENTS_TO_PREPARE,
        "number": f"{inspection.task.code}-{inspection.position:04d}",
        "today": timezone.localdate(),
    }
    return render(request, "inspections/inspection_notice.html", context)


# ---- result entry -------------------------------------------------------------------------------------


def _initial(result: MatterResult | None, matter: Matter) -> dict:
    if result is None:
        return {"inspected_on": timezone.localdate()}
    return {
        "inspected_on": result.inspected_on,
        "codes": list(result.codes.all()),
        "findings": result.findings,
        "legal_basis": result.legal_basis,
        "exemption_item": result.exemption_item,
        "correction_order": result.correction_order,
        "correction_deadline": result.correction_deadline,
    }


@role_required(Role.INSPECTOR)
@require_http_methods(["GET", "POST"])
def result_entry(request: HttpRequest, pk: int, matter_pk: int) -> HttpResponse:
    """A matter's result on a phone: save a draft, or submit. The page keeps a local draft
    in the browser until the server confirms (static/js/result-draft.js)."""
    inspection = get_inspection_for_user(user=request.user, pk=pk)
    matter = get_object_or_404(Matter, pk=matter_pk)
    if not inspection.task.departments.filter(department_id=matter.department_id, matters=matter).exists():
        raise Http404("该事项不是本次检查的抽查事项。")
    if not may_enter_result(request.user, inspection, matter.department_id):
        raise PermissionDenied("只有本部门在检查组中的执法检查人员可以录入该事项的检查结果。")
    result = inspection.results.filter(matter=matter).first()
    if result is not None and result.is_entered:
        messages.info(request, "该事项的检查结果已提交；如需修改请联系本部门负责人。")
        return redirect("result-detail", pk=result.pk)
    if inspection.is_closed:
        raise PermissionDenied("该检查已办结。")
    form = ResultEntryForm(
        request.POST or None,
        request.FILES or None,
        department_id=matter.department_id,
        initial=_initial(result, matter),
    )
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            result = services_results.result_save(
                actor=request.user,
                inspection=inspection,
                matter=matter,
                data=form.result_data(),
                submit=submit,
                files=form.cleaned_data["attachments"],
                client_token=form.cleaned_data["client_token"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if submit:
                messages.success(request, f"已提交“{matter.name}”的检查结果。")
                return redirect("inspection-detail", pk=inspection.pk)
            messages.success(request, "草稿已保存到服务器。")
            return redirect("result-entry", pk=inspection.pk, matter_pk=matter.pk)
    context = {
        "inspection": inspection,
        "matter": matter,
        "result": result,
        "form": form,
        "draft_key": f"dsj-result:{inspection.pk}:{matter.pk}",
        "confirmed_token": result.client_token if result else "",
        "attachments": result.attachments.all() if result else [],
        "max_megabytes": _megabytes(),
    }
    return render(request, "inspections/result_entry.html", context)


def _megabytes() -> str:
    return f"{settings.RESULT_ATTACHMENT_MAX_BYTES / 1024 / 1024:g}"


@role_required(*TEAM_AND_READERS)
@require_GET
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_result_for_user(user=request.user, pk=pk)
    inspection = result.inspection
    is_head = is_department_head(request.user, result.department_id)
    context = {
        "result": result,
        "inspection": inspection,
        "codes": result.codes.all(),
        "attachments": result.attachments.all(),
        "amendments": result.amendments.select_related("by"),
        "follow_ups": result.follow_ups.select_related("department").order_by("pk"),
        "is_head": is_head,
        "may_enter": result.status == MatterResult.Status.DRAFT
        and may_enter_result(request.user, inspection, result.department_id)
        and not inspection.is_closed,
        "may_follow_up": result.is_entered
        and result.finding_level >= 2
        and is_department_user(request.user, result.department_id),
        "may_attach": may_change_attachments(request.user, result),
        "return_form": ReasonForm(label="退回修改意见"),
        "attachment_form": AttachmentForm(),
        "today": timezone.localdate(),
    }
    return render(request, "inspections/result_detail.html", context)


@role_required(Role.DEPT_HEAD)
@require_POST
def result_approve(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_result_for_user(user=request.user, pk=pk, change=True)
    try:
        services_results.result_approve(actor=request.user, results=[result])
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, "已审核该检查结果。")
    return redirect("result-detail", pk=result.pk)


@role_required(Role.DEPT_HEAD)
@require_POST
def result_approve_many(request: HttpRequest) -> HttpResponse:
    ids = [value for value in request.POST.getlist("result") if value.isdigit()]
    results = list(
        visible_results(request.user).filter(
            pk__in=ids, department_id=request.user.department_id, status=MatterResult.Status.SUBMITTED
        )
    )
    if not results:
        messages.error(request, "请选择待审核的检查结果。")
    else:
        try:
            count = services_results.result_approve(actor=request.user, results=results)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, f"已审核 {count} 项检查结果。")
    return redirect(f"{reverse('result-list')}?status=submitted")


@role_required(Role.DEPT_HEAD)
@require_POST
def result_return(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_result_for_user(user=request.user, pk=pk, change=True)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "退回修改须写明意见。")
        return redirect("result-detail", pk=result.pk)
    try:
        services_results.result_return(actor=request.user, result=result, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, "已退回检查人员修改。")
    return redirect("result-detail", pk=result.pk)


@role_required(Role.DEPT_HEAD)
@require_http_methods(["GET", "POST"])
def result_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """The head's change to a submitted result (reason, before and after kept)."""
    result = get_result_for_user(user=request.user, pk=pk, change=True)
    if not result.is_entered:
        messages.info(request, "该结果尚未提交，由检查人员修改草稿。")
        return redirect("result-detail", pk=result.pk)
    form = ResultAmendForm(
        request.POST or None, department_id=result.department_id, initial=_initial(result, result.matter)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_results.result_amend(
                actor=request.user, result=result, data=form.result_data(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "已修改检查结果，修改记录已保存。")
            return redirect("result-detail", pk=result.pk)
    return render(request, "inspections/result_amend.html", {"result": result, "form": form})


@role_required(Role.INSPECTOR, Role.DEPT_HEAD)
@require_POST
def result_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_result_for_user(user=request.user, pk=pk)
    if not may_change_attachments(request.user, result):
        raise PermissionDenied("提交后的检查结果，附件只能由本部门负责人增删。")
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件。")
    else:
        try:
            added = services_results.attachments_add(
                actor=request.user, result=result, files=form.cleaned_data["attachments"]
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, f"已上传 {len(added)} 个附件。")
    if result.status == MatterResult.Status.DRAFT and may_enter_result(
        request.user, result.inspection, result.department_id
    ):
        return redirect("result-entry", pk=result.inspection_id, matter_pk=result.matter_id)
    return redirect("result-detail", pk=result.pk)


@role_required(*TEAM_AND_READERS)
@require_GET
def result_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Evidence is served only here, to those who may read the result; never from a URL
    under MEDIA. Photos open inline, PDFs download; the response may run nothing."""
    attachment = get_attachment_for_user(user=request.user, result_pk=pk, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件已不存在，请联系系统管理员。") from None
    response = FileResponse(
        handle,
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Role.INSPECTOR, Role.DEPT_HEAD)
@require_POST
def result_attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = get_attachment_for_user(user=request.user, result_pk=pk, pk=attachment_pk)
    result = attachment.result
    try:
        services_results.attachment_delete(actor=request.user, attachment=attachment)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, f"已删除附件“{attachment.original_name}”。")
    if result.status == MatterResult.Status.DRAFT and may_enter_result(
        request.user, result.inspection, result.department_id
    ):
        return redirect("result-entry", pk=result.inspection_id, matter_pk=result.matter_id)
    return redirect("result-detail", pk=result.pk)


# ---- result lists ------------------------------------------------------------------------------------


@role_required(*DEPARTMENT_ROLES)
@require_GET
def result_list(request: HttpRequest) -> HttpResponse:
    """The department's own results: drafts, submitted (awaiting the head), approved."""
    form = ResultFilterForm(request.GET or None)
    results = (
        MatterResult.objects.filter(department_id=request.user.department_id)
        .select_related("target", "matter", "inspection__task", "updated_by")
        .prefetch_related("codes")
        .order_by("-updated_at", "-pk")
    )
    if form.is_valid() and form.cleaned_data["status"]:
        results = results.filter(status=form.cleaned_data["status"])
    page = Paginator(results, 30).get_page(request.GET.get("page"))
    counts = dict(
        MatterResult.objects.filter(department_id=request.user.department_id)
        .order_by()
        .values_list("status")
        .annotate(number=Count("pk"))
    )
    context = {
        "form": form,
        "page": page,
        "counts": [(label, value, counts.get(value, 0)) for value, label in MatterResult.Status.choices],
        "is_head": request.user.has_role(Role.DEPT_HEAD),
    }
    return render(request, "inspections/result_list.html", context)


@role_required(*READERS)
@require_GET
def shared_results(request: HttpRequest) -> HttpResponse:
    """互认共享: every department's submitted results, read-only."""
    form = SharedResultFilterForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.shared_results(query), 30).get_page(request.GET.get("page"))
    return render(request, "inspections/shared_results.html", {"form": form, "page": page, "query": query})
