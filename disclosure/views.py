from __future__ import annotations

from pathlib import Path

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inspections import draw as protocol
from inspections import selectors as draw_selectors
from inspections.models import Draw
from luozhuang_dsj.lib.access import public
from notices.selectors import roster_groups
from registry.models import Department, Target

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
