"""A published dataset for the programme's demo ATD (``odl load_demo``): subventions of its first
collectivité, in two versions, published by the demo agent. Idempotent: looked up by its title."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from odl.accounts.models import EtdAgent
from odl.atds.models import Atd
from odl.core.identifiers import luhn_ok
from odl.programme.demo import DEMO_SLUG
from odl.programme.models import Etd
from odl.publishing import services, versions
from odl.publishing.models import Dataset, Frequency

TITLE = "[Démo] Subventions aux associations"
BENEFICIARIES = [
    ("Association Les Petits Débrouillards", "38047555800058", "Ateliers scientifiques", "4800.00"),
    ("Club de football", "44088714900019", "Tournoi des jeunes", "1500.50"),
    ("Comité des fêtes", "", "Fête de la musique", "900.00"),
]


def siret_of(siren: str) -> str:
    """A SIRET of the collectivité's SIREN whose checksum holds (its NIC is not in the référentiel)."""
    for last in range(10):
        candidate = f"{siren}0001{last}"
        if luhn_ok(candidate):
            return candidate
    return ""


def _rows(nom: str, siret: str, beneficiaries: list[tuple[str, str, str, str]]) -> list[list[str]]:
    rows = []
    for index, (name, their_siret, what, amount) in enumerate(beneficiaries, start=1):
        rows.append(
            [
                nom,
                siret,
                f"2026-0{index}-15",
                f"DEL-2026-{index:02d}",
                name,
                their_siret,
                "" if their_siret else f"W35100000{index}",
                what,
                amount,
                "aide en numéraire",
                "Versement unique",
                f"2026-0{index + 1}-01",
                "",
                "non",
                "1",
                "",
            ]
        )
    return rows


def load(say: Callable[[str], None]) -> None:
    atd = Atd.objects.filter(slug=DEMO_SLUG).first()
    if atd is None:
        return
    agent = EtdAgent.objects.filter(atd=atd).select_related("territory", "user").first()
    etd = Etd.objects.filter(atd=atd, territory=agent.territory).first() if agent else atd.etds.first()
    if etd is None or Dataset.objects.filter(etd=etd, title=TITLE).exists():
        return
    by = agent.user if agent else get_user_model().objects.filter(atd_memberships__atd=atd).first()
    territory = etd.territory
    siret = siret_of(territory.siren) if territory.siren else ""
    with transaction.atomic():
        dataset = Dataset.objects.create(
            etd=etd,
            schema_name="subventions",
            title=TITLE,
            description="Jeu de démonstration : les subventions versées aux associations de la commune.",
            frequency=Frequency.ANNUAL,
            siret=siret,
            created_by=by,
        )
        schema = services.schema_of(dataset)
        first = _rows(territory.nom, siret, BENEFICIARIES[:2])
        changed = [*BENEFICIARIES[:1], (*BENEFICIARIES[1][:3], "1750.00"), BENEFICIARIES[2]]
        for rows, note in (
            (first, "première publication"),
            (_rows(territory.nom, siret, changed), "mise à jour"),
        ):
            data, _ = services.validate_table(dataset, versions.Table(schema.field_names, rows))
            after = services.validate_table(dataset, versions.parse_csv(data))[1]
            versions.publish(
                dataset,
                data,
                schema,
                by=by,
                valid=after.valid,
                errors=after.errors,
                warnings=after.warnings,
                note=f"[Démo] {note}",
            )
    say(f"Jeu publié de démonstration : « {TITLE} » pour {territory.nom}, 2 versions.")
