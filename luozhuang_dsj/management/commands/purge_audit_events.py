from django.core.management.base import BaseCommand

from luozhuang_dsj.audit import audit_purge


class Command(BaseCommand):
    help = "删除超过保存期限（AUDIT_RETENTION_DAYS，至少 184 天）的审计事件，并记录清理检查点。Celery beat 每天运行一次。"

    def handle(self, *args: object, **options: object) -> None:
        report = audit_purge()
        if report.deleted:
            self.stdout.write(
                f"已删除 {report.cutoff:%Y-%m-%d %H:%M} 之前的 {report.deleted} 条审计事件，"
                f"清理检查点为第 {report.checkpoint_id} 号事件。"
            )
        else:
            self.stdout.write(f"没有 {report.cutoff:%Y-%m-%d %H:%M} 之前的审计事件，无需清理。")
