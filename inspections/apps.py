from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = "抽查检查"

    def ready(self) -> None:
        # Register the job handlers (draw execution, credit recomputation) in every process,
        # web and worker alike.
        from inspections import services, services_credit  # noqa: F401
