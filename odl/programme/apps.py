from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.programme"
    label = "programme"
    verbose_name = "Programme OpenDataLocale : accompagnement des collectivités"

    def ready(self) -> None:
        from odl.observatory.signals import snapshot_taken
        from odl.programme.commitments import on_snapshot_taken

        # The observatory never imports the programme: it announces its snapshots, commitments follow.
        snapshot_taken.connect(on_snapshot_taken, dispatch_uid="programme.check_commitments")
