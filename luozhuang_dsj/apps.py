from django.apps import AppConfig


class LuozhuangDsjConfig(AppConfig):
    name = "luozhuang_dsj"
    verbose_name = "平台基础"

    def ready(self) -> None:
        from luozhuang_dsj import signals  # noqa: F401  (login/logout audit receivers)
