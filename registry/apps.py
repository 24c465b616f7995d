from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "两库"

    def ready(self) -> None:
        from registry import exports, imports  # noqa: F401  (register the registry's imports and exports)
