"""Public pages: published matter lists, published plans with their revisions, and the
no-penalty list. They read only the published snapshots, never the working copies."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from luozhuang_dsj.lib.access import public
from plans import selectors
from plans.exports import matter_list_workbook, plan_workbook, revision_line, version_line
from plans.models import AnnualPlan, ExemptionItem, MatterListVersion, PlanRevision
from plans.views import xlsx_response
from registry.models import Department


def _published_version(code: str, number: int | None) -> MatterListVersion:
    department = get_object_or_404(Department, code=code)
    versions = department.matter_list_versions.order_by("-number")
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise Http404("该部门尚未公开抽查事项清单。")
    return version


@public
@require_GET
def matter_lists(request: HttpRequest) -> HttpResponse:
    return render(
        request, "public/plans/matter_lists.html", {"versions": selectors.latest_matter_list_versions()}
    )


@public
@require_GET
def matter_list(request: HttpRequest, code: str, number: int | None = None) -> HttpResponse:
    version = _published_version(code, number)
    versions = version.department.matter_list_versions.order_by("-number")
    context = {
        "department": version.department,
        "version": version,
        "is_current": version.number == versions[0].number,
        "changes": selectors.matter_list_version_changes(version),
        "versions": versions,
    }
    return render(request, "public/plans/matter_list.html", context)


@public
@require_GET
def matter_list_export(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = _published_version(code, number)
    department = version.department
    content = matter_list_workbook(
        title=f"{department.name}随机抽查事项清单",
        status_line=version_line(version),
        records=version.matters,
    )
    return xlsx_response(content, f"{department.short_name}随机抽查事项清单（第{version.number}版）.xlsx")


@public
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    rows = []
    for plan in selectors.published_plans():
        latest = selectors.published_revisions(plan).first()
        rows.append((plan, latest))
    return render(request, "public/plans/plans.html", {"rows": rows})


def _published_revision(pk: int, number: int | None) -> PlanRevision:
    plan = get_object_or_404(AnnualPlan, pk=pk)
    revisions = selectors.published_revisions(plan)
    revision = revisions.first() if number is None else revisions.filter(number=number).first()
    if revision is None:
        raise Http404("该计划尚未公开。")
    return revision


@public
@require_GET
def plan(request: HttpRequest, pk: int, number: int | None = None) -> HttpResponse:
    revision = _published_revision(pk, number)
    revisions = selectors.published_revisions(revision.plan)
    context = {
        "revision": revision,
        "snapshot": revision.snapshot,
        "is_current": revision.number == revisions[0].number,
        "changes": selectors.plan_revision_changes(revision, published_only=True),
        "revisions": revisions,
    }
    return render(request, "public/plans/plan.html", context)


@public
@require_GET
def plan_export(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    revision = _published_revision(pk, number)
    snapshot = revision.snapshot
    return xlsx_response(
        plan_workbook(snapshot, status_line=revision_line(revision)),
        f"{snapshot['title']}（第{revision.number}版）.xlsx",
    )


@public
@require_GET
def exemptions(request: HttpRequest) -> HttpResponse:
    items = ExemptionItem.objects.filter(is_active=True).select_related("department").order_by("code")
    return render(request, "public/plans/exemptions.html", {"items": items})
