from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "office"
    verbose_name = "联席会议办公室"

    def ready(self) -> None:
        from office import (
            dashboard_exports,  # noqa: F401  (register the dashboard's exports)
            exports,  # noqa: F401  (register the office's export job)
        )
