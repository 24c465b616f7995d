from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from opendata.snapshots import snapshot_write


class Command(BaseCommand):
    help = "生成开放数据快照（各数据集的 CSV、XLSX、JSON 和清单文件），同一天重复运行会原子地替换当天的快照。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="快照日期，YYYY-MM-DD，默认今天")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = datetime.datetime.strptime(options["date"], "%Y-%m-%d").date()  # noqa: DTZ007 - a date
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from None
        snapshot = snapshot_write(day=day)
        for key, facts in snapshot.manifest["datasets"].items():
            self.stdout.write(f"{key}: {facts['rows']} 行")
        self.stdout.write(f"已生成 {snapshot.day} 的开放数据快照：{snapshot.path}")
