from django.core.management.base import BaseCommand, CommandError

from luozhuang_dsj.audit import audit_verify_chain


class Command(BaseCommand):
    help = "逐条校验审计日志哈希链，报告第一处断裂。"

    def handle(self, *args: object, **options: object) -> None:
        report = audit_verify_chain()
        if not report.is_intact:
            raise CommandError(f"审计链断裂（已校验 {report.checked} 条）：{report.problem}")
        self.stdout.write(f"审计链完整：已校验 {report.checked} 条事件。")
