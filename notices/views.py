from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from luozhuang_dsj.lib.access import login_only, role_required
from luozhuang_dsj.lib.roles import Role
from notices import selectors, services, workdays
from notices.forms import (
    HolidayArrangementForm,
    HolidayDaysForm,
    HolidaySourceForm,
    NotificationEmailForm,
    RosterMemberForm,
    WorkingDaysForm,
)
from notices.permissions import (
    get_holiday_arrangement_for_user,
    get_holiday_day_for_user,
    get_notification_for_user,
    get_roster_member_for_user,
)


def _apply_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# ---- notifications --------------------------------------------------------------------------------


@login_only
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notifications_for(request.user, unread_only=unread_only)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread_total": selectors.unread_count(request.user),
        "email_enabled": settings.NOTIFICATION_EMAIL,
    }
    return render(request, "notices/notification_list.html", context)


@login_only
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link; opening it marks it read."""
    notification = get_notification_for_user(user=request.user, pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    link = notification.link
    if not link.startswith("/") or link.startswith("//"):  # notify() allows only paths on this site
        return redirect("notification-list")
    return redirect(link)


@login_only
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(user=request.user, pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    return redirect("notification-list")


@login_only
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读通知。")
    return redirect("notification-list")


@login_only
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    form = NotificationEmailForm(request.POST or None, initial={"email": request.user.email})
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_email_set(actor=request.user, email=form.cleaned_data["email"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "通知设置已保存。")
            return redirect("notification-list")
    return render(
        request,
        "notices/notification_settings.html",
        {"form": form, "email_enabled": settings.NOTIFICATION_EMAIL},
    )


# ---- the working-day calendar ------------------------------------------------------------------------


@role_required(Role.OFFICE)
@require_GET
def holiday_calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    calculator = WorkingDaysForm(request.GET or None)
    deadline = None
    if calculator.is_valid():
        deadline = workdays.deadline_after(calculator.cleaned_data["start"], calculator.cleaned_data["days"])
    context = {
        "years": selectors.calendar_years(around=today.year),
        "built_in": (workdays.BUILT_IN_FIRST_YEAR, workdays.BUILT_IN_LAST_YEAR, workdays.BUILT_IN_VERSION),
        "calculator": calculator,
        "deadline": deadline,
        "create_form": HolidayArrangementForm(initial={"year": workdays.BUILT_IN_LAST_YEAR + 1}),
    }
    return render(request, "notices/holiday_calendar.html", context)


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def holiday_year_create(request: HttpRequest) -> HttpResponse:
    form = HolidayArrangementForm(request.POST or None, initial={"year": request.GET.get("year")})
    if request.method == "POST" and form.is_valid():
        try:
            arrangement = services.holiday_arrangement_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"已建立{arrangement.year}年节假日安排，请逐项录入放假和调休上班日期。")
            return redirect("holiday-year", year=arrangement.year)
    return render(request, "notices/holiday_year_form.html", {"form": form, "arrangement": None})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def holiday_year(request: HttpRequest, year: int) -> HttpResponse:
    """A year's holidays and make-up working days; for an entered year, the office adds days here."""
    if not 2000 <= year <= 2100:
        raise Http404("年度应在2000至2100之间。")
    calendar_year = selectors.calendar_year(year)
    form = HolidayDaysForm(request.POST or None)
    if request.method == "POST":
        arrangement = get_holiday_arrangement_for_user(user=request.user, year=year)
        if form.is_valid():
            try:
                days = services.holiday_days_add(
                    actor=request.user, arrangement=arrangement, **form.cleaned_data
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"已录入 {len(days)} 天。")
                return redirect("holiday-year", year=year)
    context = {"calendar_year": calendar_year, "form": form, "warning": workdays.UNCOVERED_WARNING}
    return render(request, "notices/holiday_year.html", context)


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def holiday_year_edit(request: HttpRequest, year: int) -> HttpResponse:
    arrangement = get_holiday_arrangement_for_user(user=request.user, year=year)
    form = HolidaySourceForm(request.POST or None, initial={"source": arrangement.source})
    if request.method == "POST" and form.is_valid():
        try:
            services.holiday_arrangement_update(
                actor=request.user, arrangement=arrangement, source=form.cleaned_data["source"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("holiday-year", year=year)
    return render(request, "notices/holiday_year_form.html", {"form": form, "arrangement": arrangement})


@role_required(Role.OFFICE)
@require_POST
def holiday_year_delete(request: HttpRequest, year: int) -> HttpResponse:
    arrangement = get_holiday_arrangement_for_user(user=request.user, year=year)
    services.holiday_arrangement_delete(actor=request.user, arrangement=arrangement)
    messages.success(request, f"已删除{year}年节假日安排；该年度的期限将只按周末计算。")
    return redirect("holiday-calendar")


@role_required(Role.OFFICE)
@require_POST
def holiday_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    day = get_holiday_day_for_user(user=request.user, pk=pk)
    services.holiday_day_delete(actor=request.user, day=day)
    messages.success(request, f"已删除 {day.date:%Y-%m-%d}。")
    return redirect("holiday-year", year=day.arrangement.year)


# ---- the joint-meeting roster ---------------------------------------------------------------------


@role_required(Role.OFFICE)
@require_GET
def roster_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notices/roster_list.html", {"groups": selectors.roster_groups()})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def roster_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    member = get_roster_member_for_user(user=request.user, pk=pk) if pk else None
    initial = RosterMemberForm.initial_for(member) if member else None
    form = RosterMemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.roster_member_save(
                actor=request.user, member=member, data=services.RosterData(**form.cleaned_data)
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"已保存{saved.duty}{saved.name}。")
            return redirect("roster-list")
    return render(request, "notices/roster_form.html", {"form": form, "member": member})


@role_required(Role.OFFICE)
@require_POST
def roster_delete(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_roster_member_for_user(user=request.user, pk=pk)
    services.roster_member_delete(actor=request.user, member=member)
    messages.success(request, f"已从名单中删除{member.duty}{member.name}。")
    return redirect("roster-list")
