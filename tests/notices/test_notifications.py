"""notify(), the inbox pages, the bell, and the e-mail copies with their retries."""

import datetime

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luozhuang_dsj.models import AuditEvent
from notices import services
from notices.models import Notification
from notices.services import notify
from tests.conftest import client_for

KIND = Notification.Kind.PLAN_RETURNED


def _notify(*users, **values):
    return notify(
        recipients=users,
        kind=values.pop("kind", KIND),
        title=values.pop("title", "2026年度抽查计划被联席会议办公室退回修改"),
        body=values.pop("body", "退回意见：请补充抽查比例。"),
        link=values.pop("link", "/work/plans/"),
        **values,
    )


# ---- notify() ----------------------------------------------------------------------------------------


def test_notify_writes_one_unread_notification_per_active_recipient(staff, head, outsider):
    outsider.is_active = False
    outsider.save()
    assert _notify(staff, head, staff, outsider) == 2
    rows = Notification.objects.order_by("recipient__username")
    assert [(row.recipient.username, row.kind, row.read_at, row.email_status) for row in rows] == [
        ("head1", KIND, None, "none"),
        ("staff1", KIND, None, "none"),
    ]


def test_notify_with_a_dedupe_key_notifies_each_recipient_once(staff, head):
    _notify(staff, dedupe_key="plan.due:2026:SCJG")
    _notify(staff, head, dedupe_key="plan.due:2026:SCJG")
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["head1", "staff1"]


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x", "plans/3/", "/\\evil.example"])
def test_notify_refuses_a_link_that_leaves_the_site(staff, link):
    with pytest.raises(ValueError):
        _notify(staff, link=link)
    assert Notification.objects.count() == 0


def test_notify_refuses_an_unknown_kind(staff):
    with pytest.raises(ValueError):
        _notify(staff, kind="plan.lost")
    assert Notification.objects.count() == 0


# ---- pages -------------------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_on_every_staff_page(staff):
    _notify(staff)
    _notify(staff, title="第二条")
    page = client_for(staff).get(reverse("department-home")).content.decode()
    assert 'aria-label="通知，2 条未读"' in page
    assert '<span class="badge" aria-hidden="true">2</span>' in page


def test_the_bell_shows_no_badge_without_unread_notifications(staff):
    page = client_for(staff).get(reverse("department-home")).content.decode()
    assert 'aria-label="通知"' in page
    assert 'class="badge"' not in page


def test_the_list_shows_only_ones_own_notifications_and_filters_unread(staff, outsider):
    _notify(staff, title="给本人的通知")
    _notify(outsider, title="给别人的通知")
    read = Notification.objects.create(recipient=staff, kind=KIND, title="已读的通知", read_at=timezone.now())
    client = client_for(staff)
    page = client.get(reverse("notification-list")).content.decode()
    assert "给本人的通知" in page and "已读的通知" in page
    assert "给别人的通知" not in page
    unread = client.get(reverse("notification-list"), {"unread": "1"}).content.decode()
    assert "给本人的通知" in unread and read.title not in unread


def test_opening_a_notification_marks_it_read_and_follows_its_link(staff):
    _notify(staff, link="/work/plans/")
    notification = Notification.objects.get()
    response = client_for(staff).get(reverse("notification-open", args=[notification.pk]))
    assert (response.status_code, response["Location"]) == (302, "/work/plans/")
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert AuditEvent.objects.filter(action__startswith="notification").count() == 0


def test_another_users_notification_is_not_found_and_stays_unread(staff, outsider):
    _notify(outsider)
    notification = Notification.objects.get()
    client = client_for(staff)
    assert client.get(reverse("notification-open", args=[notification.pk])).status_code == 404
    assert client.post(reverse("notification-read", args=[notification.pk])).status_code == 404
    assert client.post(reverse("notification-read-all")).status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_one_and_then_all_read(staff):
    _notify(staff, title="一")
    _notify(staff, title="二")
    _notify(staff, title="三")
    first = Notification.objects.get(title="一")
    client = client_for(staff)
    client.post(reverse("notification-read", args=[first.pk]))
    assert sorted(Notification.objects.filter(read_at__isnull=True).values_list("title", flat=True)) == [
        "三",
        "二",
    ]
    response = client.post(reverse("notification-read-all"), follow=True)
    assert "已将 2 条通知标为已读。" in response.content.decode()
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_a_user_sets_the_notification_email_and_the_change_is_audited(staff):
    client = client_for(staff)
    response = client.post(reverse("notification-settings"), {"email": " staff1@luozhuang.example "})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.email == "staff1@luozhuang.example"
    event = AuditEvent.objects.get(action="user.notification_email")
    assert (event.username, event.before, event.after) == (
        "staff1",
        {"email": ""},
        {"email": "staff1@luozhuang.example"},
    )


def test_an_invalid_email_is_refused_with_a_chinese_message_and_nothing_changes(staff):
    response = client_for(staff).post(reverse("notification-settings"), {"email": "不是邮箱"})
    assert "请输入有效的电子邮件地址。" in response.content.decode()
    staff.refresh_from_db()
    assert staff.email == ""
    assert AuditEvent.objects.filter(action="user.notification_email").count() == 0


def test_the_settings_form_ignores_fields_it_does_not_offer(staff, jyj, outsider):
    from tests.access.mass_assignment import assert_mass_assignment_ignored, attacker_fields

    assert_mass_assignment_ignored(
        client_for(staff),
        reverse("notification-settings"),
        {"email": "staff1@luozhuang.example"},
        instance=staff,
        extra=attacker_fields(other_department=jyj, other_user=outsider),
    )


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(reverse("notification-list"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# ---- e-mail copies ----------------------------------------------------------------------------------


@pytest.fixture
def email_on(settings):
    settings.NOTIFICATION_EMAIL = True
    settings.SITE_URL = "https://dsj.luozhuang.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def _with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


def test_without_email_configured_notifications_stay_in_the_app(staff, django_capture_on_commit_callbacks):
    _with_email(staff, "staff1@luozhuang.example")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify(staff)
    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.get().email_status == "none"


def test_an_email_copy_is_sent_after_commit_to_recipients_with_an_address(
    email_on, staff, head, django_capture_on_commit_callbacks
):
    _with_email(staff, "staff1@luozhuang.example")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(staff, head, link="/work/plans/7/")
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [["staff1@luozhuang.example"]]
    message = mail.outbox[0]
    assert message.subject == "【双随机监管平台】2026年度抽查计划被联席会议办公室退回修改"
    assert "查看：https://dsj.luozhuang.example/work/plans/7/" in message.body
    statuses = dict(Notification.objects.values_list("recipient__username", "email_status"))
    assert statuses == {"staff1": "sent", "head1": "none"}


class _Failing(EmailBackend):
    def send_messages(self, messages):
        raise OSError("连接邮件服务器超时")


def test_a_failed_email_is_kept_and_retried_later_until_it_is_sent(email_on, staff):
    _with_email(staff, "staff1@luozhuang.example")
    email_on.EMAIL_BACKEND = "tests.notices.test_notifications._Failing"
    _notify(staff)
    now = timezone.now()
    run = services.notification_emails_send(now=now)
    notification = Notification.objects.get()
    assert (run.sent, run.retrying, run.failed) == (0, 1, 0)
    assert (notification.email_status, notification.email_attempts, notification.email_error) == (
        "pending",
        1,
        "连接邮件服务器超时",
    )
    assert notification.email_next_attempt_at == now + datetime.timedelta(minutes=5)
    # Not due yet: nothing is tried.
    assert services.notification_emails_send(now=now + datetime.timedelta(minutes=1)).retrying == 0
    email_on.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run = services.notification_emails_send(now=now + datetime.timedelta(minutes=6))
    notification.refresh_from_db()
    assert (run.sent, notification.email_status, notification.email_attempts) == (1, "sent", 2)
    assert len(mail.outbox) == 1


def test_an_email_that_keeps_failing_is_given_up_and_the_notification_stays(email_on, staff):
    _with_email(staff, "staff1@luozhuang.example")
    email_on.EMAIL_BACKEND = "tests.notices.test_notifications._Failing"
    email_on.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 2
    _notify(staff)
    now = timezone.now()
    services.notification_emails_send(now=now)
    run = services.notification_emails_send(now=now + datetime.timedelta(hours=1))
    notification = Notification.objects.get()
    assert (run.failed, notification.email_status, notification.email_attempts) == (1, "failed", 2)
    assert notification.read_at is None
    assert services.notification_emails_send(now=now + datetime.timedelta(days=1)).sent == 0


def test_an_email_left_sending_by_a_dead_worker_is_sent_again_after_its_lease(email_on, staff):
    _with_email(staff, "staff1@luozhuang.example")
    _notify(staff)
    now = timezone.now()
    Notification.objects.update(
        email_status="sending", email_attempts=1, email_next_attempt_at=now + datetime.timedelta(minutes=10)
    )
    assert services.notification_emails_send(now=now).sent == 0  # still leased to the other worker
    assert services.notification_emails_send(now=now + datetime.timedelta(minutes=11)).sent == 1
    assert Notification.objects.get().email_status == "sent"


def test_an_email_for_a_recipient_who_removed_the_address_is_not_sent(email_on, staff):
    _with_email(staff, "staff1@luozhuang.example")
    _notify(staff)
    _with_email(staff, "")
    services.notification_emails_send()
    assert mail.outbox == []
    assert Notification.objects.get().email_status == "none"


def test_the_email_task_runs_the_same_sending(email_on, staff):
    from notices.tasks import send_notification_emails

    _with_email(staff, "staff1@luozhuang.example")
    Notification.objects.create(recipient=staff, kind=KIND, title="待发送", email_status="pending")
    assert send_notification_emails() == 1
    assert len(mail.outbox) == 1
