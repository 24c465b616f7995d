from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from inspections.selectors import department_work_counts
from luozhuang_dsj import accounts, services
from luozhuang_dsj import audit_export as audit_export_module
from luozhuang_dsj.audit import audit_record, audit_verify_chain
from luozhuang_dsj.forms import AuditFilterForm, LoginForm, PasswordResetForm, UnlockForm, UserForm
from luozhuang_dsj.jobs import job_live_state
from luozhuang_dsj.lib.access import login_only, public, role_required
from luozhuang_dsj.lib.ratelimit import rate_limit
from luozhuang_dsj.lib.roles import HOME_URL_NAMES, Role
from luozhuang_dsj.models import AuditEvent, Job, User
from luozhuang_dsj.selectors import audit_events_filtered
from notices.selectors import holidays_missing_year, roster_groups
from registry.models import Department


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        accounts.session_begin(self.request)
        if accounts.two_factor_step(self.request) is None:
            accounts.sign_in_completed(self.request.user)
        return response


login_view = public(rate_limit("login")(LoginView.as_view()))
logout_view = public(auth_views.LogoutView.as_view())


@login_only
def staff_home(request: HttpRequest) -> HttpResponse:
    role = request.user.primary_role
    if role is None:
        raise PermissionDenied("您的账号尚未分配角色，请联系系统管理员。")
    return redirect(HOME_URL_NAMES[Role(role)])


@role_required(Role.OFFICE)
def office_home(request: HttpRequest) -> HttpResponse:
    departments = Department.objects.annotate(
        user_count=Count("users", filter=Q(users__is_active=True))
    ).order_by("-is_office", "code")
    context = {
        "departments": departments,
        "roster_groups": roster_groups(),
        "holidays_missing_year": holidays_missing_year(today=timezone.localdate()),
    }
    return render(request, "office/home.html", context)


@role_required(Role.DEPT_STAFF, Role.DEPT_HEAD)
def department_home(request: HttpRequest) -> HttpResponse:
    department = request.user.department
    members = department.users.filter(is_active=True).prefetch_related("role_grants")
    context = {"department": department, "members": members, "counts": department_work_counts(department.pk)}
    return render(request, "department/home.html", context)


# ---- auditor -------------------------------------------------------------------------


def _filtered_events(form: AuditFilterForm) -> QuerySet[AuditEvent]:
    return audit_events_filtered(form.cleaned_data if form.is_valid() else None)


@role_required(Role.AUDITOR)
def audit_home(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = Paginator(_filtered_events(form).order_by("-id"), 50).get_page(request.GET.get("page"))
    return render(request, "audit/home.html", {"form": form, "page": page})


@role_required(Role.AUDITOR)
def audit_event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent, pk=pk)
    return render(request, "audit/event.html", {"event": event})


@role_required(Role.AUDITOR)
def audit_verify(request: HttpRequest) -> HttpResponse:
    report = audit_verify_chain()
    audit_record(
        action="audit.verify",
        actor=request.user,
        role=Role.AUDITOR,
        object_type="审计日志",
        after={"checked": report.checked, "intact": report.is_intact, "broken_at": report.broken_at},
        result=AuditEvent.Result.OK if report.is_intact else AuditEvent.Result.FAILED,
    )
    return render(request, "audit/verify.html", {"report": report, "checked_at": timezone.now()})


@role_required(Role.AUDITOR)
@require_POST
def audit_export(request: HttpRequest) -> HttpResponse:
    """Export what the auditor's filter shows; the export is itself an audit event."""
    form = AuditFilterForm(request.POST)
    file_format = request.POST.get("format", "")
    if not form.is_valid() or file_format not in audit_export_module.FORMATS:
        messages.error(request, "导出条件无效，请检查日期等筛选条件后重试。")
        return redirect("audit-home")
    job = audit_export_module.audit_export_start(
        actor=request.user, filters=form.cleaned_data, file_format=file_format
    )
    return redirect("job-detail", pk=job.pk)


# ---- system administrator ------------------------------------------------------------


@role_required(Role.SYSADMIN)
def sysadmin_home(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("department").prefetch_related("role_grants")
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(name__icontains=query))
    page = Paginator(users.order_by("department__code", "username"), 50).get_page(request.GET.get("page"))
    system = {
        "database": connection.vendor,
        "redis": "已配置" if settings.REDIS_URL else "未配置（任务在进程内执行）",
        "debug": settings.DEBUG,
    }
    return render(request, "sysadmin/home.html", {"page": page, "query": query, "system": system})


def _apply_form_errors(form: UserForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@role_required(Role.SYSADMIN)
@require_http_methods(["GET", "POST"])
def sysadmin_user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                name=data["name"],
                department=data["department"],
                roles=data["roles"],
                password=data["password"],
                phone=data["phone"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") or not error.messages:
                _apply_form_errors(form, error)
            else:
                form.add_error("password", error.messages)
        else:
            messages.success(request, f"已创建用户 {user.username}。")
            return redirect("sysadmin-home")
    return render(request, "sysadmin/user_form.html", {"form": form, "creating": True})


@role_required(Role.SYSADMIN)
@require_http_methods(["GET", "POST"])
def sysadmin_user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    initial = {
        "username": user.username,
        "name": user.name,
        "department": user.department,
        "roles": sorted(user.roles),
        "phone": user.phone,
        "is_active": user.is_active,
    }
    form = UserForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=request.user,
                user=user,
                name=data["name"],
                department=data["department"],
                roles=data["roles"],
                is_active=data["is_active"],
                phone=data["phone"],
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, f"已保存用户 {user.username}。")
            return redirect("sysadmin-home")
    return render(request, "sysadmin/user_form.html", {"form": form, "creating": False, "subject": user})


# ---- security administrator ----------------------------------------------------------


@role_required(Role.SECURITY_ADMIN)
def security_home(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - dt.timedelta(days=7)
    failures = (
        AuditEvent.objects.filter(action="auth.login_failed", at__gte=since)
        .values("username", "client_ip")
        .annotate(count=Count("id"))
        .order_by("-count", "username")[:50]
    )
    users = list(User.objects.select_related("department").order_by("department__code", "username"))
    locked = accounts.locked_usernames()
    enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    for subject in users:
        subject.is_locked = accounts.lockout_username(None, {"username": subject.username}) in locked
        subject.has_second_factor = subject.pk in enrolled
        subject.needs_second_factor = accounts.two_factor_required(subject)
        subject.password_expires = accounts.password_expires_at(subject)
    context = {
        "failures": failures,
        "users": users,
        "since": since,
        "locked_count": sum(subject.is_locked for subject in users),
        "now": timezone.now(),
    }
    return render(request, "security/home.html", context)


@role_required(Role.SECURITY_ADMIN)
@require_http_methods(["GET", "POST"])
def security_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=pk)
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_unlock(actor=request.user, user=subject, reason=form.cleaned_data["reason"])
        messages.success(request, f"已解锁 {subject.username}。")
        return redirect("security-home")
    context = {
        "form": form,
        "subject": subject,
        "action": "unlock",
        "locked": accounts.is_locked_out(subject),
    }
    return render(request, "security/account_action.html", context)


@role_required(Role.SECURITY_ADMIN)
@require_http_methods(["GET", "POST"])
def security_otp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=pk)
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_otp_reset(actor=request.user, user=subject, reason=form.cleaned_data["reason"])
        messages.success(request, f"已重置 {subject.username} 的双因素认证，该用户下次登录时重新绑定。")
        return redirect("security-home")
    context = {"form": form, "subject": subject, "action": "otp_reset"}
    return render(request, "security/account_action.html", context)


@role_required(Role.SECURITY_ADMIN)
@require_http_methods(["GET", "POST"])
def security_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user,
                user=subject,
                password=form.cleaned_data["password"],
                role=Role.SECURITY_ADMIN,
            )
        except ValidationError as error:
            form.add_error("password", error.messages)
        else:
            messages.success(request, f"已重置 {subject.username} 的密码。")
            return redirect("security-home")
    return render(request, "security/password_reset.html", {"form": form, "subject": subject})


@login_only
@accounts.reachable_during("password")
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordResetForm(request.POST or None)
    old_ok = True
    if request.method == "POST":
        old_ok = request.user.check_password(request.POST.get("old_password", ""))
        if not old_ok:
            form.is_valid()
            form.add_error(None, "原密码不正确。")
    if request.method == "POST" and old_ok and form.is_valid():
        try:
            role = ",".join(sorted(request.user.roles))
            services.user_set_password(
                actor=request.user, user=request.user, password=form.cleaned_data["password"], role=role
            )
        except ValidationError as error:
            form.add_error("password", error.messages)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("staff-home")
    context = {
        "form": form,
        "reason": accounts.password_change_reason(request.user),
        "expires_at": accounts.password_expires_at(request.user),
        "has_second_factor": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
    }
    return render(request, "accounts/password_change.html", context)


# ---- background jobs -----------------------------------------------------------------


def get_job_for_user(*, user: User, pk: str) -> Job:
    """A job is visible to whoever started it."""
    job = Job.objects.filter(pk=pk, created_by=user).first()
    if job is None:
        raise Http404("没有找到该后台任务。")
    return job


@login_only
@never_cache
def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_job_for_user(user=request.user, pk=pk)
    context = {"job": job, "state": job_live_state(job), "now": timezone.now()}
    template = "jobs/snippets/progress.html" if request.htmx else "jobs/detail.html"
    return render(request, template, context)


@login_only
def job_download(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_job_for_user(user=request.user, pk=pk)
    if job.status == Job.Status.SUCCEEDED and job.expires_at and job.expires_at < timezone.now():
        # 410: the file existed and is gone for good; the page says why and what to do.
        message = f"下载链接已过期（导出文件保留 {settings.JOB_DOWNLOAD_DAYS} 天），请重新导出。"
        context = {"status": 410, "title": "下载链接已过期", "message": message}
        return render(request, "errors/error.html", context, status=410)
    if job.status != Job.Status.SUCCEEDED or not job.result_file:
        raise Http404("该任务没有可下载的文件。")
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_filename or None)


# ---- health ------------------------------------------------------------------------------


@public
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # any failure means unhealthy; the reason goes to the log, not the probe
        checks["database"] = "error"
        healthy = False
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "ok", timeout=5)
            checks["redis"] = "ok" if cache.get("healthz") == "ok" else "error"
        except Exception:
            checks["redis"] = "error"
        healthy = healthy and checks["redis"] == "ok"
    else:
        checks["redis"] = "not configured"
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
