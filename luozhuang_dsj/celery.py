"""The Celery app. Without REDIS_URL, settings make every task run in-process (eager)."""

from __future__ import annotations

import os
import sys

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luozhuang_dsj.settings")

try:
    from django.conf import settings

    settings.INSTALLED_APPS  # noqa: B018 - load settings now, to report a bad one in one line
except Exception as error:  # pragma: no cover - exercised by hand in a container
    from luozhuang_dsj.lib.env import SettingsError

    if isinstance(error, SettingsError):
        sys.stderr.write(f"{error}\n")
        raise SystemExit(2) from None
    raise

app = Celery("luozhuang_dsj")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
