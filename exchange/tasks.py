"""The scheduled exchange (settings.CELERY_BEAT_SCHEDULE["provincial-exchange"]) and the
office's jobs: a run started from the exchange page, a file uploaded there."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.urls import reverse

from exchange import services
from exchange.models import ExchangeRun, InboundFile
from luozhuang_dsj.jobs import JobError, Progress, job_handler
from luozhuang_dsj.models import Job


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def exchange_scheduled_run() -> int:
    """Safe to run again or twice at once: one run holds the lock, collection is
    idempotent and each item is claimed before it is sent."""
    run = services.exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)
    return run.queued if run else 0


@job_handler("exchange.run")
def _run_job(job: Job, progress: Progress) -> None:
    progress(0, total=1, stage="采集、发送、接收")
    run = services.exchange_run(trigger=ExchangeRun.Trigger.OFFICE, actor=job.created_by)
    if run is None:
        raise JobError("另一次数据交换正在进行，请稍后查看交换记录。")
    job.result = {
        "next_url": reverse("exchange-home"),
        "next_label": "返回数据交换",
        "新增待发送": run.queued,
        "发送成功": run.sent,
        "发送失败": run.failed,
        "接收导入": run.received,
        "接收拒收": run.rejected,
    }
    job.save(update_fields=["result"])
    if run.error:
        raise JobError(run.error)


@job_handler("exchange.receive")
def _receive_job(job: Job, progress: Progress) -> None:
    """A file the office uploaded, kept under MEDIA_ROOT/exchange/uploads/ until processed. Run
    again after a killed worker, it finds the file's record by its digest."""
    path = Path(job.params["path"])
    if path.is_file():
        progress(0, total=1, stage="校验并导入")
        inbound, _ = services.exchange_receive(
            kind=job.params["kind"],
            path=path,
            filename=job.params["filename"],
            source=InboundFile.Source.UPLOAD,
            actor=job.created_by,
        )
        path.unlink(missing_ok=True)
    else:
        inbound = InboundFile.objects.filter(sha256=job.params["sha256"]).first()
        if inbound is None:
            raise JobError("上传的文件已不存在，请重新上传。")
    job.result = {"next_url": reverse("exchange-home"), "next_label": "返回数据交换", **inbound.outcome}
    job.save(update_fields=["result"])
    if inbound.status == InboundFile.Status.REJECTED:
        raise JobError(inbound.reason)
