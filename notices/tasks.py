"""Celery tasks: the e-mail copies of notifications and the daily reminders.

Both are safe to run again and in several workers at once (see the services they call).
"""

from __future__ import annotations

from celery import shared_task

from notices import reminders, services


@shared_task(ignore_result=True)
def send_notification_emails() -> int:
    """Queued on commit by `notify()`, and every few minutes by beat for retries."""
    return services.notification_emails_send().sent


@shared_task(ignore_result=True)
def send_daily_reminders() -> int:
    run = reminders.daily_reminders_send()
    return run.plan_departments
