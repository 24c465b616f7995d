from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from luozhuang_dsj.demo import DEMO_PASSWORD, demo_accounts_seed
from plans.demo import plans_demo_seed
from registry.services import reference_data_load


class Command(BaseCommand):
    help = "生成演示数据和演示账号（确定性，可重复运行）。只能在演示环境（DEBUG=1）中使用。"

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "演示数据和演示账号只能在演示环境（DEBUG=1）中创建，生产环境不得存在默认账号。"
            )
        reference_data_load()
        users = demo_accounts_seed()
        plans_demo_seed()
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for user in users:
            self.stdout.write(
                f"  {user.username:<16} {user.name}  {user.department.short_name:<12} {user.role_labels}"
            )
