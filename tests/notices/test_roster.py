"""The joint-meeting roster: seeded from the plan's attachment, kept by the office (audited),
shown on the office home page and the public home page."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from luozhuang_dsj.models import AuditEvent
from notices import services
from notices.models import RosterMember
from notices.selectors import roster_groups
from tests.access.mass_assignment import assert_mass_assignment_ignored, attacker_fields
from tests.conftest import client_for


@pytest.fixture
def roster(db):
    services.roster_load()
    return roster_groups()


def roster_events():
    return list(
        AuditEvent.objects.filter(action__startswith="roster.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_the_seed_roster_is_loaded_as_the_attachment_lists_it(roster):
    assert [(group.duty, len(group.members)) for group in roster] == [
        ("总召集人", 1),
        ("召集人", 1),
        ("副召集人", 2),
        ("成员", 18),
        ("办公室主任", 1),
    ]
    assert [(m.name, m.post) for m in roster[0].members + roster[1].members] == [
        ("张伟峰", "区委常委、常务副区长"),
        ("王健", "区政府副区长"),
    ]
    assert [(m.name, m.department.code) for m in roster[2].members] == [("顾伟", "SCJG"), ("杨勇", "ZFB")]
    members = roster[3].members
    assert (members[0].name, members[0].post, members[0].department.code) == (
        "林祥芬",
        "区发改局二级主任科员",
        "FGJ",
    )
    assert (members[-1].name, members[-1].department.code) == ("王艳梅", "SWUJ")
    # Two members share the name 徐斌: one at 区应急管理局, one at 区市场监管局.
    assert sorted(m.department.code for m in members if m.name == "徐斌") == ["SCJG", "YJGL"]
    assert roster[4].members[0].name == "顾伟"
    assert roster_events() == ["roster.load"]


def test_loading_again_keeps_the_offices_edits(roster, office_user):
    member = RosterMember.objects.get(name="王健")
    services.roster_member_save(
        actor=office_user, member=member, data=services.RosterData("召集人", 1, "李明", "区政府副区长")
    )
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert "联席会议成员名单：新增 0 条" in out.getvalue()
    assert RosterMember.objects.count() == 23
    assert list(RosterMember.objects.filter(duty="召集人").values_list("name", flat=True)) == ["李明"]


def test_the_office_edits_a_seat_and_the_change_is_audited(roster, office_user):
    member = RosterMember.objects.get(duty="成员", department__code="JYJ")
    response = client_for(office_user).post(
        reverse("roster-edit", args=[member.pk]),
        {
            "duty": "成员",
            "position": "2",
            "name": "周 敏",
            "post": "区教育局副局长",
            "department": member.department_id,
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.name, member.post) == ("周敏", "区教育局副局长")
    event = AuditEvent.objects.get(action="roster.update")
    assert (event.username, event.object_type, event.before["name"], event.after["name"]) == (
        "office1",
        "联席会议成员",
        "秦磊",
        "周敏",
    )


def test_the_office_adds_and_deletes_a_seat(roster, office_user, head):
    client = client_for(office_user)
    response = client.post(
        reverse("roster-create"),
        {
            "duty": "成员",
            "position": "19",
            "name": "测试人员",
            "post": "区市场监管局科长",
            "department": head.department_id,
            "user": head.pk,
        },
    )
    assert response.status_code == 302
    member = RosterMember.objects.get(name="测试人员")
    assert (member.department.code, member.user) == ("SCJG", head)
    assert client.post(reverse("roster-delete", args=[member.pk])).status_code == 302
    assert not RosterMember.objects.filter(name="测试人员").exists()
    assert roster_events() == ["roster.load", "roster.create", "roster.delete"]
    assert AuditEvent.objects.get(action="roster.delete").before["name"] == "测试人员"


def test_a_second_general_convener_is_refused_and_nothing_is_written(roster, office_user):
    response = client_for(office_user).post(
        reverse("roster-create"), {"duty": "总召集人", "position": "1", "name": "某某", "post": "区长"}
    )
    assert "总召集人只能有一位，现由张伟峰担任；请先修改该成员。" in response.content.decode()
    assert RosterMember.objects.count() == 23
    assert roster_events() == ["roster.load"]


def test_an_account_of_another_department_is_refused(roster, office_user, outsider):
    member = RosterMember.objects.get(duty="成员", department__code="SCJG")
    response = client_for(office_user).post(
        reverse("roster-edit", args=[member.pk]),
        {
            "duty": "成员",
            "position": "13",
            "name": "徐斌",
            "post": "区市场监管局主任科员",
            "department": member.department_id,
            "user": outsider.pk,
        },
    )
    assert "该账号属于区教育局，与所选成员单位不一致。" in response.content.decode()
    member.refresh_from_db()
    assert member.user is None
    assert roster_events() == ["roster.load"]


def test_the_roster_form_ignores_fields_it_does_not_offer(roster, office_user, jyj, outsider):
    member = RosterMember.objects.get(duty="成员", department__code="FGJ")
    assert_mass_assignment_ignored(
        client_for(office_user),
        reverse("roster-edit", args=[member.pk]),
        {
            "duty": "成员",
            "position": "1",
            "name": "林祥芬",
            "post": "区发改局二级主任科员",
            "department": member.department_id,
        },
        instance=member,
        extra=attacker_fields(other_department=jyj, other_user=outsider),
    )
    member.refresh_from_db()
    assert member.department.code == "FGJ"


def test_department_staff_cannot_edit_the_roster(roster, staff):
    member = RosterMember.objects.get(duty="总召集人")
    response = client_for(staff).post(
        reverse("roster-edit", args=[member.pk]),
        {"duty": "总召集人", "position": "1", "name": "冒名", "post": "区长"},
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.name == "张伟峰"


def test_the_public_and_office_home_pages_show_the_roster_without_contact_data(roster, office_user):
    public = Client().get(reverse("public-home")).content.decode()
    for text in ("联席会议成员名单", "总召集人", "张伟峰", "区委常委、常务副区长", "办公室主任", "王艳梅"):
        assert text in public
    assert not re.search(r"1[3-9]\d{9}|0539-?\d{7}", public)
    office = client_for(office_user).get(reverse("office-home")).content.decode()
    assert "张伟峰" in office and reverse("roster-list") in office
