"""URL samples for the access matrix (see tests/access/samples.py)."""

from django.core.files.base import ContentFile

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.models import Job
from tests.access.samples import UrlSample, url_sample


def _job(user, department):
    job = Job.objects.create(
        kind="test.access",
        title="样例导出",
        created_by=user,
        department=department,
        status=Job.Status.SUCCEEDED,
    )
    job.result_file.save("sample.csv", ContentFile(b"a,b\n"), save=False)
    job.result_filename = "样例.csv"
    job.save()
    return job


@url_sample("job-detail")
def _job_detail(ctx):
    # A job belongs to the user who started it; anyone else's is not found.
    other_user = ctx.cast["outsider"] if ctx.user != ctx.cast["outsider"] else ctx.cast["staff"]
    return UrlSample(own={"pk": _job(ctx.user, ctx.own).pk}, other={"pk": _job(other_user, ctx.other).pk})


@url_sample("job-download")
def _job_download(ctx):
    return _job_detail(ctx)


@url_sample("audit-event")
def _audit_event(ctx):
    return UrlSample(own={"pk": audit_record(action="test.sample", object_type="测试").pk})


def _some_user(ctx):
    return UrlSample(own={"pk": ctx.cast["head"].pk})


for name in ("sysadmin-user-edit", "security-password-reset", "security-unlock", "security-otp-reset"):
    url_sample(name)(_some_user)
