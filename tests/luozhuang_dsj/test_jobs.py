from django.core.files.base import ContentFile
from django.urls import reverse

from luozhuang_dsj.jobs import JobError, job_create, job_handler, run_job
from luozhuang_dsj.models import Job
from tests.conftest import client_for

calls: list[str] = []


@job_handler("test.write_file")
def _write_file(job, progress):
    calls.append(str(job.pk))
    progress(1, total=2, stage="写文件")
    job.result_file.save("out.csv", ContentFile("甲,乙\n".encode()), save=False)
    job.result_filename = "结果.csv"
    job.result = {"rows": 1}
    job.save(update_fields=["result_file", "result_filename", "result"])


@job_handler("test.refuse")
def _refuse(job, progress):
    raise JobError("文件不是有效的电子表格。")


@job_handler("test.crash")
def _crash(job, progress):
    raise KeyError("bug")


def test_a_job_is_queued_on_commit_runs_and_offers_its_file(
    staff, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(kind="test.write_file", title="测试导出", actor=staff)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.stage, job.result, job.attempts) == (
        "succeeded",
        2,
        2,
        "写文件",
        {"rows": 1},
        1,
    )
    client = client_for(staff)
    assert "下载 结果.csv" in client.get(reverse("job-detail", args=[job.pk])).content.decode()
    download = client.get(reverse("job-download", args=[job.pk]))
    assert b"".join(download.streaming_content).decode() == "甲,乙\n"


def test_a_finished_job_never_runs_twice(staff, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(kind="test.write_file", title="测试导出", actor=staff)
    run_job(str(job.pk))
    run_job(str(job.pk))
    assert calls == [str(job.pk)]


def test_a_refused_job_shows_its_chinese_reason(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(kind="test.refuse", title="测试导入", actor=staff)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "文件不是有效的电子表格。")
    assert (
        "文件不是有效的电子表格。"
        in client_for(staff).get(reverse("job-detail", args=[job.pk])).content.decode()
    )


def test_a_crashing_job_fails_without_exposing_the_bug(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(kind="test.crash", title="测试", actor=staff)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "处理时发生系统错误，请联系系统管理员。")


def test_another_users_job_is_not_found(staff, outsider):
    job = Job.objects.create(kind="test.write_file", title="x", created_by=staff, department=staff.department)
    client = client_for(outsider)
    assert client.get(reverse("job-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("job-download", args=[job.pk])).status_code == 404


def test_the_progress_snippet_polls_until_the_job_finishes(staff):
    job = Job.objects.create(
        kind="test.write_file", title="x", created_by=staff, total=10, done=3, status="running"
    )
    snippet = (
        client_for(staff).get(reverse("job-detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    )
    assert 'hx-trigger="every 1s"' in snippet
    assert "<html" not in snippet
