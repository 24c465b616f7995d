"""The office keeps the holiday table in the browser; every change is audited."""

import datetime

import pytest
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent
from notices import services, workdays
from notices.models import HolidayArrangement, HolidayDay
from tests.conftest import client_for

D = datetime.date


@pytest.fixture
def office(office_user):
    return client_for(office_user)


@pytest.fixture
def arrangement(office_user):
    return services.holiday_arrangement_create(
        actor=office_user, year=2027, source="国务院办公厅关于2027年部分节假日安排的通知"
    )


def calendar_events():
    return list(
        AuditEvent.objects.filter(action__startswith="calendar.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_the_office_enters_a_year_then_its_days_and_the_deadlines_follow(office, office_user):
    response = office.post(
        reverse("holiday-year-create"),
        {"year": "2027", "source": "国务院办公厅关于2027年部分节假日安排的通知"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("holiday-year", args=[2027])
    response = office.post(
        reverse("holiday-year", args=[2027]),
        {"first": "2027-10-01", "last": "2027-10-07", "kind": "holiday", "name": "国庆节"},
    )
    assert response.status_code == 302
    office.post(
        reverse("holiday-year", args=[2027]), {"first": "2027-10-09", "kind": "workday", "name": "国庆节"}
    )
    assert list(HolidayDay.objects.values_list("date", "kind")) == [
        *[(D(2027, 10, day), "holiday") for day in range(1, 8)],
        (D(2027, 10, 9), "workday"),
    ]
    # From Thursday 30 September 2027: 8 Oct (1), Sat 9 Oct worked (2), 11 – 15 Oct (7).
    deadline = workdays.deadline_after(D(2027, 9, 30), 7)
    assert (deadline.due, deadline.warning) == (D(2027, 10, 15), "")
    assert calendar_events() == ["calendar.year_create", "calendar.days_add", "calendar.days_add"]
    event = AuditEvent.objects.filter(action="calendar.days_add").order_by("id").first()
    assert (event.username, event.object_key, event.after["name"], len(event.after["dates"])) == (
        "office1",
        "2027",
        "国庆节",
        7,
    )
    page = office.get(reverse("holiday-year", args=[2027])).content.decode()
    assert "2027-10-09" in page and "调休上班" in page


def test_a_year_the_built_in_calendar_covers_cannot_be_entered(office):
    response = office.post(reverse("holiday-year-create"), {"year": "2026", "source": "某通知"})
    assert "2026年的法定节假日安排已内置" in response.content.decode()
    assert HolidayArrangement.objects.count() == 0
    assert calendar_events() == []


def test_a_year_cannot_be_entered_twice(office, arrangement):
    response = office.post(reverse("holiday-year-create"), {"year": "2027", "source": "再次录入"})
    assert "2027年的节假日安排已录入。" in response.content.decode()
    assert list(HolidayArrangement.objects.values_list("source", flat=True)) == [
        "国务院办公厅关于2027年部分节假日安排的通知"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"first": "2028-01-01", "kind": "holiday", "name": "元旦"}, "日期须在2027年内。"),
        (
            {"first": "2027-05-05", "last": "2027-05-01", "kind": "holiday", "name": "劳动节"},
            "结束日期不能早于开始日期。",
        ),
        (
            {"first": "2027-01-01", "last": "2027-03-01", "kind": "holiday", "name": "春节"},
            "一次最多录入31天。",
        ),
        ({"first": "2027-05-01", "kind": "holiday", "name": "  "}, "请填写节日名称，如春节。"),
    ],
)
def test_bad_days_are_refused_with_a_reason_and_nothing_is_written(office, arrangement, data, message):
    response = office.post(reverse("holiday-year", args=[2027]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert HolidayDay.objects.count() == 0
    assert calendar_events() == ["calendar.year_create"]


def test_a_day_already_entered_is_refused_and_the_whole_run_is_not_written(office, office_user, arrangement):
    services.holiday_days_add(
        actor=office_user,
        arrangement=arrangement,
        first=D(2027, 10, 3),
        last=None,
        kind="holiday",
        name="国庆节",
    )
    response = office.post(
        reverse("holiday-year", args=[2027]),
        {"first": "2027-10-01", "last": "2027-10-07", "kind": "holiday", "name": "国庆节"},
    )
    assert "以下日期已录入，请先删除再改：2027-10-03。" in response.content.decode()
    assert list(HolidayDay.objects.values_list("date", flat=True)) == [D(2027, 10, 3)]


def test_days_can_be_added_only_to_an_entered_year(office):
    response = office.post(
        reverse("holiday-year", args=[2029]), {"first": "2029-10-01", "kind": "holiday", "name": "国庆节"}
    )
    assert response.status_code == 404
    assert HolidayDay.objects.count() == 0


def test_deleting_a_day_and_a_whole_year_is_audited_and_brings_the_warning_back(
    office, office_user, arrangement
):
    [day] = services.holiday_days_add(
        actor=office_user,
        arrangement=arrangement,
        first=D(2027, 10, 1),
        last=None,
        kind="holiday",
        name="国庆节",
    )
    assert office.post(reverse("holiday-day-delete", args=[day.pk])).status_code == 302
    assert HolidayDay.objects.count() == 0
    assert office.post(reverse("holiday-year-delete", args=[2027])).status_code == 302
    assert HolidayArrangement.objects.count() == 0
    assert workdays.deadline_after(D(2027, 9, 30), 5).warning == workdays.UNCOVERED_WARNING
    assert calendar_events() == [
        "calendar.year_create",
        "calendar.days_add",
        "calendar.day_delete",
        "calendar.year_delete",
    ]
    assert AuditEvent.objects.get(action="calendar.day_delete").before == {
        "date": "2027-10-01",
        "kind": "holiday",
        "name": "国庆节",
    }


def test_the_source_can_be_corrected(office, arrangement):
    office.post(reverse("holiday-year-edit", args=[2027]), {"source": "国办发明电〔2026〕7号"})
    arrangement.refresh_from_db()
    assert arrangement.source == "国办发明电〔2026〕7号"
    event = AuditEvent.objects.get(action="calendar.year_update")
    assert event.before == {"source": "国务院办公厅关于2027年部分节假日安排的通知"}


def test_the_calendar_page_lists_built_in_and_missing_years_and_computes_a_deadline(office):
    page = office.get(reverse("holiday-calendar"), {"start": "2026-09-18", "days": "20"}).content.decode()
    assert f"{workdays.BUILT_IN_FIRST_YEAR}—{workdays.BUILT_IN_LAST_YEAR}年" in page
    assert "已内置（国务院办公厅通知）" in page
    assert "期限届满日为" in page and "2026年10月22日" in page
    estimate = office.get(reverse("holiday-calendar"), {"start": "2032-09-30", "days": "20"}).content.decode()
    assert "2032年10月28日" in estimate and workdays.UNCOVERED_WARNING in estimate


def test_a_built_in_year_shows_the_state_councils_days_read_only(office):
    page = office.get(reverse("holiday-year", args=[2026])).content.decode()
    assert "2026-02-14" in page and "春节" in page and "调休上班" in page
    assert "删除" not in page


def test_a_missing_year_shows_the_warning(office):
    page = office.get(reverse("holiday-year", args=[2033])).content.decode()
    assert workdays.UNCOVERED_WARNING in page


def test_the_office_home_asks_for_next_years_holidays_in_november(office, settings):
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 11, 2)):
        page = office.get(reverse("office-home")).content.decode()
    assert "2027年法定节假日安排尚未录入" in page
    assert reverse("holiday-calendar") in page
    with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 6, 2)):
        page = office.get(reverse("office-home")).content.decode()
    assert "法定节假日安排尚未录入" not in page


def test_department_staff_cannot_change_the_calendar(staff, arrangement):
    client = client_for(staff)
    response = client.post(
        reverse("holiday-year", args=[2027]), {"first": "2027-10-01", "kind": "holiday", "name": "国庆节"}
    )
    assert response.status_code == 403
    assert client.post(reverse("holiday-year-delete", args=[2027])).status_code == 403
    assert HolidayArrangement.objects.count() == 1 and HolidayDay.objects.count() == 0
    assert calendar_events() == ["calendar.year_create"]


def test_the_calendar_forms_ignore_fields_they_do_not_offer(office, office_user, arrangement, jyj, outsider):
    from tests.access.mass_assignment import assert_mass_assignment_ignored, attacker_fields

    extra = attacker_fields(other_department=jyj, other_user=outsider)
    assert_mass_assignment_ignored(
        office,
        reverse("holiday-year-edit", args=[2027]),
        {"source": "国办发明电〔2026〕7号"},
        instance=arrangement,
        extra=extra,
    )
    assert_mass_assignment_ignored(
        office,
        reverse("holiday-year", args=[2027]),
        {"first": "2027-10-01", "kind": "holiday", "name": "国庆节"},
        instance=arrangement,
        extra=extra,
    )
    office.post(reverse("holiday-year-create"), {**extra, "year": "2028", "source": "国务院办公厅通知"})
    assert HolidayArrangement.objects.get(year=2028).created_by == office_user
