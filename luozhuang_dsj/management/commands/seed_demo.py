from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from disclosure.demo import disclosure_demo_seed
from inspections.demo import inspections_demo_seed
from luozhuang_dsj.demo import DEMO_PASSWORD, demo_accounts_seed
from plans.demo import plans_demo_seed
from registry.demo import demo_registries_seed
from registry.services import reference_data_load


class Command(BaseCommand):
    help = "生成演示数据和演示账号（确定性，可重复运行）。只能在演示环境（DEBUG=1）中使用。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--targets", type=int, default=3000, help="检查对象数量（默认 3000）")
        parser.add_argument("--inspectors", type=int, default=150, help="执法检查人员数量（默认 150）")
        parser.add_argument(
            "--seed", type=int, default=2019, help="随机种子：相同种子生成相同数据（默认 2019）"
        )

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "演示数据和演示账号只能在演示环境（DEBUG=1）中创建，生产环境不得存在默认账号。"
            )
        targets, inspectors, seed = options["targets"], options["inspectors"], options["seed"]
        if targets < 0 or inspectors < 0:  # type: ignore[operator]
            raise CommandError("数量不能为负数。")
        reference_data_load()
        users = demo_accounts_seed()
        report = demo_registries_seed(targets=targets, inspectors=inspectors, seed=seed)  # type: ignore[arg-type]
        plans_demo_seed()
        inspections = inspections_demo_seed(seed=seed)  # type: ignore[arg-type]
        disclosure = disclosure_demo_seed()
        self.stdout.write(
            f"两库演示数据（种子 {seed}）：新增检查对象 {report.targets} 个、分库 {report.sub_registries} 个、"
            f"执法检查人员 {report.inspectors} 名、回避关系 {report.conflicts} 条。"
        )
        if inspections.created:
            self.stdout.write(
                f"检查演示数据：已抽取联合抽查任务，抽中 {inspections.inspections} 户，部分结果已录入，"
                "含责令改正、移交区教育局的事项和个案线索。"
            )
        elif inspections.note:
            self.stdout.write(inspections.note)
        if disclosure.published or disclosure.objections:
            self.stdout.write(
                f"公开演示数据：公开检查结果 {disclosure.published} 批，待处理的异议 {disclosure.objections} 件。"
            )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for user in users:
            self.stdout.write(
                f"  {user.username:<16} {user.name}  {user.department.short_name:<12} {user.role_labels}"
            )
