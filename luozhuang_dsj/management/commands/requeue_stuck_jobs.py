import datetime as dt

from django.core.management.base import BaseCommand

from luozhuang_dsj.jobs import requeue_stuck_jobs


class Command(BaseCommand):
    help = "重新投递卡住的后台任务（消息随 Redis 丢失，或执行它的进程已退出）。Celery beat 每分钟运行一次。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="只处理超过该秒数未排队的任务（缺省取 JOB_REQUEUE_AFTER_SECONDS）",
        )

    def handle(self, *args: object, **options: int | None) -> None:
        seconds = options["older_than"]
        requeued = requeue_stuck_jobs(older_than=None if seconds is None else dt.timedelta(seconds=seconds))
        self.stdout.write(f"已重新投递 {len(requeued)} 个后台任务。")
