"""The obligation rule (CRPA art. L312-1-1, décret 2016-1922), in one place.

A commune or an EPCI à fiscalité propre is obliged when its population municipale is strictly
above the threshold (3,500) and it employs at least 50 agents. When the agent count is unknown
and the population test passes, the answer is "à confirmer". Départements and régions are always
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
) -> tuple[Obligation, str]:
    """Return the obligation and the reason in words, e.g. ``"3 512 hab. > 3 500 ; effectif non renseigné"``."""
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
        status, reason = Obligation.A_CONFIRMER, reason + " ; effectif non renseigné"
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
