from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "事项清单与年度计划"
