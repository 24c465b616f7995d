"""Plan pages the access matrix does not spell out: the office sees a department's plan but
changes none of it (403), and a plan's pages only reach that plan's own items."""

from django.urls import reverse

from luozhuang_dsj.models import AuditEvent
from plans.models import AnnualPlan, PlanItem
from tests.conftest import client_for
from tests.plans.helpers import department_plan_at


def state(plan: AnnualPlan) -> tuple:
    plan.refresh_from_db()
    return (
        plan.title,
        plan.status,
        plan.revision,
        list(plan.items.values_list("pk", "title", "ratio")),
        AuditEvent.objects.count(),
    )


def test_the_office_reads_a_department_plan_but_its_editing_pages_refuse_it(office_user, scjg):
    plan = department_plan_at(scjg)
    item = plan.items.get()
    client = client_for(office_user)
    before = state(plan)
    assert client.get(reverse("plan-detail", args=[plan.pk])).status_code == 200
    refused = [
        client.get(reverse("plan-edit", args=[plan.pk])),
        client.post(reverse("plan-edit", args=[plan.pk]), {"title": "办公室改的名称", "description": ""}),
        client.get(reverse("plan-item-create", args=[plan.pk])),
        client.get(reverse("plan-item-edit", args=[plan.pk, item.pk])),
        client.post(reverse("plan-item-edit", args=[plan.pk, item.pk]), {"title": "办公室改的任务"}),
        client.post(reverse("plan-item-delete", args=[plan.pk, item.pk])),
        client.get(reverse("plan-matter-options", args=[plan.pk]), {"prefix": "initiator"}),
    ]
    assert [response.status_code for response in refused] == [403] * 7
    assert state(plan) == before


def test_the_office_neither_publishes_nor_revises_a_filed_department_plan(office_user, scjg):
    plan = department_plan_at(scjg, AnnualPlan.Status.FILED)
    client = client_for(office_user)
    before = state(plan)
    assert client.post(reverse("plan-publish", args=[plan.pk])).status_code == 403
    assert (
        client.post(reverse("plan-revise", args=[plan.pk]), {"reason": "办公室要求调整"}).status_code == 403
    )
    assert state(plan) == before
    assert not plan.revisions.get().is_published


def test_another_plans_item_is_not_found_through_ones_own_plan(staff, scjg, jyj):
    own, other = department_plan_at(scjg), department_plan_at(jyj)
    foreign = other.items.get()
    client = client_for(staff)
    before = (state(own), state(other))
    assert client.get(reverse("plan-item-edit", args=[own.pk, foreign.pk])).status_code == 404
    assert (
        client.post(reverse("plan-item-edit", args=[own.pk, foreign.pk]), {"title": "改"}).status_code == 404
    )
    assert client.post(reverse("plan-item-delete", args=[own.pk, foreign.pk])).status_code == 404
    assert (state(own), state(other)) == before
    assert PlanItem.objects.filter(pk=foreign.pk).exists()
