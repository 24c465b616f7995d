from django.apps import AppConfig


class LuozhuangDsjConfig(AppConfig):
    name = "luozhuang_dsj"
    verbose_name = "平台基础"

    def ready(self) -> None:
        from luozhuang_dsj import (  # noqa: F401  (receivers and job handlers register on import)
            exports,
            imports,
            signals,
        )
