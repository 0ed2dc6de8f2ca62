from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "odl.core"
    label = "core"
    verbose_name = "Socle commun"

    def ready(self) -> None:
        # Registers the platform's system checks.
        import odl.core.checks  # noqa: F401
