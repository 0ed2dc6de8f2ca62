"""Headcount bands from Sirene (Annuaire des entreprises API, replayed on loopback) and the rule using them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from odl.territories.models import Kind, Territory
from odl.territories.obligation import Obligation, Rule, band_label, evaluate
from odl.territories.sirene import RateLimiter, parse_band

RULE = Rule()


def payload(siren: str, band: str | None, year: str | None, nom: str = "COMMUNE") -> dict[str, Any]:
    """The shape of GET /search?q=<siren> (fields the platform reads, and a few around them)."""
    return {
        "results": [
            {
                "siren": siren,
                "nom_complet": nom,
                "nom_raison_sociale": nom,
                "nature_juridique": "7210",
                "activite_principale": "84.11Z",
                "categorie_entreprise": "PME",
                "etat_administratif": "A",
                "tranche_effectif_salarie": band,
                "annee_tranche_effectif_salarie": year,
                "siege": {"siret": siren + "00019", "tranche_effectif_salarie": band, "est_siege": True},
                "complements": {
                    "collectivite_territoriale": {"niveau": "commune"},
                    "est_service_public": True,
                },
            }
        ],
        "total_results": 1,
        "page": 1,
        "per_page": 5,
        "total_pages": 1,
    }


class Annuaire:
    def __init__(self) -> None:
        self.base = ""
        self.asked: list[str] = []
        self.bands: dict[str, tuple[str | None, str | None]] = {}
        # Called before answering: returns (status, headers) to answer something else than the payload.
        self.trouble: Callable[[str, int], tuple[int, dict[str, str]] | None] = lambda siren, n: None


@pytest.fixture
def annuaire(settings: Any) -> Iterator[Annuaire]:
    state = Annuaire()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            siren = parse_qs(parts.query).get("q", [""])[0]
            state.asked.append(siren)
            trouble = state.trouble(siren, len(state.asked))
            if parts.path != "/search":
                status, headers, body = 404, {}, b"{}"
            elif trouble:
                status, headers, body = trouble[0], trouble[1], b'{"erreur": "trop de requetes"}'
            elif siren in state.bands:
                band, year = state.bands[siren]
                status, headers, body = 200, {}, json.dumps(payload(siren, band, year)).encode()
            else:
                status, headers, body = 200, {}, b'{"results": [], "total_results": 0, "page": 1}'
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.ODL_SIRENE_API_URL = state.base
    # The rate limit has its own test with a fake clock; here requests go as fast as loopback allows.
    settings.ODL_SIRENE_REQUESTS_PER_SECOND = 0
    settings.ODL_SIRENE_RETRIES = 2
    settings.ODL_SIRENE_TIMEOUT = 5
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr("odl.territories.sirene.time.sleep", slept.append)
    return slept


# The obliged-by-population communes and EPCI of the small référentiel, by SIREN.
def obliged() -> list[str]:
    from odl.territories.sirene import obliged_by_population

    return list(obliged_by_population().values_list("siren", flat=True))


@pytest.mark.parametrize(
    ("band", "year", "status", "said"),
    [
        ("22", 2023, Obligation.OUI, "tranche 100 à 199 salariés, Sirene 2023 : au moins 50"),
        ("21", 2022, Obligation.OUI, "tranche 50 à 99 salariés, Sirene 2022 : au moins 50"),
        ("12", 2023, Obligation.NON, "tranche 20 à 49 salariés, Sirene 2023 : moins de 50"),
        ("01", None, Obligation.NON, "tranche 1 ou 2 salariés, Sirene : moins de 50"),
        ("NN", 2023, Obligation.A_CONFIRMER, "aucun salarié déclaré (Sirene 2023) : effectif à confirmer"),
        ("", None, Obligation.A_CONFIRMER, "effectif non renseigné"),
    ],
)
def test_a_sirene_band_decides_only_when_it_lies_on_one_side_of_50(
    band: str, year: int | None, status: Obligation, said: str
) -> None:
    got, reason = evaluate("commune", 12_000, None, "metro", "", RULE, band=band, band_year=year)
    assert got == status
    assert reason == f"12 000 hab. > 3 500 ; {said}"


def test_a_band_straddling_the_threshold_stays_to_confirm_and_says_so() -> None:
    status, reason = evaluate(
        "epci", 40_000, None, "metro", "", Rule(agents_threshold=60), band="21", band_year=2023
    )
    assert status == Obligation.A_CONFIRMER
    assert reason.endswith("tranche 50 à 99 salariés, Sirene 2023 : à cheval sur 60, effectif à confirmer")


def test_a_count_imported_from_a_file_takes_precedence_over_the_band() -> None:
    status, reason = evaluate("commune", 12_000, 40, "metro", "", RULE, band="22", band_year=2023)
    assert (status, reason) == (Obligation.NON, "12 000 hab. > 3 500 ; 40 agents < 50")


def test_band_labels_read_as_insee_writes_them() -> None:
    assert band_label("53") == "10 000 salariés et plus"
    assert band_label("42") == "1 000 à 1 999 salariés"
    assert band_label("00") == "0 salarié"
    assert band_label("ZZ") == "tranche inconnue « ZZ »"


def test_the_rate_limiter_spaces_requests_at_seven_a_second() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(7, sleep=sleep, clock=lambda: now[0])
    for _ in range(8):
        limiter.wait()
    assert len(slept) == 7
    assert now[0] == pytest.approx(7 / 7)


def test_parse_band_reads_the_result_of_that_siren_only() -> None:
    answer = payload("213502388", "53", "2023")
    assert parse_band(answer, "213502388") == ("53", 2023)
    assert parse_band(answer, "213500010") is None
    assert parse_band({"results": "?"}, "213502388") is None
    assert parse_band(payload("213502388", None, None), "213502388") == ("", None)


@pytest.mark.django_db
def test_import_from_sirene_records_band_year_and_source_and_the_rule_uses_them(
    small_referentiel: Path, annuaire: Annuaire, capsys: pytest.CaptureFixture[str]
) -> None:
    sirens = obliged()
    assert "213502388" in sirens and "213500028" not in sirens  # 3 500 hab. is not above the threshold
    annuaire.bands = {s: ("12", "2023") for s in sirens}
    annuaire.bands["213502388"] = ("53", "2023")
    annuaire.bands.pop(sirens[-1])
    call_command("import_agents", "--from-sirene", "--no-progress")
    out = capsys.readouterr().out
    assert sorted(annuaire.asked) == sorted(sirens)
    assert f"{len(sirens)} collectivité(s) interrogée(s), tranche reçue pour {len(sirens) - 1}" in out
    assert "absente de l'Annuaire des entreprises : " in out
    rennes = Territory.objects.get(kind=Kind.COMMUNE, code="35238")
    assert (rennes.agents_band, rennes.agents_band_year) == ("53", 2023)
    assert rennes.agents_band_source == "Sirene (Annuaire des entreprises)"
    page = Client().get(rennes.get_absolute_url()).content.decode()
    assert "tranche 10 000 salariés et plus (2023), source : Sirene (Annuaire des entreprises)" in page
    assert "retenue faute d'effectif importé d'un fichier" in page
    assert "tranche 10 000 salariés et plus, Sirene 2023 : au moins 50" in page


@pytest.mark.django_db
def test_a_file_count_wins_and_the_page_says_which_source(
    small_referentiel: Path, annuaire: Annuaire, tmp_path: Path
) -> None:
    annuaire.bands = {s: ("53", "2023") for s in obliged()}
    call_command("import_agents", "--from-sirene", "--no-progress")
    path = tmp_path / "effectifs.csv"
    path.write_text("siren;effectif;annee;source\n213502388;40;2024;Bilan social\n")
    call_command("import_agents", str(path))
    rennes = Territory.objects.get(kind=Kind.COMMUNE, code="35238")
    page = Client().get(rennes.get_absolute_url()).content.decode()
    assert (
        "40 agents (2024), source : Bilan social — effectif importé d'un fichier, retenu pour l'obligation"
        in page
    )
    assert "(Sirene donne la tranche 10 000 salariés et plus, 2023)" in page
    assert "40 agents &lt; 50" in page


@pytest.mark.django_db
def test_a_429_waits_as_long_as_retry_after_says_then_goes_on(
    small_referentiel: Path, annuaire: Annuaire, no_sleep: list[float]
) -> None:
    annuaire.bands = {s: ("22", "2023") for s in obliged()}
    annuaire.trouble = lambda siren, n: (429, {"Retry-After": "3"}) if n == 2 else None
    call_command("import_agents", "--from-sirene", "--no-progress")
    assert 3.0 in no_sleep
    assert Territory.objects.filter(agents_band="22").count() == len(obliged())


@pytest.mark.django_db
def test_a_stopped_pass_says_so_in_french_and_resumes_where_it_stopped(
    small_referentiel: Path, annuaire: Annuaire, no_sleep: list[float]
) -> None:
    sirens = obliged()
    annuaire.bands = {s: ("22", "2023") for s in sirens}
    annuaire.trouble = lambda siren, n: (503, {}) if n > 2 else None
    with pytest.raises(CommandError) as stopped:
        call_command("import_agents", "--from-sirene", "--no-progress")
    assert stopped.value.returncode == 2
    message = str(stopped.value)
    assert "L'Annuaire des entreprises est indisponible (erreur 503 du serveur)" in message
    assert f"{len(sirens) - 2} collectivité(s) restent à interroger" in message
    assert "elle reprendra où elle s'est arrêtée" in message
    done = set(annuaire.asked[:2])
    annuaire.asked.clear()
    annuaire.trouble = lambda siren, n: None
    call_command("import_agents", "--from-sirene", "--no-progress")
    assert set(annuaire.asked) == set(sirens) - done
    assert Territory.objects.filter(agents_band="22").count() == len(sirens)


@pytest.mark.django_db
def test_from_sirene_refuses_a_file_too_and_needs_the_referentiel() -> None:
    with pytest.raises(CommandError, match="OU --from-sirene"):
        call_command("import_agents", "x.csv", "--from-sirene")
    with pytest.raises(CommandError, match="Le référentiel est vide"):
        call_command("import_agents", "--from-sirene")
