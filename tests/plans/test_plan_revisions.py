"""Revisions after filing: the reason, the differences, and what staff and the public see."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from plans import services
from plans.models import AnnualPlan
from tests.conftest import client_for
from tests.plans.helpers import department_plan, item_data


@pytest.fixture
def published(staff, head, office_user, matters):
    plan = department_plan(staff, [matters["metering"]])
    services.plan_submit(actor=head, plan=plan)
    services.plan_file(actor=office_user, plan=plan)
    services.plan_publish(actor=head, plan=plan)
    plan.refresh_from_db()
    return plan


def revise(plan, staff, head, office_user, matters):
    services.plan_revise(actor=staff, plan=plan, reason="上级部署计量器具专项整治，提高比例并增加任务")
    item = plan.items.get()
    services.plan_item_save(
        actor=staff,
        plan=plan,
        item=item,
        data=item_data(staff.department, [matters["metering"]], ratio=Decimal("4.5")),
    )
    services.plan_item_save(
        actor=staff,
        plan=plan,
        item=None,
        data=item_data(staff.department, [matters["food"]], title="食品经营者专项检查", ratio=Decimal("20")),
    )
    services.plan_submit(actor=head, plan=plan)
    return services.plan_file(actor=office_user, plan=plan)


def test_a_revision_keeps_the_filed_version_and_records_the_reason(
    published, staff, head, office_user, matters
):
    revision = revise(published, staff, head, office_user, matters)
    assert (revision.number, revision.reason) == (2, "上级部署计量器具专项整治，提高比例并增加任务")
    first = published.revisions.get(number=1)
    assert [item["ratio_frequency"] for item in first.snapshot["items"]] == ["抽查比例3%，每年1次"]
    assert [item["ratio_frequency"] for item in revision.snapshot["items"]] == [
        "抽查比例4.5%，每年1次",
        "抽查比例20%，每年1次",
    ]
    published.refresh_from_db()
    assert published.first_filed_at < revision.frozen_at  # first filing stays the one the deadline counts


def test_staff_see_every_revision_and_its_differences(published, staff, head, office_user, matters):
    revise(published, staff, head, office_user, matters)
    page = client_for(office_user).get(reverse("plan-revision", args=[published.pk, 2])).content.decode()
    assert "<h2>与第1版相比</h2>" in page
    assert "与上一版相比：新增 1 项，修改 1 项，删除 0 项，未变 0 项。" in page
    assert "<del>抽查比例3%，每年1次</del>" in page and "<ins>抽查比例4.5%，每年1次</ins>" in page
    assert "食品经营者专项检查" in page
    assert "调整理由" in page and "上级部署计量器具专项整治" in page
    detail = client_for(staff).get(reverse("plan-detail", args=[published.pk])).content.decode()
    assert "未公开" in detail  # revision 2 is filed but not yet public


def test_the_public_sees_only_published_revisions_and_their_differences(
    published, staff, head, office_user, matters
):
    revise(published, staff, head, office_user, matters)
    public = Client()
    page = public.get(reverse("public-plan", args=[published.pk])).content.decode()
    assert "第1版" in page and "第2版" not in page and "抽查比例4.5%" not in page
    assert public.get(reverse("public-plan-revision", args=[published.pk, 2])).status_code == 404

    services.plan_publish(actor=head, plan=published)
    page = public.get(reverse("public-plan", args=[published.pk])).content.decode()
    assert "第2版" in page and "现行" in page
    assert "调整理由" in page and "上级部署计量器具专项整治，提高比例并增加任务" in page
    assert "<del>抽查比例3%，每年1次</del>" in page and "<ins>抽查比例4.5%，每年1次</ins>" in page
    assert "食品经营者专项检查" in page
    for person in (staff, head, office_user):
        assert person.name not in page and person.username not in page
    old = public.get(reverse("public-plan-revision", args=[published.pk, 1])).content.decode()
    assert "历史版本" in old and "抽查比例3%，每年1次" in old
    listing = public.get(reverse("public-plans")).content.decode()
    assert "第2版" in listing and published.title in listing


def test_a_draft_plan_is_not_public(staff, matters):
    plan = department_plan(staff, [matters["metering"]])
    assert Client().get(reverse("public-plan", args=[plan.pk])).status_code == 404
    assert plan.title not in Client().get(reverse("public-plans")).content.decode()


def test_while_a_revision_is_drafted_the_public_keeps_the_published_version(published, staff, matters):
    services.plan_revise(actor=staff, plan=published, reason="调整")
    services.plan_item_save(
        actor=staff,
        plan=published,
        item=published.items.get(),
        data=item_data(staff.department, [matters["metering"]], title="改过的任务名称"),
    )
    page = Client().get(reverse("public-plan", args=[published.pk])).content.decode()
    assert "食品经营者综合联查" in page and "改过的任务名称" not in page


def test_the_joint_plans_meeting_change_shows_in_the_header_differences(office_user, matters, scjg):
    import datetime

    joint = services.plan_create(actor=office_user, scope=AnnualPlan.Scope.JOINT, year=2027)
    services.plan_item_save(
        actor=office_user, plan=joint, item=None, data=item_data(scjg, [matters["metering"]])
    )
    services.plan_approve(
        actor=office_user, plan=joint, meeting="第1次联席会议", meeting_date=datetime.date(2026, 1, 10)
    )
    services.plan_publish(actor=office_user, plan=joint)
    services.plan_revise(actor=office_user, plan=joint, reason="年中调整")
    services.plan_approve(
        actor=office_user, plan=joint, meeting="第3次联席会议", meeting_date=datetime.date(2026, 7, 1)
    )
    services.plan_publish(actor=office_user, plan=joint)
    page = Client().get(reverse("public-plan", args=[joint.pk])).content.decode()
    assert "<del>第1次联席会议</del>" in page and "<ins>第3次联席会议</ins>" in page
    assert "经第3次联席会议（2026年7月1日）审议通过" in page
