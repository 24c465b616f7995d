"""Open-data pages: the index, the data dictionary, and the snapshot files.

The files are served from the daily snapshot (`opendata.snapshots`), streamed from disk:
no request builds a dataset. A dated URL (/open-data/2026-11-26/results.csv) keeps its
content for the retention period; /open-data/latest/… is the newest day.
"""

from __future__ import annotations

import datetime

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from luozhuang_dsj.lib.access import public
from opendata.datasets import DATASETS, FORMATS, TYPE_NOTES
from opendata.snapshots import LATEST, MANIFEST, snapshot_days, snapshot_get

HISTORY_SHOWN = 31
MAX_AGE = 3600


def dictionary_document() -> dict:
    """The data dictionary, machine-readable."""
    return {
        "title": "罗庄区“双随机、一公开”开放数据 数据字典",
        "types": TYPE_NOTES,
        "datasets": [
            {
                "key": dataset.key,
                "title": dataset.title,
                "description": dataset.description,
                "row": dataset.row_note,
                "formats": list(FORMATS),
                "fields": [
                    {"key": spec.key, "label": spec.label, "type": spec.type, "meaning": spec.meaning}
                    for spec in dataset.fields
                ],
            }
            for dataset in DATASETS.values()
        ],
    }


@public
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    latest = snapshot_get(LATEST)
    datasets = []
    for key, dataset in DATASETS.items():
        facts = latest.manifest["datasets"].get(key) if latest else None
        files = []
        if facts:
            for extension, (label, _type) in FORMATS.items():
                files.append({"extension": extension, "label": label, **facts["files"][extension]})
        datasets.append({"dataset": dataset, "facts": facts, "files": files})
    context = {
        "latest": latest,
        "generated_at": datetime.datetime.fromisoformat(latest.manifest["generated_at"]) if latest else None,
        "datasets": datasets,
        "days": [day for day in snapshot_days() if not latest or day != latest.day][:HISTORY_SHOWN],
        "formats": FORMATS,
    }
    return render(request, "opendata/index.html", context)


@public
@require_GET
def dictionary(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opendata/dictionary.html",
        {"datasets": DATASETS.values(), "types": TYPE_NOTES.items()},
    )


@public
@require_GET
def dictionary_json(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(dictionary_document(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@public
@require_GET
def snapshot_file(request: HttpRequest, day: str, filename: str) -> HttpResponse:
    """One file of a snapshot, streamed; its sha256 (from the manifest) is the ETag."""
    snapshot = snapshot_get(day)
    if snapshot is None:
        raise Http404("没有这一天的开放数据快照。")
    stem, _, extension = filename.partition(".")
    if filename == MANIFEST:
        etag = None
        content_type = "application/json; charset=utf-8"
    elif stem in DATASETS and extension in FORMATS:
        etag = f'"{snapshot.manifest["datasets"][stem]["files"][extension]["sha256"]}"'
        content_type = FORMATS[extension][1]
    else:
        raise Http404("没有这个文件。")
    if etag and request.headers.get("If-None-Match") == etag:
        response: HttpResponse = HttpResponse(status=304)
    else:
        try:
            handle = open(snapshot.path / filename, "rb")  # noqa: SIM115 - FileResponse closes it
        except FileNotFoundError:
            raise Http404("没有这个文件。") from None
        response = FileResponse(
            handle,
            content_type=content_type,
            as_attachment=filename != MANIFEST,
            filename=f"{stem}-{snapshot.day}.{extension}",
        )
    if etag:
        response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
