"""The duty record (履职记录): exact entries per person, and who reads whose."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from inspections.models import Inspection
from luozhuang_dsj.models import AuditEvent, Job
from office.duty import duty_record, duty_summary
from tests.conftest import client_for
from tests.office.helpers import YEAR, build_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(office_user, staff, head, inspector_user, outsider):  # type: ignore[no-untyped-def]
    return build_case(office_user, staff, head, inspector_user, outsider)


def _entries(rows):  # type: ignore[no-untyped-def]
    return [(row.person.username, row.entry.action, row.entry.deadline, row.entry.timeliness) for row in rows]


def test_an_inspector_s_record_is_exactly_their_own_acts(case, inspector_user):  # type: ignore[no-untyped-def]
    rows = duty_record(inspector_user, year=YEAR)
    assert _entries(rows) == [
        ("inspector1", "录入检查结果", datetime.date(YEAR, 6, 30), "late"),  # 5 July
        ("inspector1", "录入检查结果", datetime.date(YEAR, 6, 30), "on_time"),  # 20 June
    ]
    assert [row.entry.subject for row in rows] == [
        f"T1 {case.inspections['I2'].target.name} · {case.food.name}",
        f"T1 {case.inspections['I1'].target.name} · {case.food.name}",
    ]


def test_the_staff_member_s_record_with_deadlines(case, staff):  # type: ignore[no-untyped-def]
    rows = duty_record(staff, year=YEAR)
    assert _entries(rows) == [
        ("staff1", "公开检查结果", datetime.date(YEAR, 11, 10), "late"),
        ("staff1", "办结检查（联合汇总）", datetime.date(YEAR, 9, 30), "late"),
        ("staff1", "录入检查结果", datetime.date(YEAR, 9, 30), "on_time"),  # 23:00 on the last day
        ("staff1", "办结后续处置", datetime.date(YEAR, 8, 31), "on_time"),
        ("staff1", "登记后续处置", None, "none"),
        ("staff1", "登记后续处置", None, "none"),
        ("staff1", "登记后续处置", None, "none"),
        ("staff1", "登记后续处置", None, "none"),
        ("staff1", "公开检查结果", datetime.date(YEAR, 8, 1), "on_time"),
    ]


def test_a_head_reads_their_department_s_people_only(case, head):  # type: ignore[no-untyped-def]
    rows = duty_record(head, year=YEAR)
    assert {row.person.username for row in rows} == {"office1", "staff1", "head1", "inspector1"}
    own = [entry for entry in _entries(rows) if entry[0] == "head1"]
    assert own == [
        ("head1", "审核检查结果", datetime.date(YEAR, 8, 1), "on_time"),
        ("head1", "年度计划报送备案", datetime.date(YEAR, 1, 31), "on_time"),
    ]
    summaries = {s.person.username: (s.total, s.on_time, s.late, s.no_deadline) for s in duty_summary(rows)}
    assert summaries == {
        "office1": (2, 0, 0, 2),
        "staff1": (9, 3, 2, 4),
        "head1": (2, 2, 0, 0),
        "inspector1": (2, 1, 1, 0),
    }


def test_the_office_reads_everyone_and_filters_by_department_and_timeliness(case, office_user):  # type: ignore[no-untyped-def]
    late = duty_record(office_user, year=YEAR, timeliness="late")
    assert sorted(_entries(late)) == sorted(
        [
            ("staff1", "公开检查结果", datetime.date(YEAR, 11, 10), "late"),
            ("staff1", "办结检查（联合汇总）", datetime.date(YEAR, 9, 30), "late"),
            ("inspector1", "录入检查结果", datetime.date(YEAR, 6, 30), "late"),
            ("outsider1", "录入检查结果", datetime.date(YEAR, 5, 31), "late"),
            ("outsider1", "年度计划报送备案", datetime.date(YEAR, 1, 31), "late"),
        ]
    )
    jyj = duty_record(office_user, year=YEAR, department_id=case.jyj.pk)
    assert {row.person.username for row in jyj} == {"outsider1"}
    assert len(jyj) == 4
    assert duty_record(office_user, year=YEAR - 1) == []


def test_an_act_with_no_person_recorded_is_nobody_s_and_the_office_s_page_still_opens(case, office_user):  # type: ignore[no-untyped-def]
    before = _entries(duty_record(office_user, year=YEAR))
    assert ("staff1", "办结检查（联合汇总）", datetime.date(YEAR, 9, 30), "late") in before
    # As history brought over from the old platform is: closed, with no person recorded.
    Inspection.objects.filter(closed_by__username="staff1").update(closed_by=None)
    after = _entries(duty_record(office_user, year=YEAR))
    assert after == [entry for entry in before if entry[1] != "办结检查（联合汇总）" or entry[0] != "staff1"]
    response = client_for(office_user).get(f"{reverse('duty-list')}?year={YEAR}")
    assert response.status_code == 200


def test_a_staff_member_asking_for_someone_else_gets_nothing(case, outsider, staff):  # type: ignore[no-untyped-def]
    assert duty_record(outsider, year=YEAR, person_id=staff.pk) == []
    page = client_for(outsider).get(f"{reverse('duty-list')}?year={YEAR}&person={staff.pk}").content.decode()
    assert "没有符合条件的记录" in page
    assert "staff1" not in page


def test_the_duty_export_holds_exactly_the_filtered_entries(case, head, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    client = client_for(head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{reverse('duty-export')}?year={YEAR}&timeliness=late", {"format": "xlsx"})
    job = Job.objects.get()
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    download = client.get(reverse("job-download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)["履职记录"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["姓名", "用户名", "所在单位", "时间", "履职事项", "办理对象", "期限", "是否按时"]
    assert [(row[1], row[4], row[6], row[7]) for row in rows[1:]] == [
        ("staff1", "公开检查结果", "2025-11-10", "逾期"),
        ("staff1", "办结检查（联合汇总）", "2025-09-30", "逾期"),
        ("inspector1", "录入检查结果", "2025-06-30", "逾期"),
    ]
    assert rows[1][3] == "2025-11-12 10:00"
    event = AuditEvent.objects.get(action="office.export")
    assert event.after["params"]["timeliness"] == "late"


def test_the_duty_page_opens_for_an_inspector(case, inspector_user):  # type: ignore[no-untyped-def]
    page = client_for(inspector_user).get(f"{reverse('duty-list')}?year={YEAR}").content.decode()
    assert "明细（2 条）" in page


def test_a_person_who_no_longer_holds_a_role_keeps_their_record(case, office_user, inspector_user):  # type: ignore[no-untyped-def]
    inspector_user.role_grants.all().delete()
    inspector_user.is_active = False
    inspector_user.save(update_fields=["is_active"])
    rows = duty_record(office_user, year=YEAR, person_id=inspector_user.pk)
    assert [(row.person.username, row.entry.timeliness) for row in rows] == [
        ("inspector1", "late"),
        ("inspector1", "on_time"),
    ]
