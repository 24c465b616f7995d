"""A job's download expires after JOB_DOWNLOAD_DAYS; then it says so and the file is purged."""

import datetime as dt

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from luozhuang_dsj.jobs import job_create, job_handler, purge_expired_downloads
from luozhuang_dsj.models import Job
from tests.conftest import client_for


@job_handler("test.expiring_file")
def _write_file(job, progress):
    job.result_file.save("out.csv", ContentFile("甲\n".encode()), save=False)
    job.result_filename = "结果.csv"
    job.save(update_fields=["result_file", "result_filename"])


def _finished_job(user, capture):
    with capture(execute=True):
        job = job_create(kind="test.expiring_file", title="测试导出", actor=user)
    job.refresh_from_db()
    return job


def test_the_download_expires_after_the_configured_days(
    staff, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.JOB_DOWNLOAD_DAYS = 2
    job = _finished_job(staff, django_capture_on_commit_callbacks)
    assert job.expires_at == job.finished_at + dt.timedelta(days=2)
    client = client_for(staff)
    assert client.get(reverse("job-download", args=[job.pk])).status_code == 200

    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(reverse("job-download", args=[job.pk]))
    assert response.status_code == 410
    assert "下载链接已过期（导出文件保留 2 天），请重新导出。" in response.content.decode()
    assert "请重新导出" in client.get(reverse("job-detail", args=[job.pk])).content.decode()


def test_the_cleanup_deletes_only_expired_files(
    staff, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    expired = _finished_job(staff, django_capture_on_commit_callbacks)
    fresh = _finished_job(staff, django_capture_on_commit_callbacks)
    Job.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired_path = expired.result_file.path

    assert purge_expired_downloads() == 1
    expired.refresh_from_db()
    fresh.refresh_from_db()
    assert (expired.result_file.name, fresh.result_file.storage.exists(fresh.result_file.name)) == ("", True)
    assert not (tmp_path / expired_path).exists()
    assert purge_expired_downloads() == 0
    # The page still explains why there is nothing to download.
    response = client_for(staff).get(reverse("job-download", args=[expired.pk]))
    assert response.status_code == 410


def test_the_cleanup_runs_nightly(settings):
    assert settings.CELERY_BEAT_SCHEDULE["purge-expired-downloads"]["task"] == (
        "luozhuang_dsj.tasks.purge_expired_downloads"
    )
