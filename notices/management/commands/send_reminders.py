import datetime

from django.core.management.base import BaseCommand, CommandError

from notices.reminders import daily_reminders_send


class Command(BaseCommand):
    help = (
        "发送当日的定时提醒（年度计划报送期限，结果公开、结果录入和后续处置期限，下一年度节假日安排未录入）；"
        "同一提醒不会重复发送。"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--date", help="按哪一天计算（YYYY-MM-DD），默认今天")

    def handle(self, *args: object, **options: object) -> None:
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(str(options["date"]))
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        run = daily_reminders_send(today=today)
        missing = "，已提醒办公室录入下一年度节假日安排" if run.holidays_missing else ""
        self.stdout.write(f"已提醒尚未报送年度计划的部门 {run.plan_departments} 个{missing}。")
        if run.publications or run.result_entries or run.follow_ups:
            self.stdout.write(
                f"3个工作日内到期：待公开的检查结果 {run.publications} 项，结果未录入齐的任务部门 "
                f"{run.result_entries} 个，后续处置 {run.follow_ups} 项，已提醒相关部门。"
            )
