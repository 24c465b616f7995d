"""Deadline reminders 3 working days ahead: result publication, result entry, follow-up.

Dates are around 2026 国庆: 1–7 October off, Saturday 10 October a make-up working day.
From Tuesday 29 September the next working days are 30 September (1), 8 October (2),
9 October (3) and 10 October (4): a deadline on 9 October is reminded, one on 10 October
is not yet — counted on weekends only, 9 October would be 8 working days away.
"""

import datetime

import pytest
from django.urls import reverse

from disclosure.models import ResultPublication
from inspections.models import FollowUp, Inspection, Task
from luozhuang_dsj.lib.roles import Role
from notices.models import Notification
from notices.reminders import daily_reminders_send
from tests.conftest import make_user
from tests.inspections.helpers import build_world, drawn_task, enter, serve_as

D = datetime.date
TODAY = D(2026, 9, 29)
SCJG_PEOPLE = ["head1", "head2", "staff1"]
JYJ_PEOPLE = ["jyjhead", "outsider1"]


def received(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def people(cast):
    """The cast plus a second SCJG head, a JYJ head, a third department's staff and a
    deactivated SCJG staff member."""
    retired = make_user("retired", "SCJG", Role.DEPT_STAFF)
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    make_user("head2", "SCJG", Role.DEPT_HEAD)
    make_user("jyjhead", "JYJ", Role.DEPT_HEAD)
    make_user("czjstaff", "CZJ", Role.DEPT_STAFF)
    return cast


@pytest.fixture
def task(people, office_user, staff, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(office_user, staff, outsider)
    task = drawn_task(world, staff)
    task.world = world
    return task


def _inspections(task):
    return list(Inspection.objects.filter(task=task).order_by("position"))


def _publication(inspection, department, due, status=ResultPublication.Status.PENDING):
    return ResultPublication.objects.create(
        inspection=inspection,
        department=department,
        closed_on=D(2026, 9, 1),
        due_on=due,
        status=status,
        published_at=None
        if status == ResultPublication.Status.PENDING
        else datetime.datetime(2026, 9, 2, tzinfo=datetime.UTC),
    )


# ---- result publication ------------------------------------------------------------------------------


def test_a_publication_due_within_3_working_days_reminds_its_departments_people_once(task):
    world = task.world
    first, second = _inspections(task)[:2]
    due = _publication(first, world.scjg, D(2026, 10, 9))
    _publication(first, world.jyj, D(2026, 10, 10))  # the 4th working day: not yet
    _publication(second, world.scjg, D(2026, 10, 8), ResultPublication.Status.PUBLISHED)
    Notification.objects.all().delete()

    run = daily_reminders_send(today=TODAY)

    assert run.publications == 1
    assert received("publication.due") == SCJG_PEOPLE
    notification = Notification.objects.get(kind="publication.due", recipient__username="staff1")
    assert notification.title == f"检查结果须于2026年10月9日前公开（还有3个工作日）：{first.target.name}"
    assert notification.link == reverse("publication-detail", args=[due.pk])
    assert notification.dedupe_key == f"publication.due:{first.pk}"

    daily_reminders_send(today=TODAY)
    assert received("publication.due") == SCJG_PEOPLE  # not twice

    daily_reminders_send(today=D(2026, 9, 30))  # JYJ's is now 3 working days away (8, 9, 10 October)
    assert received("publication.due") == sorted(SCJG_PEOPLE + JYJ_PEOPLE)
    jyj = Notification.objects.get(kind="publication.due", recipient__username="outsider1")
    assert jyj.title.endswith(f"（还有3个工作日）：{first.target.name}")
    daily_reminders_send(today=D(2026, 10, 8))
    assert received("publication.due") == sorted(SCJG_PEOPLE + JYJ_PEOPLE)


def test_a_publication_due_after_a_holiday_is_not_reminded_by_weekday_counting(task):
    # 12 October is 5 working days after 29 September (30 Sep, 8, 9, 10, 12 Oct).
    _publication(_inspections(task)[0], task.world.scjg, D(2026, 10, 12))
    assert daily_reminders_send(today=TODAY).publications == 0
    assert received("publication.due") == []


# ---- result entry -------------------------------------------------------------------------------------


def test_departments_whose_results_are_not_all_entered_by_a_task_ending_soon_are_reminded(
    task, inspector_user
):
    world = task.world
    inspections = _inspections(task)
    Task.objects.filter(pk=task.pk).update(end_date=D(2026, 10, 9))
    # All but one inspection closed; on the open one SCJG has entered its matter, JYJ has not.
    Inspection.objects.filter(pk__in=[i.pk for i in inspections[1:]]).update(status=Inspection.Status.DONE)
    serve_as(inspector_user, inspections[0], world.scjg)
    enter(inspector_user, inspections[0], world.food, "01")
    Notification.objects.all().delete()

    run = daily_reminders_send(today=TODAY)

    assert run.result_entries == 1
    assert received("result.due") == JYJ_PEOPLE
    notification = Notification.objects.get(kind="result.due", recipient__username="jyjhead")
    assert notification.title == f"检查结果须于2026年10月9日前录入（还有3个工作日）：{task.title}"
    assert "本部门尚有 1 户检查对象的检查结果未录入提交" in notification.body
    assert notification.link == reverse("task-inspections", args=[task.pk])
    daily_reminders_send(today=D(2026, 10, 8))
    assert received("result.due") == JYJ_PEOPLE


def test_a_task_whose_inspections_are_all_closed_reminds_nobody(task):
    Task.objects.filter(pk=task.pk).update(end_date=D(2026, 10, 9))
    Inspection.objects.filter(task=task).update(status=Inspection.Status.DONE)
    assert daily_reminders_send(today=TODAY).result_entries == 0
    assert received("result.due") == []


def test_a_task_ending_on_the_4th_working_day_is_not_reminded_yet(task):
    Task.objects.filter(pk=task.pk).update(end_date=D(2026, 10, 10))
    assert daily_reminders_send(today=TODAY).result_entries == 0
    assert daily_reminders_send(today=TODAY + datetime.timedelta(days=1)).result_entries == 2


# ---- follow-up ----------------------------------------------------------------------------------------


def test_open_measures_and_hand_offs_due_soon_remind_the_handling_department(task, inspector_user, staff):
    world = task.world
    inspection = _inspections(task)[0]
    serve_as(inspector_user, inspection, world.scjg)
    finding = enter(inspector_user, inspection, world.food, "07", findings="超范围经营")

    def measure(**values):
        return FollowUp.objects.create(
            result=finding,
            target=finding.target,
            origin_department=world.scjg,
            measure="处置措施",
            created_by=staff,
            **values,
        )

    correction = measure(kind=FollowUp.Kind.CORRECTION, department=world.scjg, deadline=D(2026, 10, 9))
    measure(
        kind=FollowUp.Kind.CORRECTION,
        department=world.scjg,
        deadline=D(2026, 10, 9),
        recheck_on=D(2026, 9, 28),
    )
    measure(kind=FollowUp.Kind.CASE_FILING, department=world.scjg, deadline=D(2026, 10, 10))
    measure(
        kind=FollowUp.Kind.CASE_FILING,
        department=world.scjg,
        deadline=D(2026, 10, 9),
        status=FollowUp.Status.DONE,
    )
    handover = measure(
        kind=FollowUp.Kind.HANDOVER,
        department=world.jyj,
        status=FollowUp.Status.AWAITING,
        handover_basis=FollowUp.Basis.COMPETENT,
        accept_deadline=D(2026, 9, 30),
    )
    Notification.objects.all().delete()

    run = daily_reminders_send(today=TODAY)

    assert run.follow_ups == 2
    assert received("followup.due") == sorted(SCJG_PEOPLE + JYJ_PEOPLE)
    scjg = Notification.objects.get(kind="followup.due", recipient__username="head1")
    assert scjg.title == f"责令改正须于2026年10月9日前办结（还有3个工作日）：{finding.target.name}"
    assert scjg.link == reverse("follow-up-detail", args=[correction.pk])
    jyj = Notification.objects.get(kind="followup.due", recipient__username="outsider1")
    assert jyj.title == f"移交须于2026年9月30日前接收或退回（还有1个工作日）：{finding.target.name}"
    assert jyj.link == reverse("follow-up-detail", args=[handover.pk])

    daily_reminders_send(today=TODAY)
    assert Notification.objects.filter(kind="followup.due").count() == 5  # not twice

    # The hand-off is accepted with a new deadline: the measure's own deadline reminds again.
    FollowUp.objects.filter(pk=handover.pk).update(status=FollowUp.Status.OPEN, deadline=D(2026, 10, 8))
    daily_reminders_send(today=D(2026, 9, 30))
    assert sorted(
        Notification.objects.filter(
            kind="followup.due", link=reverse("follow-up-detail", args=[handover.pk])
        ).values_list("recipient__username", flat=True)
    ) == sorted(JYJ_PEOPLE * 2)
