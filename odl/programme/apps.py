from collections.abc import Callable

from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "odl.programme"
    label = "programme"
    verbose_name = "Programme OpenDataLocale : accompagnement des collectivités"

    def load_demo(self, username: str, password: str, say: Callable[[str], None]) -> None:
        """Called by « odl load_demo »: the programme's demonstration ATD (odl/programme/demo.py)."""
        from odl.programme import demo

        demo.load(username, password, say)

    def ready(self) -> None:
        from odl.observatory.signals import snapshot_taken
        from odl.programme.commitments import on_snapshot_taken

        # The observatory never imports the programme: it announces its snapshots, commitments follow.
        snapshot_taken.connect(on_snapshot_taken, dispatch_uid="programme.check_commitments")
