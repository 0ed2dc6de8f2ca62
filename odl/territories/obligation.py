"""The obligation rule (CRPA art. L312-1-1, décret 2016-1922), in one place.

A commune or an EPCI à fiscalité propre is obliged when its population municipale is strictly
above the threshold (3,500) and it employs at least 50 agents. An agent count imported from a file
(DGCL, the collectivité itself) decides; without one, the headcount band of Sirene (``tranche
d'effectif salarié``, imported by ``odl import_agents --from-sirene``) decides when it lies entirely
on one side of the threshold; otherwise the answer is "à confirmer" and the reason says why. Départements and régions are always
concerned, except where another collectivité exercises their competences (Corse, Martinique,
Guyane, Mayotte, Paris, Alsace), which is then the one counted.
"""

from dataclasses import dataclass
from enum import StrEnum


class Obligation(StrEnum):
    OUI = "oui"
    NON = "non"
    A_CONFIRMER = "a_confirmer"


OBLIGATION_LABELS = {
    Obligation.OUI: "Concernée",
    Obligation.NON: "Non concernée",
    Obligation.A_CONFIRMER: "Concernée (effectif à confirmer)",
}


@dataclass(frozen=True)
class Rule:
    population_threshold: int = 3500
    agents_threshold: int = 50

    def describe(self) -> str:
        return (
            f"Population municipale strictement supérieure à {_n(self.population_threshold)} habitants "
            f"et au moins {self.agents_threshold} agents ; départements et régions toujours concernés."
        )


# INSEE's headcount bands (tranche d'effectif salarié of Sirene): code -> (lowest, highest or None).
SIRENE_BANDS: dict[str, tuple[int, int | None]] = {
    "00": (0, 0),
    "01": (1, 2),
    "02": (3, 5),
    "03": (6, 9),
    "11": (10, 19),
    "12": (20, 49),
    "21": (50, 99),
    "22": (100, 199),
    "31": (200, 249),
    "32": (250, 499),
    "41": (500, 999),
    "42": (1000, 1999),
    "51": (2000, 4999),
    "52": (5000, 9999),
    "53": (10000, None),
}


def band_label(code: str) -> str:
    """« 100 à 199 salariés » for ``22``; Sirene's « NN » (no employee declared) and unknown codes say so."""
    if code not in SIRENE_BANDS:
        return "aucun salarié déclaré" if code == "NN" else f"tranche inconnue « {code} »"
    low, high = SIRENE_BANDS[code]
    if high is None:
        return f"{_n(low)} salariés et plus"
    if low == high:
        return f"{low} salarié"
    return f"{_n(low)} à {_n(high)} salariés" if low > 1 else "1 ou 2 salariés"


def _by_band(band: str, band_year: int | None, threshold: int) -> tuple[Obligation, str]:
    """What Sirene's band says about ``threshold`` agents, with the band and its year in the reason."""
    if not band:
        return Obligation.A_CONFIRMER, "effectif non renseigné"
    where = f"Sirene {band_year}" if band_year else "Sirene"
    if band not in SIRENE_BANDS:
        return Obligation.A_CONFIRMER, f"{band_label(band)} ({where}) : effectif à confirmer"
    low, high = SIRENE_BANDS[band]
    text = f"tranche {band_label(band)}, {where}"
    if low >= threshold:
        return Obligation.OUI, f"{text} : au moins {threshold}"
    if high is not None and high < threshold:
        return Obligation.NON, f"{text} : moins de {threshold}"
    return Obligation.A_CONFIRMER, f"{text} : à cheval sur {threshold}, effectif à confirmer"


def _n(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def evaluate(
    kind: str,
    population: int | None,
    agents: int | None,
    zone: str,
    exercised_by: str,
    rule: Rule,
    note: str = "",
    band: str = "",
    band_year: int | None = None,
) -> tuple[Obligation, str]:
    """Return the obligation and the reason in words, e.g. ``"3 512 hab. > 3 500 ; effectif non renseigné"``.

    ``agents`` is a count imported from a file and takes precedence; ``band`` and ``band_year`` are
    Sirene's headcount band, used only without it.
    """
    if exercised_by:
        return Obligation.NON, f"compétences exercées par {exercised_by}"
    if kind in ("departement", "region"):
        label = "département : toujours concerné" if kind == "departement" else "région : toujours concernée"
        if zone == "com":
            return (
                Obligation.A_CONFIRMER,
                "collectivité d'outre-mer (COM) : la loi s'y applique selon son statut propre, à vérifier",
            )
        return Obligation.OUI, label
    if population is None:
        return Obligation.A_CONFIRMER, "population non renseignée"
    threshold = rule.population_threshold
    if population <= threshold:
        return Obligation.NON, f"{_n(population)} hab. ≤ {_n(threshold)}"
    reason = f"{_n(population)} hab. > {_n(threshold)}"
    if agents is None:
        status, said = _by_band(band, band_year, rule.agents_threshold)
        reason += " ; " + said
        if status == Obligation.NON:
            return status, reason
    elif agents >= rule.agents_threshold:
        status, reason = Obligation.OUI, reason + f" ; {agents} agents ≥ {rule.agents_threshold}"
    else:
        return Obligation.NON, reason + f" ; {agents} agents < {rule.agents_threshold}"
    if zone == "com":
        return (
            Obligation.A_CONFIRMER,
            reason + " ; collectivité d'outre-mer (COM) : régime propre, à vérifier",
        )
    return status, reason
