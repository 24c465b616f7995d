"""The demo (`make run`) shows a drawn task for the demo inspector accounts, with results,
a correction order, a hand-off and leads; seeding again changes nothing."""

import io

from django.core.management import call_command
from django.urls import reverse

from inspections.demo import DEMO_TITLE
from inspections.models import CaseLead, FollowUp, Inspection, MatterResult, Task
from luozhuang_dsj.models import User
from tests.conftest import client_for


def test_the_demo_has_a_drawn_task_with_results_a_follow_up_and_a_hand_off(db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("seed_demo", "--targets", "600", "--inspectors", "80", "--seed", "5", stdout=out)
    task = Task.objects.get(title=DEMO_TITLE)
    inspections = list(task.inspections.order_by("position"))
    assert task.status == Task.Status.DRAWN
    assert len(inspections) == 6
    assert [inspection.status for inspection in inspections[:3]] == ["done", "in_progress", "in_progress"]
    assert MatterResult.objects.filter(status__in=MatterResult.ENTERED).count() == 3
    assert set(FollowUp.objects.values_list("kind", "status")) == {
        ("correction", "open"),
        ("handover", "awaiting"),
    }
    assert FollowUp.objects.get(kind="handover").department.code == "JYJ"
    assert CaseLead.objects.count() == 2

    scjg_inspector = User.objects.get(username="scjg_inspector")
    page = client_for(scjg_inspector).get(reverse("inspector-home"))
    assert sum(len(group["items"]) for group in page.context["groups"]) == 5
    jyj_staff = User.objects.get(username="jyj_staff")
    assert len(client_for(jyj_staff).get(reverse("handover-list")).context["handovers"]) == 1

    targets = [inspection.target.code for inspection in inspections]
    call_command("seed_demo", "--targets", "600", "--inspectors", "80", "--seed", "5", stdout=io.StringIO())
    assert Task.objects.filter(title=DEMO_TITLE).count() == 1
    assert [i.target.code for i in Inspection.objects.filter(task=task).order_by("position")] == targets
