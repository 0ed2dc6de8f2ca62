"""What the commands that work on the référentiel share: its presence check and the perimeter options."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from odl.territories.models import Territory


def require_referentiel() -> None:
    """Stop a command (exit code 2) that would find no collectivité: the référentiel is loaded first."""
    if not Territory.objects.exists():
        raise CommandError("Le référentiel est vide : lancez d'abord « odl load_territories ».", returncode=2)


def add_perimeter_arguments(parser: CommandParser) -> None:
    """--region, --departement and --epci, repeatable and cumulated, as on the ciblage page."""
    parser.add_argument("--region", action="append", default=[], help="code COG de région (ex. 53)")
    parser.add_argument(
        "--departement", action="append", default=[], help="code COG de département (ex. 35, 2A)"
    )
    parser.add_argument("--epci", action="append", default=[], help="SIREN d'EPCI")
