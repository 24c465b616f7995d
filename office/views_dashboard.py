"""The office's progress dashboard (工作进度): the page, each figure's rows, their exports.

The page is complete without JavaScript: every chart has a table beside it whose numbers
link to the rows they count. The charts' data travel as JSON (`json_script`) and are drawn
by static/js/dashboard.js with the vendored ECharts.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from luozhuang_dsj.exports import FORMATS
from luozhuang_dsj.lib.access import role_required
from luozhuang_dsj.lib.roles import Role
from office import dashboard as figures
from office.dashboard_exports import dashboard_export_start
from office.forms_dashboard import DashboardFilterForm

PAGE_SIZE = 50


def rows_url(filters: figures.Filters, figure: str, key: str = "") -> str:
    return f"{reverse('dashboard-rows', args=[figure])}?{urlencode(filters.query(key=key))}"


def _chart(
    chart_id: str,
    kind: str,
    categories: list[str],
    series: list[dict[str, Any]],
    links: list[str],
    unit: str = "",
) -> dict[str, Any]:
    return {
        "id": chart_id,
        "kind": kind,
        "categories": categories,
        "series": series,
        "links": links,
        "unit": unit,
    }


def _charts(data: dict[str, Any], filters: figures.Filters) -> list[dict[str, Any]]:
    def link(figure: str, rows: list[dict[str, Any]]) -> list[str]:
        return [rows_url(filters, figure, row["key"]) for row in rows]

    charts = [
        _chart(
            "chart-plans",
            "pie",
            [row["label"] for row in data["plan_filing"]],
            [{"name": "部门数", "data": [row["count"] for row in data["plan_filing"]]}],
            link("plans", data["plan_filing"]),
        ),
        _chart(
            "chart-tasks",
            "bar",
            [row["label"] for row in data["tasks"]],
            [{"name": "任务数", "data": [row["count"] for row in data["tasks"]]}],
            link("tasks", data["tasks"]),
        ),
        _chart(
            "chart-draws",
            "stack",
            [row["label"] for row in data["draws"]],
            [
                {"name": "已抽取", "data": [row["executed"] for row in data["draws"]]},
                {"name": "已公示待抽取", "data": [row["scheduled"] for row in data["draws"]]},
            ],
            link("draws", data["draws"]),
        ),
        _chart(
            "chart-completion",
            "stack",
            [row["label"] for row in data["completion"]],
            [
                {"name": "已办结", "data": [row["closed"] for row in data["completion"]]},
                {"name": "未办结", "data": [row["open"] for row in data["completion"]]},
            ],
            link("incomplete", data["completion"]),
        ),
        _chart(
            "chart-deadlines",
            "bar",
            [row["label"] for row in data["deadlines"]],
            [
                {"name": "逾期未录入结果", "data": [row["entry_overdue"] for row in data["deadlines"]]},
                {"name": "逾期未公开", "data": [row["publication_overdue"] for row in data["deadlines"]]},
                {"name": "逾期公开", "data": [row["publication_late"] for row in data["deadlines"]]},
            ],
            link("overdue-entry", data["deadlines"]),
        ),
        _chart(
            "chart-joint",
            "pie",
            ["联合检查", "单一部门检查"],
            [{"name": "检查数", "data": [data["joint"]["joint"], data["joint"]["single"]]}],
            [rows_url(filters, "joint"), rows_url(filters, "joint", "single")],
        ),
        _chart(
            "chart-coverage",
            "bar",
            [row["label"] for row in data["coverage"][:-1]],
            [{"name": "覆盖率", "data": [row["rate"] or 0 for row in data["coverage"][:-1]]}],
            link("coverage", data["coverage"][:-1]),
            "%",
        ),
        _chart(
            "chart-burden",
            "bar",
            [f"{row['visits']}次" for row in data["burden"]["histogram"]],
            [{"name": "市场主体数", "data": [row["businesses"] for row in data["burden"]["histogram"]]}],
            [
                rows_url(
                    figures.Filters(filters.year, filters.department, max(row["visits"] - 1, 1)), "burden"
                )
                for row in data["burden"]["histogram"]
            ],
        ),
    ]
    for dimension in figures.PROBLEM_DIMENSIONS:
        rows = data["problems"][dimension]
        charts.append(
            _chart(
                f"chart-problems-{dimension}",
                "bar",
                [row["label"] for row in rows],
                [{"name": "问题发现率", "data": [row["rate"] or 0 for row in rows]}],
                link(f"problems-{dimension}", rows),
                "%",
            )
        )
    return charts


@role_required(Role.OFFICE)
def dashboard_home(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET)
    filters = form.filters()
    data = figures.dashboard(filters)
    for section in ("plan_filing", "tasks", "draws", "completion", "deadlines", "coverage"):
        for row in data[section]:
            row["url"] = rows_url(filters, _FIGURE_OF[section], row["key"])
    for row in data["deadlines"]:
        row["publication_overdue_url"] = rows_url(filters, "publication-overdue", row["key"])
        row["publication_late_url"] = rows_url(filters, "publication-late", row["key"])
    for dimension, rows in data["problems"].items():
        for row in rows:
            row["url"] = rows_url(filters, f"problems-{dimension}", row["key"])
    context = {
        "form": form,
        "filters": filters,
        "data": data,
        "charts": _charts(data, filters),
        "links": {
            "joint": rows_url(filters, "joint"),
            "single": rows_url(filters, "joint", "single"),
            "burden": rows_url(filters, "burden"),
            "burden_max": rows_url(filters, "burden", str(data["burden"]["max"])),
            "publication_overdue": rows_url(filters, "publication-overdue"),
            "publication_late": rows_url(filters, "publication-late"),
            "overdue_entry": rows_url(filters, "overdue-entry"),
            "incomplete": rows_url(filters, "incomplete"),
        },
        "problem_sections": [
            (dimension, label, data["problems"][dimension])
            for dimension, label in figures.PROBLEM_DIMENSIONS.items()
        ],
    }
    return render(request, "office/dashboard.html", context)


_FIGURE_OF = {
    "plan_filing": "plans",
    "tasks": "tasks",
    "draws": "draws",
    "completion": "incomplete",
    "deadlines": "overdue-entry",
    "coverage": "coverage",
}


def _figure_or_404(figure: str) -> str:
    if figure not in figures.DRILLS:
        raise Http404("没有这项统计。")
    return figure


def _export_params(request: HttpRequest) -> dict[str, str]:
    return {name: value for name, value in request.GET.items() if name in {"year", "department", "n", "key"}}


class DrillRows:
    """A figure's rows for the paginator: only the page's window is read and built."""

    def __init__(self, figure: str, filters: figures.Filters, key: str) -> None:
        self.figure, self.filters, self.key = figure, filters, key
        self.drill = figures.DRILLS[figure](filters, key, slice(0, 0))

    def count(self) -> int:
        return self.drill.count

    def __len__(self) -> int:
        return self.drill.count

    def __getitem__(self, window: slice) -> list[tuple[tuple[Any, ...], str | None]]:
        self.drill = figures.DRILLS[self.figure](self.filters, self.key, window)
        return list(zip(self.drill.rows, self.drill.links, strict=True))


@role_required(Role.OFFICE)
def dashboard_rows(request: HttpRequest, figure: str) -> HttpResponse:
    _figure_or_404(figure)
    form = DashboardFilterForm(request.GET)
    page = drill = None
    if form.is_valid():
        rows = DrillRows(figure, form.filters(), request.GET.get("key", ""))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        drill = rows.drill
    context = {
        "form": form,
        "figure": figure,
        "drill": drill,
        "headers": figures.HEADERS[figure],
        "page": page,
        "query": urlencode(_export_params(request)),
        "back_url": f"{reverse('dashboard-home')}?{urlencode({k: v for k, v in _export_params(request).items() if k != 'key'})}",
    }
    return render(request, "office/dashboard_rows.html", context, status=200 if drill else 400)


@role_required(Role.OFFICE)
@require_POST
def dashboard_export(request: HttpRequest, figure: str) -> HttpResponse:
    _figure_or_404(figure)
    params = _export_params(request)
    form = DashboardFilterForm(params)
    if not form.is_valid():
        messages.error(
            request,
            "筛选条件有误，未能导出：" + "；".join(e for errors in form.errors.values() for e in errors),
        )
        return redirect(f"{reverse('dashboard-rows', args=[figure])}?{urlencode(params)}")
    fmt = request.POST.get("format", "xlsx")
    job = dashboard_export_start(
        actor=request.user, figure=figure, fmt=fmt if fmt in FORMATS else "xlsx", params=params
    )
    return redirect("job-detail", job.pk)
