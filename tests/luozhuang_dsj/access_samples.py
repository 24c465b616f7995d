"""URL samples for the access matrix (see tests/access/samples.py)."""

from django.core.files.base import ContentFile

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import ImportBatch, Job
from registry.models import Department
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


# ---- imports -----------------------------------------------------------------------------------
#
# An import batch belongs to the department of the user who uploaded it and is seen by
# that department's users who may run that kind of import (luozhuang_dsj/import_views.py):
# another department's batch is not found, the office's included. The sample batch is an
# inspector import, which the office, staff and heads all run for their own department.
# Only the office imports targets; a department's staff do not find an office's target
# batch or template (tests/luozhuang_dsj/test_import_access.py).


def _batch(ctx, department: Department) -> ImportBatch:
    batch = ImportBatch.objects.filter(kind="registry.inspectors", department=department).first()
    if batch is not None:
        return batch
    uploader = next(
        (
            user
            for user in ctx.cast.values()
            if user.department_id == department.pk and user.has_role(Role.DEPT_STAFF)
        ),
        None,
    )
    batch = ImportBatch(
        kind="registry.inspectors",
        title=f"导入{department.short_name}执法检查人员",
        params={"department": department.code},
        original_filename="执法检查人员.csv",
        created_by=uploader,
        department=department,
        status=ImportBatch.Status.READY,
        report={
            "rows": 1,
            "valid_rows": 1,
            "error_rows": 0,
            "error_count": 0,
            "plan": {"counts": {"新增": 1}},
        },
    )
    batch.file.save(f"{batch.pk}.csv", ContentFile("人员编号,姓名\nX-1,样例\n".encode()), save=False)
    batch.save()
    return batch


def _batch_sample(ctx):
    return UrlSample(own={"pk": _batch(ctx, ctx.own).pk}, other={"pk": _batch(ctx, ctx.other).pk})


for name in ("import-detail", "import-confirm", "import-cancel", "import-file"):
    url_sample(name)(_batch_sample)


@url_sample("import-template")
def _template(ctx):
    # A blank template is no department's: each user downloads those of the imports they run.
    office = ctx.user is not None and ctx.user.has_role(Role.OFFICE)
    return UrlSample(own={"kind": "registry.targets" if office else "registry.inspectors"})
