"""A dashboard for the programme's demo (``odl load_demo``): the subventions of the publishing demo's
dataset, by beneficiary, labelled as a demonstration. Idempotent: looked up by its slug."""

from __future__ import annotations

from collections.abc import Callable

from odl.dashboards.models import Chart, Dashboard, Kind, Measure
from odl.publishing.demo import TITLE
from odl.publishing.models import Dataset

SLUG = "demo-subventions-aux-associations"


def load(say: Callable[[str], None]) -> None:
    dataset = Dataset.objects.filter(title=TITLE, latest__isnull=False).select_related("etd__atd").first()
    if dataset is None or Dashboard.objects.filter(slug=SLUG).exists():
        return
    board = Dashboard.objects.create(
        atd=dataset.etd.atd,
        etd=dataset.etd,
        title="[Démo] Les subventions aux associations",
        slug=SLUG,
        device=(
            "Démonstration. La commune soutient les associations par des subventions votées en conseil "
            "municipal ; elle publie chaque attribution au format SCDL."
        ),
        results=(
            "Démonstration. Les montants versés par association, avec le nombre d'attributions sur lequel "
            "chaque somme est calculée."
        ),
        public=True,
        demo=True,
    )
    Chart.objects.create(
        dashboard=board,
        title="Montant attribué par association",
        dataset=dataset,
        measure=Measure.SUM,
        value_column="montant",
        breakdown_column="nomBeneficiaire",
        kind=Kind.BAR,
        method="Somme de la colonne « montant » des subventions publiées, par bénéficiaire.",
        method_version="1",
    )
    Chart.objects.create(
        dashboard=board,
        title="Nombre d'attributions par année",
        dataset=dataset,
        measure=Measure.COUNT,
        breakdown_column="dateConvention",
        breakdown="year",
        kind=Kind.TABLE,
        method="Nombre de lignes du jeu publié, par année de la date de convention.",
        position=1,
    )
    say(f"Tableau de bord de démonstration : « {board.title} » ({board.get_absolute_url()}).")
