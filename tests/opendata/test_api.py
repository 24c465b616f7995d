"""The public read-only API (/api/public/): anonymous, exact fields, published data only,
cursor pagination, filters, throttling, and its own OpenAPI schema."""

import json

import pytest
from django.test import Client

from inspections.services import draw_cancel
from opendata.datasets import DATASETS, MATTER_RECORD
from plans.models import PlanItem
from tests.conftest import client_for
from tests.inspections.helpers import prepared, special_task
from tests.opendata.test_downloads import assert_no_personal_data, shop_as_json

RESULT_KEYS = [spec.key for spec in DATASETS["results"].fields]  # the downloads and the API agree


def _get(path, **params):
    response = Client().get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def _ids(world, *keys):
    return [world.results[key].pk for key in keys]


def test_results_are_listed_newest_first_with_exactly_the_public_fields(open_world):
    page = _get("/api/public/results/")
    assert [row["id"] for row in page["results"]] == _ids(open_world, "shop", "school", "clean")
    assert (page["next"], page["previous"]) == (None, None)
    shop = page["results"][0]
    assert list(shop) == RESULT_KEYS
    assert shop == shop_as_json(open_world)


def test_results_paginate_by_cursor(open_world):
    first = _get("/api/public/results/", page_size=2)
    assert [row["id"] for row in first["results"]] == _ids(open_world, "shop", "school")
    second = Client().get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == _ids(open_world, "clean")
    assert second["next"] is None
    back = Client().get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == _ids(open_world, "shop", "school")
    capped = _get("/api/public/results/", page_size=100000)
    assert len(capped["results"]) == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"department": "JYJ"}, ["school"]),
        ({"department": "SCJG", "year": 2026}, ["shop", "clean"]),
        ({"year": 2025}, ["school"]),
        ({"outcome": "problem"}, ["shop"]),
        ({"outcome": "clean", "department": "JYJ"}, []),
        ({"department": "NONE"}, []),
    ],
)
def test_results_filter_by_department_year_and_outcome(open_world, params, expected):
    assert [row["id"] for row in _get("/api/public/results/", **params)["results"]] == _ids(
        open_world, *expected
    )


def test_results_filter_by_credit_code(open_world):
    code = open_world.results["clean"].credit_code
    assert [row["id"] for row in _get("/api/public/results/", credit_code=code)["results"]] == _ids(
        open_world, "clean"
    )


def test_bad_filters_and_cursors_are_refused_with_reasons(open_world):
    response = Client().get("/api/public/results/", {"outcome": "bad", "year": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"outcome", "year"}
    assert Client().get("/api/public/results/", {"cursor": "nonsense"}).status_code == 404


def test_pending_and_unpublished_results_never_show(open_world):
    ids = {row["id"] for row in _get("/api/public/results/", page_size=200)["results"]}
    assert ids == set(_ids(open_world, "shop", "school", "clean"))
    other = open_world.unpublished.target.code
    assert _get("/api/public/results/", credit_code=other)["results"] == []


def test_plans_list_published_revisions_only(open_world):
    page = _get("/api/public/plans/")
    plan = open_world.plan
    revision = plan.revisions.get()
    assert [row["plan_id"] for row in page["results"]] == [plan.pk]
    row = page["results"][0]
    assert list(row) == [
        "plan_id",
        "year",
        "scope",
        "department",
        "title",
        "description",
        "revision",
        "is_current",
        "revision_reason",
        "adopted_at",
        "published_at",
        "meeting",
        "meeting_date",
        "items",
    ]
    assert (row["year"], row["revision"], row["is_current"], row["title"]) == (
        2027,
        1,
        True,
        revision.snapshot["title"],
    )
    item = revision.snapshot["items"][0]
    assert row["items"] == [
        {
            "position": 1,
            "title": item["title"],
            "initiator": item["initiator"],
            "participants": [],
            "matters": item["matters"],
            "target_scope": item["scope"],
            "ratio_frequency": item["ratio_frequency"],
            "risk_requirement": item["risk_requirement"],
            "form": item["form"],
            "methods": item["methods"],
            "window": item["window"],
            "batch_size": item["batch_size"],
            "note": "",
        }
    ]
    assert "id" not in row["items"][0]
    assert _get("/api/public/plans/", year=2026)["results"] == []
    assert _get("/api/public/plans/", current="false")["results"] == []


def test_matter_lists_list_published_versions(open_world):
    page = _get("/api/public/matter-lists/")
    assert [(row["department_code"], row["version"], row["is_current"]) for row in page["results"]] == [
        ("SCJG", 1, True)
    ]
    matters = page["results"][0]["matters"]
    assert [matter["code"] for matter in matters] == ["SCJG-001", "SCJG-002"]
    assert list(matters[0]) == [spec.key for spec in MATTER_RECORD]
    assert _get("/api/public/matter-lists/", department="JYJ")["results"] == []


def _drawable(world, staff):
    return special_task(
        world.base,
        staff,
        sampling=PlanItem.Sampling.COUNT,
        target_count=2,
        participants=[],
        form=PlanItem.Form.COMPREHENSIVE,
    )


def test_draws_show_commitment_schedule_status_and_cancel_reason_but_no_secret(open_world, staff):
    waiting = prepared(_drawable(open_world, staff), staff, minutes=60)
    cancelled = draw_cancel(
        actor=staff,
        draw=prepared(_drawable(open_world, staff), staff, minutes=90),
        reason="抽取范围有误，重新组织",
    )
    page = _get("/api/public/draws/")
    assert [row["id"] for row in page["results"]] == [cancelled.pk, waiting.pk]
    row = page["results"][0]
    assert row == {
        "id": cancelled.pk,
        "task_code": cancelled.task.code,
        "task_title": cancelled.task.title,
        "initiator": "罗庄区市场监督管理局",
        "status": "cancelled",
        "status_label": "已取消",
        "commitment": cancelled.commitment,
        "committed_at": row["committed_at"],
        "scheduled_for": row["scheduled_for"],
        "frame_digest": cancelled.frame_digest,
        "frame_size": cancelled.frame_size,
        "executed_at": None,
        "cancelled_at": row["cancelled_at"],
        "cancel_reason": "抽取范围有误，重新组织",
        "page_url": f"/draws/{cancelled.pk}/",
    }
    assert row["cancelled_at"] is not None
    assert [r["id"] for r in _get("/api/public/draws/", status="prepared")["results"]] == [waiting.pk]
    text = json.dumps(page, ensure_ascii=False)
    assert waiting.server_secret not in text and cancelled.server_secret not in text


def test_no_personal_data_in_any_api_response(open_world):
    for path in (
        "/api/public/results/",
        "/api/public/plans/",
        "/api/public/matter-lists/",
        "/api/public/draws/",
    ):
        assert_no_personal_data(Client().get(path, {"page_size": 200}).content.decode())


def test_the_api_is_throttled_per_client_address(open_world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_api": "2/60"}
    client = Client()
    assert [client.get("/api/public/results/").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/public/plans/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert Client(REMOTE_ADDR="10.0.0.9").get("/api/public/results/").status_code == 200


def test_signed_in_users_read_the_same_public_data(open_world, staff):
    response = client_for(staff).get("/api/public/results/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3
