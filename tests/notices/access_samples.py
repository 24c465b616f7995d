"""URL samples for the access matrix: notifications belong to their recipient; the roster
and the holiday table belong to no department (the office keeps them)."""

import datetime

from notices.models import HolidayArrangement, HolidayDay, Notification, RosterMember
from tests.access.samples import UrlSample, url_sample

ENTERED_YEAR = 2031


def _notification(user):
    return Notification.objects.create(
        recipient=user, kind=Notification.Kind.PLAN_RETURNED, title="样例通知", link="/work/plans/"
    ).pk


def _someone_else(ctx):
    return ctx.cast["outsider"] if ctx.user != ctx.cast["outsider"] else ctx.cast["staff"]


@url_sample("notification-open")
def _notification_sample(ctx):
    # Anyone's own notification opens; another user's is not found.
    owner = ctx.user or ctx.cast["staff"]
    return UrlSample(own={"pk": _notification(owner)}, other={"pk": _notification(_someone_else(ctx))})


url_sample("notification-read")(_notification_sample)


def _arrangement(ctx):
    arrangement, _ = HolidayArrangement.objects.get_or_create(
        year=ENTERED_YEAR, defaults={"source": "样例通知", "created_by": ctx.cast["office"]}
    )
    return arrangement


@url_sample("holiday-year")
def _holiday_year(ctx):
    return UrlSample(own={"year": _arrangement(ctx).year})


url_sample("holiday-year-edit")(_holiday_year)
url_sample("holiday-year-delete")(_holiday_year)


@url_sample("holiday-day-delete")
def _holiday_day(ctx):
    day, _ = HolidayDay.objects.get_or_create(
        date=datetime.date(ENTERED_YEAR, 10, 1),
        defaults={"arrangement": _arrangement(ctx), "kind": HolidayDay.Kind.HOLIDAY, "name": "国庆节"},
    )
    return UrlSample(own={"pk": day.pk})


@url_sample("roster-edit")
def _roster_member(ctx):
    member = RosterMember.objects.create(duty=RosterMember.Duty.MEMBER, name="样例", post="样例职务")
    return UrlSample(own={"pk": member.pk})


url_sample("roster-delete")(_roster_member)
