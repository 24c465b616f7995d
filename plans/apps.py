from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "事项清单与年度计划"

    def ready(self) -> None:
        from plans import imports  # noqa: F401  (register the provincial list's and the no-penalty list's imports)
