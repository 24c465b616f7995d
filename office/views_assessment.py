"""The office's assessment (考核评估), duty record (履职记录) and annual summary pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.roles import Role
from office import assessment as assess_mod
from office.duty import TIMELINESS, duty_people, duty_record, duty_summary
from office.exports import FORMATS as EXPORT_FORMATS
from office.forms import WeightsForm
from office.models import METRICS
from office.permissions import ASSESSMENT_ROLES, DUTY_ROLES, assessment_department_for_user
from office.reports import annual_summary
from office.services import export_start, weights_save
from registry.models import Department

PAGE_SIZE = 100


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _as_of(request: HttpRequest) -> datetime.date:
    """The day the assessment is counted at (截至日期): today, or an earlier day asked for
    (the year-end figures for the joint meeting, say)."""
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return today
    return min(day, today)


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _acting_role(user: Any, roles: tuple[str, ...]) -> str:
    return next(role for role in roles if user.has_role(role))


def _export(
    request: HttpRequest, *, report: str, title: str, params: dict[str, Any], roles: tuple[str, ...]
) -> HttpResponse:
    fmt = request.POST.get("format", "xlsx")
    if fmt not in EXPORT_FORMATS:
        fmt = "xlsx"  # as the shared list exports do: the buttons only send the two formats
    job = export_start(
        actor=request.user,
        report=report,
        fmt=fmt,
        title=title,
        params={**params, "as_of": _as_of(request).isoformat()},
        role=_acting_role(request.user, roles),
    )
    return redirect("job-detail", job.pk)


# ---- assessment --------------------------------------------------------------------------------


@role_required(*ASSESSMENT_ROLES)
def assessment_home(request: HttpRequest) -> HttpResponse:
    year, as_of = _year(request), _as_of(request)
    department = assessment_department_for_user(request.user, None)
    context = {
        "year": year,
        "years": assess_mod.assessment_years(),
        "results": assess_mod.assess(year, as_of=as_of, department=department),
        "weights": assess_mod.weights_for(year),
        "metrics": METRICS,
        "definitions": assess_mod.METRIC_DEFINITIONS.values(),
        "as_of": as_of,
        "is_office": request.user.has_role(Role.OFFICE),
        "query": f"year={year}&as_of={as_of.isoformat()}",
    }
    return render(request, "office/assessment.html", context)


@role_required(*ASSESSMENT_ROLES)
@require_POST
def assessment_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    department = assessment_department_for_user(request.user, None)
    return _export(
        request,
        report="assessment",
        title=f"{year}年度考核评估",
        params={"year": year, "department": department.code if department else ""},
        roles=ASSESSMENT_ROLES,
    )


def _metric_context(request: HttpRequest, code: str, metric: str) -> dict[str, Any]:
    department = assessment_department_for_user(request.user, code)
    if metric not in assess_mod.METRIC_DEFINITIONS:
        raise Http404("没有该考核指标。")
    state = request.GET.get("state", "")
    if state not in assess_mod.STATUS_FILTERS:
        state = ""
    return {
        "department": department,
        "metric": assess_mod.METRIC_DEFINITIONS[metric],
        "state": state,
        "year": _year(request),
        "as_of": _as_of(request),
    }


@role_required(*ASSESSMENT_ROLES)
def assessment_metric(request: HttpRequest, code: str, metric: str) -> HttpResponse:
    context = _metric_context(request, code, metric)
    year, department, as_of = context["year"], context["department"], context["as_of"]
    all_rows = assess_mod.metric_rows(year, metric, as_of=as_of, department=department)
    counted = [row for row in all_rows if row.counted]
    value = assess_mod.MetricValue(metric, sum(row.met for row in counted), len(counted))
    rows = assess_mod.filter_rows(all_rows, context["state"])
    context.update(
        {
            "value": value,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "states": assess_mod.STATUS_FILTERS,
            "query": f"year={year}&as_of={as_of.isoformat()}&state={context['state']}",
        }
    )
    return render(request, "office/assessment_metric.html", context)


@role_required(*ASSESSMENT_ROLES)
@require_POST
def assessment_metric_export(request: HttpRequest, code: str, metric: str) -> HttpResponse:
    context = _metric_context(request, code, metric)
    year = context["year"]
    return _export(
        request,
        report="metric",
        title=f"{year}年度{context['department'].short_name}{context['metric'].label}明细",
        params={"year": year, "department": code, "metric": metric, "state": context["state"]},
        roles=ASSESSMENT_ROLES,
    )


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def assessment_weights(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    current = assess_mod.weights_for(year)
    form = WeightsForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            weights_save(actor=request.user, year=year, values=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{year}年度考核权重已保存。")
            return redirect(f"{reverse('assessment-home')}?year={year}")
    return render(request, "office/assessment_weights.html", {"form": form, "year": year})


# ---- duty record ----------------------------------------------------------------------------------


def _duty_filters(request: HttpRequest) -> dict[str, Any]:
    timeliness = request.GET.get("timeliness", "")
    return {
        "year": _year(request),
        "department_id": _int_or_none(request.GET.get("department"))
        if request.user.has_role(Role.OFFICE)
        else None,
        "person_id": _int_or_none(request.GET.get("person")),
        "timeliness": timeliness if timeliness in TIMELINESS else "",
    }


@role_required(*DUTY_ROLES)
def duty_list(request: HttpRequest) -> HttpResponse:
    filters = _duty_filters(request)
    rows = duty_record(request.user, **filters)
    is_office = request.user.has_role(Role.OFFICE)
    context = {
        **filters,
        "years": assess_mod.assessment_years(),
        "summaries": duty_summary(rows),
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "people": duty_people(request.user, department_id=filters["department_id"]),
        "departments": Department.objects.filter(is_active=True).order_by("-is_office", "code")
        if is_office
        else [],
        "timeliness_choices": TIMELINESS,
        "query": request.GET.urlencode(),
    }
    return render(request, "office/duty_list.html", context)


@role_required(*DUTY_ROLES)
@require_POST
def duty_export(request: HttpRequest) -> HttpResponse:
    filters = _duty_filters(request)
    return _export(
        request, report="duty", title=f"{filters['year']}年度履职记录", params=filters, roles=DUTY_ROLES
    )


# ---- annual summary ---------------------------------------------------------------------------------


@role_required(Role.OFFICE)
def report_summary(request: HttpRequest) -> HttpResponse:
    year, as_of = _year(request), _as_of(request)
    context = {
        "summary": annual_summary(year, as_of=as_of),
        "weights": assess_mod.weights_for(year),
        "year": year,
        "years": assess_mod.assessment_years(),
        "metrics": METRICS,
        "query": f"year={year}&as_of={as_of.isoformat()}",
    }
    return render(request, "office/report_summary.html", context)


@role_required(Role.OFFICE)
@require_POST
def report_summary_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    return _export(
        request,
        report="summary",
        title=f"{year}年度工作总结报表",
        params={"year": year},
        roles=(Role.OFFICE,),
    )
