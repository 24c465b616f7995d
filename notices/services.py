"""Writes: notifications and their e-mail copies, the holiday table, the roster.

`notify()` is the one door for notifications. Callers pass the recipients (see
`notices.selectors` for the rules, and `notices.events` for the events wired today); it
is called inside the transaction of the change it announces, so a rolled-back change
notifies nobody. E-mail copies are sent after the commit by a Celery task; their state
is in the notification's row, so a failed or interrupted delivery is retried later.
"""

from __future__ import annotations

import csv
import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from notices import workdays
from notices.models import HolidayArrangement, HolidayDay, Notification, RosterMember
from registry.models import Department

logger = logging.getLogger(__name__)

# ---- notifications ----------------------------------------------------------------------------


def _check_link(link: str) -> None:
    # Links are paths on this site: the list page redirects to them, so they must never point away.
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValueError(f"notification links are paths on this site, not {link!r}")


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
) -> int:
    """Notify each recipient once (inactive users are skipped); returns how many were asked.

    With `dedupe_key`, a recipient who already has a notification with that key gets no
    second one: scheduled reminders and retried jobs can call this again safely.
    An e-mail copy is queued for recipients with an address when e-mail is configured.
    """
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    _check_link(link)
    people = {user.pk: user for user in recipients if user.is_active}
    if not people:
        return 0
    emailing = settings.NOTIFICATION_EMAIL
    now = timezone.now()
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            title=title[:200],
            body=body,
            link=link,
            created_at=now,
            dedupe_key=dedupe_key,
            email_status=(
                Notification.EmailStatus.PENDING if emailing and user.email else Notification.EmailStatus.NONE
            ),
        )
        for user in people.values()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
    if emailing and any(row.email_status == Notification.EmailStatus.PENDING for row in rows):
        transaction.on_commit(_queue_emails, robust=True)
    return len(rows)


def _queue_emails() -> None:
    from notices.tasks import send_notification_emails

    try:
        send_notification_emails.delay()
    except Exception:  # the broker may be down; the rows stay pending and the beat task sends them
        logger.warning("notification e-mails not queued; the periodic task will send them", exc_info=True)


def notification_mark_read(*, user: User, notification: Notification) -> None:
    """Reading one's own notification is not business data: it is not audited."""
    Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_email_set(*, actor: User, email: str) -> User:
    """A user sets (or clears) the address their notifications are copied to."""
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": "请输入有效的电子邮件地址。"}) from None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        before = user.email
        if before == email:
            return user
        user.email = email
        user.save(update_fields=["email"])
        audit_record(
            action="user.notification_email",
            actor=actor,
            role=",".join(sorted(actor.roles)),
            object_type="用户",
            object_key=user.username,
            before={"email": before},
            after={"email": email},
        )
    return user


# ---- e-mail copies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailRun:
    sent: int
    retrying: int
    failed: int


def _retry_delay(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(5 * 2 ** (attempts - 1), 6 * 60))


def _email_message(notification: Notification, connection: Any) -> EmailMessage:
    lines = [notification.title, ""]
    if notification.body:
        lines += [notification.body, ""]
    if notification.link:
        lines.append(f"查看：{settings.SITE_URL}{notification.link}")
    lines.append("")
    lines.append("—— 罗庄区“双随机、一公开”监管平台（本邮件由系统发送，请勿回复）")
    return EmailMessage(
        subject=f"【双随机监管平台】{notification.title}",
        body="\n".join(lines),
        to=[notification.recipient.email],
        connection=connection,
    )


def notification_emails_send(*, now: datetime.datetime | None = None, limit: int = 200) -> EmailRun:
    """Send the e-mail copies that are due. Safe to run in several workers at once: each
    row is claimed with a conditional update and leased; a lease that ran out (the worker
    died while sending) makes the row due again, so a copy can at worst go out twice,
    never not at all. A failure is retried with a growing delay, then given up."""
    if not settings.NOTIFICATION_EMAIL:
        return EmailRun(0, 0, 0)
    now = now or timezone.now()
    Notification.objects.filter(
        email_status=Notification.EmailStatus.SENDING, email_next_attempt_at__lte=now
    ).update(email_status=Notification.EmailStatus.PENDING)
    due = Q(email_status=Notification.EmailStatus.PENDING) & (
        Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=now)
    )
    candidates = list(Notification.objects.filter(due).order_by("id").values_list("pk", flat=True)[:limit])
    sent = retrying = failed = 0
    lease = now + datetime.timedelta(seconds=settings.NOTIFICATION_EMAIL_LEASE_SECONDS)
    connection = get_connection(fail_silently=False)
    for pk in candidates:
        claimed = Notification.objects.filter(due, pk=pk).update(
            email_status=Notification.EmailStatus.SENDING,
            email_attempts=F("email_attempts") + 1,
            email_next_attempt_at=lease,
        )
        if not claimed:
            continue  # another worker has it
        notification = Notification.objects.select_related("recipient").get(pk=pk)
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            Notification.objects.filter(pk=pk).update(
                email_status=Notification.EmailStatus.NONE,
                email_next_attempt_at=None,
                email_error="接收人已停用或未设置电子邮件地址",
            )
            continue
        try:
            _email_message(notification, connection).send()
        except Exception as error:  # SMTP, DNS and socket errors share no base class worth naming
            logger.warning("notification %s: e-mail not sent: %s", pk, error)
            gave_up = notification.email_attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS
            Notification.objects.filter(pk=pk).update(
                email_status=Notification.EmailStatus.FAILED if gave_up else Notification.EmailStatus.PENDING,
                email_next_attempt_at=None if gave_up else now + _retry_delay(notification.email_attempts),
                email_error=str(error)[:300] or error.__class__.__name__,
            )
            failed += gave_up
            retrying += not gave_up
            continue
        Notification.objects.filter(pk=pk).update(
            email_status=Notification.EmailStatus.SENT,
            email_sent_at=timezone.now(),
            email_next_attempt_at=None,
            email_error="",
        )
        sent += 1
    return EmailRun(sent, retrying, failed)


# ---- the holiday table ----------------------------------------------------------------------------

HOLIDAY_OBJECT_TYPE = "法定节假日安排"


def _holiday_audit(action: str, actor: User, year: int, **changes: Any) -> None:
    audit_record(
        action=f"calendar.{action}",
        actor=actor,
        role=Role.OFFICE,
        object_type=HOLIDAY_OBJECT_TYPE,
        object_key=str(year),
        **changes,
    )


def holiday_arrangement_create(*, actor: User, year: int, source: str) -> HolidayArrangement:
    """Start entering a year's arrangement. Refused for a year the built-in calendar covers:
    the State Council's notice is already there, and a second copy could only diverge."""
    source = source.strip()
    errors: dict[str, str] = {}
    if workdays.built_in_covers(year):
        errors["year"] = (
            f"{year}年的法定节假日安排已内置（国务院办公厅通知，"
            f"内置数据覆盖{workdays.BUILT_IN_FIRST_YEAR}—{workdays.BUILT_IN_LAST_YEAR}年），无需录入。"
        )
    elif not 2000 <= year <= 2100:
        errors["year"] = "年度应在2000至2100之间。"
    if not source:
        errors["source"] = "请填写依据文件，如国务院办公厅关于该年度部分节假日安排的通知。"
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            arrangement = HolidayArrangement.objects.create(year=year, source=source, created_by=actor)
            _holiday_audit("year_create", actor, year, after={"source": source})
    except IntegrityError:
        raise ValidationError({"year": f"{year}年的节假日安排已录入。"}) from None
    return arrangement


def holiday_arrangement_update(
    *, actor: User, arrangement: HolidayArrangement, source: str
) -> HolidayArrangement:
    source = source.strip()
    if not source:
        raise ValidationError({"source": "请填写依据文件。"})
    with transaction.atomic():
        arrangement = HolidayArrangement.objects.select_for_update().get(pk=arrangement.pk)
        before = arrangement.source
        arrangement.source = source
        arrangement.save(update_fields=["source", "updated_at"])
        _holiday_audit(
            "year_update", actor, arrangement.year, before={"source": before}, after={"source": source}
        )
    return arrangement


def holiday_arrangement_delete(*, actor: User, arrangement: HolidayArrangement) -> None:
    """Remove a year's entered arrangement and its days: its deadlines go back to weekends
    only, with the warning."""
    with transaction.atomic():
        arrangement = HolidayArrangement.objects.select_for_update().get(pk=arrangement.pk)
        days = [
            {"date": day, "kind": kind, "name": name}
            for day, kind, name in arrangement.days.order_by("date").values_list("date", "kind", "name")
        ]
        year = arrangement.year
        arrangement.delete()
        _holiday_audit("year_delete", actor, year, before={"source": arrangement.source, "days": days})


def holiday_days_add(
    *,
    actor: User,
    arrangement: HolidayArrangement,
    first: datetime.date,
    last: datetime.date | None,
    kind: str,
    name: str,
) -> list[HolidayDay]:
    """Add one day or a run of days (a festival's days off, 国庆节 10月1日至7日) to a year's
    arrangement. Every day must be in that year and not entered yet."""
    last = last or first
    name = name.strip()
    errors: dict[str, str] = {}
    if kind not in HolidayDay.Kind.values:
        errors["kind"] = "请选择放假或调休上班。"
    if not name:
        errors["name"] = "请填写节日名称，如春节。"
    if last < first:
        errors["last"] = "结束日期不能早于开始日期。"
    elif (last - first).days > 30:
        errors["last"] = "一次最多录入31天。"
    elif first.year != arrangement.year or last.year != arrangement.year:
        errors["first"] = f"日期须在{arrangement.year}年内。"
    if errors:
        raise ValidationError(errors)
    dates = [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]
    with transaction.atomic():
        arrangement = HolidayArrangement.objects.select_for_update().get(pk=arrangement.pk)
        taken = sorted(HolidayDay.objects.filter(date__in=dates).values_list("date", flat=True))
        if taken:
            listed = "、".join(f"{day:%Y-%m-%d}" for day in taken)
            raise ValidationError({"first": f"以下日期已录入，请先删除再改：{listed}。"})
        days = HolidayDay.objects.bulk_create(
            [HolidayDay(arrangement=arrangement, date=day, kind=kind, name=name) for day in dates]
        )
        HolidayArrangement.objects.filter(pk=arrangement.pk).update(updated_at=timezone.now())
        _holiday_audit(
            "days_add",
            actor,
            arrangement.year,
            after={"dates": dates, "kind": kind, "name": name},
        )
    return days


def holiday_day_delete(*, actor: User, day: HolidayDay) -> None:
    with transaction.atomic():
        day = HolidayDay.objects.select_for_update().select_related("arrangement").get(pk=day.pk)
        year = day.arrangement.year
        before = {"date": day.date, "kind": day.kind, "name": day.name}
        day.delete()
        HolidayArrangement.objects.filter(year=year).update(updated_at=timezone.now())
        _holiday_audit("day_delete", actor, year, before=before)


# ---- the roster -----------------------------------------------------------------------------------

ROSTER_OBJECT_TYPE = "联席会议成员"
ROSTER_CSV = Path(settings.BASE_DIR) / "data" / "joint_meeting_roster.csv"


def roster_snapshot(member: RosterMember) -> dict[str, Any]:
    return {
        "duty": member.duty,
        "position": member.position,
        "name": member.name,
        "post": member.post,
        "department": member.department.code if member.department else "",
        "user": member.user.username if member.user else "",
    }


@dataclass
class RosterData:
    duty: str
    position: int
    name: str
    post: str
    department: Department | None = None
    user: User | None = None


def _roster_check(data: RosterData, member: RosterMember | None) -> None:
    errors: dict[str, str] = {}
    data.name = "".join(data.name.split())  # the attachment pads two-character names: 王 健
    data.post = data.post.strip()
    if data.duty not in RosterMember.Duty.values:
        errors["duty"] = "请选择职责。"
    if not data.name:
        errors["name"] = "请填写姓名。"
    if not data.post:
        errors["post"] = "请填写职务。"
    if data.department is not None and not data.department.is_active:
        errors["department"] = "该成员单位已停用。"
    if data.user is not None:
        if not data.user.is_active:
            errors["user"] = "该账号已停用。"
        elif data.department is not None and data.user.department_id != data.department.pk:
            errors["user"] = f"该账号属于{data.user.department.short_name}，与所选成员单位不一致。"
    if data.duty in RosterMember.SINGLE_DUTIES:
        holders = RosterMember.objects.filter(duty=data.duty)
        if member is not None:
            holders = holders.exclude(pk=member.pk)
        holder = holders.first()
        if holder is not None:
            errors["duty"] = f"{data.duty}只能有一位，现由{holder.name}担任；请先修改该成员。"
    if errors:
        raise ValidationError(errors)


def _roster_write(member: RosterMember, data: RosterData) -> None:
    member.duty, member.position, member.name, member.post = data.duty, data.position, data.name, data.post
    member.department, member.user = data.department, data.user
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError({"duty": f"{data.duty}只能有一位。"}) from None


def roster_member_save(*, actor: User, member: RosterMember | None, data: RosterData) -> RosterMember:
    """Add a seat or change one (a new convener, a department's new member)."""
    _roster_check(data, member)
    with transaction.atomic():
        if member is None:
            member, before = RosterMember(), None
        else:
            member = RosterMember.objects.select_for_update().get(pk=member.pk)
            before = roster_snapshot(member)
        _roster_write(member, data)
        audit_record(
            action="roster.create" if before is None else "roster.update",
            actor=actor,
            role=Role.OFFICE,
            object_type=ROSTER_OBJECT_TYPE,
            object_key=str(member.pk),
            before=before,
            after=roster_snapshot(member),
        )
    return member


def roster_member_delete(*, actor: User, member: RosterMember) -> None:
    with transaction.atomic():
        member = RosterMember.objects.select_for_update().get(pk=member.pk)
        before = roster_snapshot(member)
        key = str(member.pk)
        member.delete()
        audit_record(
            action="roster.delete",
            actor=actor,
            role=Role.OFFICE,
            object_type=ROSTER_OBJECT_TYPE,
            object_key=key,
            before=before,
        )


@transaction.atomic
def roster_load(path: Path = ROSTER_CSV) -> int:
    """Seed the roster from data/joint_meeting_roster.csv (the seed's attachment) when it is
    empty. Once the office keeps the roster, re-running the loader changes nothing."""
    if RosterMember.objects.exists():
        return 0
    departments = {department.code: department for department in Department.objects.all()}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    members = []
    for row in rows:
        code = row["department_code"].strip()
        if code and code not in departments:
            raise ValueError(f"{path.name}: unknown department code {code!r}; load departments.csv first")
        data = RosterData(
            duty=row["duty"].strip(),
            position=int(row["position"]),
            name=row["name"],
            post=row["post"],
            department=departments.get(code) if code else None,
        )
        _roster_check(data, None)
        members.append(
            RosterMember(
                duty=data.duty,
                position=data.position,
                name=data.name,
                post=data.post,
                department=data.department,
            )
        )
    RosterMember.objects.bulk_create(members)
    audit_record(
        action="roster.load",
        username="system",
        object_type=ROSTER_OBJECT_TYPE,
        after={"members": len(members), "file": path.name},
    )
    return len(members)
