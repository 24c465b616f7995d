from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from disclosure import selectors
from disclosure.forms import ObjectionForm, search_form
from disclosure.models import Objection, PublishedResult
from disclosure.selectors import PublicResult
from disclosure.services import ObjectionData, objection_file
from inspections import draw as protocol
from inspections import selectors as draw_selectors
from inspections.models import Draw, Task
from luozhuang_dsj.lib.access import public
from luozhuang_dsj.lib.client_ip import client_ip
from luozhuang_dsj.lib.pagination import peek_page
from luozhuang_dsj.lib.ratelimit import rate_limit
from notices.selectors import roster_groups
from plans.views import apply_errors
from registry import credit_code
from registry.models import Department, Target

# The search shows at most this many pages (newest first); beyond, narrow the search.
SEARCH_PAGES = 50
VERIFIER_PATH = Path(protocol.__file__).resolve().parent / "verifier.py"


@public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    departments = Department.objects.filter(is_active=True).order_by("-is_office", "code")
    upcoming = (
        draw_selectors.public_draws().filter(status=Draw.Status.PREPARED).order_by("scheduled_for")[:10]
    )
    recent = draw_selectors.public_draws().filter(status=Draw.Status.EXECUTED).order_by("-executed_at")[:10]
    context = {
        "departments": departments,
        "latest": selectors.latest_publications(10),
        "upcoming": upcoming,
        "recent": recent,
        "roster_groups": roster_groups(),
    }
    return render(request, "public/home.html", context)


@public
@require_GET
def draw_list(request: HttpRequest) -> HttpResponse:
    draws = draw_selectors.public_draws()
    status = request.GET.get("status", "")
    if status in Draw.Status.values:
        draws = draws.filter(status=status)
    page = Paginator(draws.order_by("-committed_at"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/draw_list.html",
        {"page": page, "status": status, "statuses": Draw.Status.choices},
    )


def _public_draw(pk: int) -> Draw:
    draw = draw_selectors.public_draws().filter(pk=pk).first()
    if draw is None:
        raise Http404("没有找到该抽取。")
    return draw


@public
@require_GET
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The commitment before the draw; the record, the selection and the team sizes after."""
    draw = _public_draw(pk)
    names = draw_selectors.department_names()
    snapshot = draw.task_snapshot
    selected = []
    if draw.status == Draw.Status.EXECUTED:
        record = draw_selectors.draw_public_record(draw)
        targets = dict(
            Target.objects.filter(code__in=[row["target"] for row in draw.selected]).values_list(
                "code", "name"
            )
        )
        teams = {team["target"]: team["slots"] for team in record["teams"]}
        selected = [
            {**row, "name": targets.get(row["target"], ""), "slots": teams[row["target"]]}
            for row in draw.selected
        ]
    context = {
        "draw": draw,
        "task": draw.task,
        "initiator": names.get(snapshot["initiator"], snapshot["initiator"]),
        "participants": [names.get(code, code) for code in snapshot["participants"]],
        "matters": draw_selectors.task_matters(draw.task)
        .select_related("department")
        .order_by("department__code", "code"),
        "selected": selected,
        "adjustment_count": draw.adjustments.count(),
    }
    return render(request, "disclosure/draw_detail.html", context)


@public
@require_GET
def draw_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The public record: teams reduced to departments and head counts (no identities)."""
    draw = _public_draw(pk)
    record = draw_selectors.draw_public_record(draw)
    response = HttpResponse(
        draw_selectors.record_json(record), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="record-{draw.task.code}.json"'
    return response


@public
@require_GET
def draw_frame(request: HttpRequest, pk: int) -> FileResponse:
    draw = _public_draw(pk)
    return FileResponse(
        draw.frame_file.open("rb"),
        as_attachment=True,
        filename=f"frame-{draw.task.code}.txt",
        content_type="text/plain; charset=utf-8",
    )


@public
@require_GET
def draw_verifier(request: HttpRequest) -> FileResponse:
    """The stdlib-only verifier: `python verifier.py record.json frame.txt [pool.jsonl]`."""
    return FileResponse(
        VERIFIER_PATH.open("rb"),
        as_attachment=True,
        filename="verifier.py",
        content_type="text/x-python; charset=utf-8",
    )


# ---- results: search, business, task -------------------------------------------------------------


@public
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Published results by a part of the name or the credit code; no full count (capped)."""
    form = search_form(request.GET or None)
    query = form.query()
    page = None
    if not query.is_empty:
        page = peek_page(
            lambda offset, count: selectors.search_rows(query, offset, count),
            request.GET.get("page"),
            max_pages=SEARCH_PAGES,
        )
    return render(request, "disclosure/search.html", {"form": form, "query": query, "page": page})


def _with_objections(rows: list[PublicResult]) -> list[PublicResult]:
    objected = [row for row in rows if getattr(row, "has_objections", True)]
    objections = selectors.public_objections(objected) if objected else {}
    for row in rows:
        row.public_objections = objections.get(row.pk, [])
    return rows


@public
@require_GET
def business(request: HttpRequest, code: str) -> HttpResponse:
    """Every published result of one business, from every department and year."""
    normalised = credit_code.normalise(code)
    if normalised != code:
        return redirect("public-business", code=normalised, permanent=True)
    rows = selectors.business_results(code)
    if not rows:
        raise Http404("没有找到该对象公开的检查结果。")
    _with_objections(rows)
    years = sorted({row.year for row in rows}, reverse=True)
    context = {
        "code": code,
        "latest": rows[0],
        "rows": rows,
        "years": years,
        "by_year": [(year, [row for row in rows if row.year == year]) for year in years],
        "departments": sorted({row.department_short_name for row in rows}),
    }
    return render(request, "disclosure/business.html", context)


def _public_task(code: str) -> Task:
    """A task is public once its draw is committed or a result of it is published."""
    task = (
        Task.objects.filter(code=code)
        .filter(
            Q(Exists(Draw.objects.filter(task=OuterRef("pk"))))
            | Q(Exists(PublishedResult.objects.filter(task=OuterRef("pk"))))
        )
        .select_related("initiator", "plan_item__plan__department")
        .first()
    )
    if task is None:
        raise Http404("没有找到该抽查任务，或其尚未公示。")
    return task


@public
@require_GET
def task(request: HttpRequest, code: str) -> HttpResponse:
    task = _public_task(code)
    results = _with_objections(list(selectors.task_results(task.pk)))
    targets: list[tuple[str, str, list[PublicResult]]] = []
    for row in results:
        if not targets or targets[-1][0] != row.credit_code:
            targets.append((row.credit_code, row.target_name, []))
        targets[-1][2].append(row)
    plan_item = task.plan_item
    context = {
        "task": task,
        "plan_item": plan_item,
        "plan_public": bool(
            plan_item and plan_item.plan.revisions.filter(published_at__isnull=False).exists()
        ),
        "departments": draw_selectors.task_department_rows(task),
        "draws": task.draws.order_by("committed_at"),
        "targets": targets,
    }
    return render(request, "disclosure/task.html", context)


# ---- objections -------------------------------------------------------------------------------------


@public
@rate_limit("public_objection", methods=("POST",))
@require_http_methods(["GET", "POST"])
def objection_new(request: HttpRequest, pk: int) -> HttpResponse:
    """No sign-in: contact, reason and files, an arithmetic question and a trap field."""
    row = get_object_or_404(PublishedResult.objects.select_related("department"), pk=pk)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objection = objection_file(
                row=row,
                data=ObjectionData(data["contact_name"], data["contact_phone"], data["reason"]),
                files=request.FILES.getlist("attachments"),
                client_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            request.session["objection_reference"] = objection.reference
            return redirect("public-objection-done", reference=objection.reference)
    return render(request, "disclosure/objection_form.html", {"row": row, "form": form})


@public
@require_GET
def objection_done(request: HttpRequest, reference: str) -> HttpResponse:
    """The confirmation with the reference number; the status is public, the contact not."""
    objection = get_object_or_404(
        Objection.objects.select_related("published_result", "department").only(
            "reference",
            "status",
            "filed_at",
            "decided_at",
            "decision_reason",
            "department__name",
            "published_result__id",
            "published_result__target_name",
            "published_result__credit_code",
            "published_result__matter_name",
            "published_result__result_label",
        ),
        reference=reference,
    )
    just_filed = request.session.get("objection_reference") == reference
    return render(
        request, "disclosure/objection_done.html", {"objection": objection, "just_filed": just_filed}
    )
