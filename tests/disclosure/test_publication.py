"""Publication (谁公开): only the department's head publishes, only once every result of
the department on the inspection is approved; the deadline is 20 working days on the
official calendar; late publications are flagged to the department and the office."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disclosure.models import PublishedResult, ResultPublication
from disclosure.services import publication_publish
from inspections.models import MatterResult
from inspections.services_results import result_amend
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import AuditEvent
from tests.conftest import client_for, make_user
from tests.disclosure.helpers import closed_inspection, publication_of, published, target, user_of
from tests.inspections.helpers import result_data

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def pending(scjg):
    subject = target(11, "罗庄区公开测试超市", kind="个体工商户", operator="李四")
    return publication_of(closed_inspection(scjg, subject, codes=("02", "06")), scjg)


def test_department_staff_cannot_publish_and_nothing_changes(pending, staff):
    response = client_for(staff).post(reverse("publication-publish", args=[pending.pk]))
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        publication_publish(actor=staff, publication=pending)
    pending.refresh_from_db()
    assert pending.status == ResultPublication.Status.PENDING
    assert not PublishedResult.objects.exists()
    assert not AuditEvent.objects.filter(action="disclosure.publish").exists()


def test_another_departments_head_cannot_publish_and_nothing_changes(pending):
    other_head = make_user("jyj_head", "JYJ", Role.DEPT_HEAD)
    response = client_for(other_head).post(reverse("publication-publish", args=[pending.pk]))
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        publication_publish(actor=other_head, publication=pending)
    pending.refresh_from_db()
    assert pending.status == ResultPublication.Status.PENDING
    assert not PublishedResult.objects.exists()


def test_the_head_publishes_the_public_fields_in_one_step_and_it_is_audited(pending, head):
    response = client_for(head).post(reverse("publication-publish", args=[pending.pk]))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ResultPublication.Status.PUBLISHED
    assert pending.published_by == head
    row = PublishedResult.objects.get()
    assert (row.target_name, row.operator_masked, row.result_codes, row.outcome) == (
        "罗庄区公开测试超市",
        "李*",
        "02、06",
        "problem",
    )
    assert row.result_label == "未按规定公示应当公示的信息、发现问题经责令已改正"
    assert row.search_key.startswith("罗庄区公开测试超市|")
    event = AuditEvent.objects.get(action="disclosure.publish")
    assert event.username == head.username
    assert event.after["rows"] == 1 and event.after["late"] is False


def test_a_result_not_yet_approved_blocks_publication(scjg, head):
    inspection = closed_inspection(scjg, target(12, "罗庄区待审核测试店"), approved=False)
    publication = publication_of(inspection, scjg)
    with pytest.raises(ValidationError) as error:
        publication_publish(actor=head, publication=publication)
    assert error.value.messages == [
        "以下事项的检查结果尚未经部门负责人审核，不能公开：区市场监管局经营行为的检查。"
    ]
    page = client_for(head).get(reverse("publication-detail", args=[publication.pk])).content.decode()
    assert "尚未经部门负责人审核" in page and "公开检查结果</button>" not in page
    publication.refresh_from_db()
    assert publication.status == ResultPublication.Status.PENDING
    assert not PublishedResult.objects.exists()
    MatterResult.objects.filter(inspection=inspection).update(status=MatterResult.Status.APPROVED)
    publication_publish(actor=head, publication=publication)
    assert PublishedResult.objects.count() == 1


def test_publishing_twice_is_refused(pending, head):
    publication_publish(actor=head, publication=pending)
    with pytest.raises(ValidationError):
        publication_publish(actor=head, publication=pending)
    assert PublishedResult.objects.count() == 1


# ---- the deadline --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("closed_on", "due_on"),
    [
        # Spring Festival 2026: 15 – 23 Feb off; Saturdays 14 and 28 Feb are working days.
        (D(2026, 2, 6), D(2026, 3, 12)),
        # Spring Festival 2025: 28 Jan – 4 Feb off; Sunday 26 Jan and Saturday 8 Feb worked.
        (D(2025, 1, 24), D(2025, 2, 27)),
        # National Day 2025: 1 – 8 Oct off; Sunday 28 Sep and Saturday 11 Oct worked.
        (D(2025, 9, 25), D(2025, 10, 29)),
        # National Day 2026: 1 – 7 Oct off; Saturday 10 Oct worked.
        (D(2026, 9, 18), D(2026, 10, 22)),
    ],
)
def test_the_deadline_is_20_working_days_across_the_holidays_with_make_up_days_counted(
    scjg, closed_on, due_on
):
    publication = publication_of(
        closed_inspection(scjg, target(13, "期限测试商店"), closed_on=closed_on), scjg
    )
    assert (publication.closed_on, publication.due_on) == (closed_on, due_on)


def test_make_up_days_count_and_holidays_do_not_in_the_publication_deadline(scjg):
    # Closed Friday 26 Sep 2025: the make-up Sunday 28 Sep and Saturday 11 Oct count as
    # working days, the eight days off (1 – 8 Oct) do not: the 20th working day is 30 Oct
    # (on weekends only it would be 24 Oct; skipping the holiday without make-up days, 3 Nov).
    publication = publication_of(
        closed_inspection(scjg, target(14, "调休测试商店"), closed_on=D(2025, 9, 26)), scjg
    )
    assert publication.due_on == D(2025, 10, 30)


# ---- late flags and the calendar warning ---------------------------------------------------------


def test_late_publications_are_flagged_to_the_department_and_the_office(scjg, staff, office_user):
    overdue = publication_of(
        closed_inspection(
            scjg, target(15, "逾期测试商店"), closed_on=timezone.localdate() - datetime.timedelta(days=60)
        ),
        scjg,
    )
    on_time = publication_of(closed_inspection(scjg, target(16, "按期测试商店")), scjg)
    department_list = client_for(staff).get(reverse("publication-list"), {"state": "late"}).content.decode()
    assert "逾期测试商店" in department_list and "按期测试商店" not in department_list
    assert "逾期未公开" in department_list
    home = client_for(staff).get(reverse("department-home")).content.decode()
    assert "逾期（1，其中尚未公开 1）" in home
    office = client_for(office_user).get(reverse("publication-list")).content.decode()
    assert "各部门逾期情况" in office
    assert "<td>区市场监管局</td><td>1</td><td>0</td>" in office
    office_home = client_for(office_user).get(reverse("office-home")).content.decode()
    assert "逾期（1，其中尚未公开 1）" in office_home
    assert overdue.is_late(timezone.localdate()) and not on_time.is_late(timezone.localdate())


def test_a_publication_after_its_deadline_stays_flagged_as_published_late(scjg, head):
    late = publication_of(
        closed_inspection(
            scjg, target(17, "逾期公开测试商店"), closed_on=timezone.localdate() - datetime.timedelta(days=60)
        ),
        scjg,
    )
    publication_publish(actor=head, publication=late)
    page = client_for(head).get(reverse("publication-list"), {"state": "late"}).content.decode()
    assert "逾期公开" in page and "逾期公开测试商店" in page
    assert AuditEvent.objects.get(action="disclosure.publish").after["late"] is True


def test_a_deadline_in_a_year_the_calendar_does_not_know_shows_a_warning(scjg, staff):
    # chinesecalendar 1.11 knows 2004 – 2026: 20 working days from 20 Dec 2026 reach 2027.
    closed_inspection(scjg, target(18, "跨年测试商店"), closed_on=D(2026, 12, 20))
    page = client_for(staff).get(reverse("publication-list")).content.decode()
    assert "2027年的法定节假日安排尚未录入" in page
    known = client_for(staff).get(reverse("publication-list"), {"state": "published"}).content.decode()
    assert "2027年的法定节假日安排尚未录入" not in known


def test_the_publication_list_shows_only_the_departments_own(scjg, jyj, outsider):
    closed_inspection(scjg, target(19, "市场监管局的对象"))
    closed_inspection(jyj, target(20, "教育局的对象"))
    page = client_for(outsider).get(reverse("publication-list")).content.decode()
    assert "教育局的对象" in page and "市场监管局的对象" not in page
    assert user_of(jyj).department == jyj


def test_a_heads_amendment_after_publication_shows_beside_the_published_result(
    scjg, head, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    row = published(scjg, target(41, "罗庄区修改测试商行"))
    result = MatterResult.objects.get(pk=row.result_id)

    result_amend(
        actor=head, result=result, data=result_data("01", findings="补充现场情况"), reason="补充记录"
    )
    row.refresh_from_db()
    assert (row.result_label, row.corrected_label, row.corrected_at) == ("未发现问题", "", None)

    result_amend(
        actor=head, result=result, data=result_data("06", findings="已当场改正"), reason="录入时选错结果"
    )
    row.refresh_from_db()
    assert (row.result_label, row.corrected_label) == ("未发现问题", "发现问题经责令已改正")
    assert row.correction_note == "部门负责人修改检查结果：录入时选错结果"
    assert AuditEvent.objects.filter(action="result.amend").latest("pk").after["public_correction"] is True
    page = Client().get(reverse("public-business", args=[row.credit_code])).content.decode()
    assert "更正为：发现问题经责令已改正" in page
