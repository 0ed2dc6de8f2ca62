from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.accounts"
    label = "accounts"
    verbose_name = "Comptes, rôles et invitations"

    def ready(self) -> None:
        from odl.accounts import access

        access.register()
