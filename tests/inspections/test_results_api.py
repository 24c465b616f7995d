"""The read-only results API (互认共享): shared once submitted, drafts only for their department."""

import pytest
from django.urls import reverse

from luozhuang_dsj.lib.roles import Role
from tests.conftest import client_for, make_user
from tests.inspections.helpers import build_world, drawn_task, enter, serve_as


@pytest.fixture
def world(office_user, staff, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(office_user, staff, outsider)


def test_every_department_reads_submitted_results_and_only_its_own_drafts(
    world, staff, outsider, inspector_user
):
    inspections = list(drawn_task(world, staff).inspections.order_by("position")[:2])
    serve_as(inspector_user, inspections[0], world.scjg)
    draft = enter(inspector_user, inspections[0], world.food, "01", submit=False)
    serve_as(inspector_user, inspections[1], world.scjg)
    submitted = enter(inspector_user, inspections[1], world.food, "02", findings="未建立台账")
    url = reverse("api-result-list")

    own = client_for(staff).get(url).json()["results"]
    assert [row["id"] for row in own] == [submitted.pk, draft.pk]
    other = client_for(outsider).get(url, {"target": inspections[1].target.code}).json()["results"]
    assert [(row["id"], row["codes"], row["department"], row["status"]) for row in other] == [
        (submitted.pk, ["02"], "SCJG", "submitted")
    ]
    assert client_for(outsider).get(reverse("api-result-detail", args=[draft.pk])).status_code == 404
    stranger = make_user("inspector9", "JYJ", Role.INSPECTOR)
    assert client_for(stranger).get(url).json()["results"] == []
