from django.core.management.base import BaseCommand
from django.db import transaction

from luozhuang_dsj.audit import audit_record
from luozhuang_dsj.lib.fieldcrypt import reencrypt_all


class Command(BaseCommand):
    help = "用 FIELD_ENCRYPTION_KEY 的第一个（当前）密钥重新加密所有加密字段，完成后可删除旧密钥。"

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            counts = reencrypt_all()
            audit_record(
                action="security.field_keys_rotate",
                username="system",
                object_type="字段加密密钥",
                after=counts,
            )
        for column, count in counts.items():
            self.stdout.write(f"{column}：重新加密 {count} 条")
