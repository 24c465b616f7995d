import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.services import user_create
from registry.models import Department


class Command(BaseCommand):
    help = "创建用户（用于部署后创建第一个系统管理员）。密码从终端读取，不出现在命令行中。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--department", required=True, help="单位代码，如 SCJG")
        parser.add_argument("--role", action="append", required=True, choices=Role.values, help="可重复")

    def handle(self, *args: object, **options: str) -> None:
        department = Department.objects.filter(code=options["department"]).first()
        if department is None:
            raise CommandError(f"单位代码 {options['department']} 不存在，请先运行 load_reference_data。")
        password = getpass.getpass("密码：")
        if password != getpass.getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致。")
        try:
            user = user_create(
                actor=None,
                username=options["username"],
                name=options["name"],
                department=department,
                roles=options["role"],
                password=password,
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(f"已创建用户 {user.username}（{user.role_labels}）。")
