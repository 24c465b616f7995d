from django.core.management.base import BaseCommand, CommandError

from exchange.models import ExchangeRun
from exchange.services import exchange_run


class Command(BaseCommand):
    help = "与省工作平台交换一次数据（采集待发送数据、发送、导入接收目录中的文件），与定时任务相同。"

    def handle(self, *args: object, **options: object) -> None:
        run = exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)
        if run is None:
            raise CommandError("另一次数据交换正在进行，本次未运行。")
        self.stdout.write(
            f"新增待发送 {run.queued} 条，发送成功 {run.sent} 条，发送失败 {run.failed} 条；"
            f"接收导入 {run.received} 个文件，拒收 {run.rejected} 个。"
        )
        if run.error:
            raise CommandError(run.error)
