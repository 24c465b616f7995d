from django.core.management.base import BaseCommand

from notices.services import roster_load
from registry.services import reference_data_load


class Command(BaseCommand):
    help = "载入 data/ 下的参考数据（成员单位、镇街、检查结果代码、联席会议成员名单）；已有的记录保持不变。"

    def handle(self, *args: object, **options: object) -> None:
        report = reference_data_load()
        self.stdout.write(
            f"参考数据：新增成员单位 {report.departments} 个、镇街 {report.towns} 个、结果代码 {report.result_codes} 个。"
        )
        members = roster_load()
        self.stdout.write(f"联席会议成员名单：新增 {members} 条（名单已有内容时不变）。")
