from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from odl.core.cli_output import parse_date_option
from odl.observatory.history import take_snapshot
from odl.observatory.models import Snapshot


class Command(BaseCommand):
    help = (
        "Prend un instantané daté de qui publie, calculé à partir des jeux moissonnés (un par jour : "
        "reprendre celui d'un jour le remplace). --list affiche l'historique des instantanés."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            default=None,
            help="date AAAA-MM-JJ ; une date passée reconstitue l'état des jeux à cette date (aujourd'hui par défaut)",
        )
        parser.add_argument("--list", action="store_true", help="liste les instantanés sans en prendre")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for snap in Snapshot.objects.order_by("date", "created_at"):
                count = snap.entries.filter(is_open=True).count()
                self.stdout.write(f"{snap.date:%Y-%m-%d}  {snap.origin:8} {count:6} ouvertes  {snap.label}")
            return
        snap = self.handle_one(options["date"])
        report = snap.report
        self.stdout.write(
            f"Instantané du {snap.date:%d/%m/%Y} : {report['open']} collectivités ouvertes, "
            f"{report['datasets']} jeux (dédoublonnés), {report['published_for_only']} collectivités "
            "publiées seulement « pour le compte de »."
        )

    def handle_one(self, date: str | None = None) -> Snapshot:
        # A snapshot reconstitutes a past day: a future one would show nothing but today.
        day = parse_date_option(date, latest=timezone.localdate())
        return take_snapshot(day)
