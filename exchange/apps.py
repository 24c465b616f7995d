from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "省工作平台数据交换"

    def ready(self) -> None:
        from exchange import layouts, tasks  # noqa: F401  (register the exports, the jobs and the beat task)
