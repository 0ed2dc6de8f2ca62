from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odl.observatory import geo
from odl.territories.cli import require_referentiel


class Command(BaseCommand):
    help = (
        "Contours des communes et EPCI pour la carte de l'observatoire. « odl geo sync » les télécharge "
        "(en ligne, source officielle Etalab/IGN, Licence Ouverte) et les garde sous var/geo ; "
        "« odl geo status » dit ce qui est en cache. Sans eux, la carte reste en grille départements/régions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["sync", "status"], help="sync : télécharger ; status : état du cache"
        )
        parser.add_argument(
            "--base-url",
            default=geo.DEFAULT_CONTOURS_BASE,
            help="adresse du dossier des contours (communes-1000m.geojson.gz, epci-1000m.geojson.gz)",
        )
        parser.add_argument(
            "--timeout", type=float, default=120.0, help="délai maximal par requête, en secondes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            current = geo.manifest()
            if current is None:
                self.stdout.write(
                    "Aucun contour synchronisé : la carte utilise la grille livrée avec la plateforme."
                )
                return
            self.stdout.write(f"Contours synchronisés le {current['synced_at']} depuis {current['source']}.")
            for layer, info in current["layers"].items():
                self.stdout.write(f"  {layer} : {info['matched']} rapprochés sur {info['features']}")
            return
        for report in self.handle_one(options["base_url"], options["timeout"]):
            self.stdout.write(
                f"{report.layer} : {report.features} contours, {report.matched} rapprochés du référentiel, "
                f"{report.departements} départements."
            )
            if report.unmatched:
                self.stdout.write(f"  non rapprochés (extrait) : {', '.join(report.unmatched[:10])}")

    def handle_one(
        self, base_url: str = geo.DEFAULT_CONTOURS_BASE, timeout: float = 120.0
    ) -> list[geo.SyncReport]:
        require_referentiel()
        try:
            return geo.sync(base_url, timeout=timeout)
        except geo.GeoSyncError as exc:
            raise CommandError(f"{exc} Le cache précédent est conservé.", returncode=1) from exc
