"""Who may see and change what: a notification is its recipient's alone; the roster and
the holiday table are the office's (the views' role check), and belong to no department."""

from __future__ import annotations

from django.http import Http404

from luozhuang_dsj.models import User
from notices.models import HolidayArrangement, HolidayDay, Notification, RosterMember


def get_notification_for_user(*, user: User, pk: int) -> Notification:
    notification = Notification.objects.filter(pk=pk, recipient=user).first()
    if notification is None:
        raise Http404("没有找到该通知。")
    return notification


def get_roster_member_for_user(*, user: User, pk: int) -> RosterMember:
    member = RosterMember.objects.select_related("department", "user").filter(pk=pk).first()
    if member is None:
        raise Http404("没有找到该联席会议成员。")
    return member


def get_holiday_arrangement_for_user(*, user: User, year: int) -> HolidayArrangement:
    arrangement = HolidayArrangement.objects.filter(year=year).first()
    if arrangement is None:
        raise Http404("该年度的节假日安排尚未录入。")
    return arrangement


def get_holiday_day_for_user(*, user: User, pk: int) -> HolidayDay:
    day = HolidayDay.objects.select_related("arrangement").filter(pk=pk).first()
    if day is None:
        raise Http404("没有找到该日期。")
    return day
