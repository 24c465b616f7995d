import base64
import os

from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "生成新的字段加密密钥（AES-256），输出可放入 FIELD_ENCRYPTION_KEY 的一项。"

    def handle(self, *args: object, **options: object) -> None:
        key_id = "k" + timezone.localdate().strftime("%Y%m%d")
        key = base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")
        self.stdout.write(f"{key_id}:{key}")
        self.stderr.write(
            "轮换密钥：把这一项放在 FIELD_ENCRYPTION_KEY 最前面（旧密钥保留在后面），重启后运行 "
            "manage.py field_keys_rotate，完成后即可删除旧密钥。密钥只放在环境变量或密钥管理系统中，不要提交到代码库。"
        )
