from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """What the office keeps for everyone: notifications, the working-day calendar and the
    joint-meeting roster."""

    name = "notices"
    verbose_name = "通知、工作日历与联席会议"
