from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "odl.publishing"
    verbose_name = "Publication des jeux SCDL"
    default_auto_field = "django.db.models.BigAutoField"
