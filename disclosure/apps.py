from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "信息公示"

    def ready(self) -> None:
        from disclosure.forms import clear_department_choices
        from registry.models import Department

        # The search form keeps the departments in the cache.
        post_save.connect(
            clear_department_choices, sender=Department, dispatch_uid="disclosure-department-saved"
        )
        post_delete.connect(
            clear_department_choices, sender=Department, dispatch_uid="disclosure-department-deleted"
        )
