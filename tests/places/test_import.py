"""Import of a sample of the national standard « lieux de médiation numérique » (our own small file,
written in the shape of the schema's published field list), from the command, an upload and a URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from odl.atds.models import Atd
from odl.places import importer
from odl.places.management.commands.import_places import Command
from odl.places.models import Origin, Place, PlaceKind
from odl.territories.models import Territory

SAMPLE = Path(__file__).parent / "lieux-mediation-numerique.csv"
pytestmark = pytest.mark.django_db

EXPECTED_ERRORS = [
    "ligne 4 : coordonnées manquantes ou illisibles (latitude, longitude) pour « Bus numérique »",
    "ligne 5 : code INSEE « 3523 » invalide (5 caractères attendus, ex. 35238) pour « Point numérique de la mairie »",
    "ligne 6 : code INSEE « 99999 » absent du référentiel des communes pour « Espace public numérique »",
]


def test_the_sample_imports_its_good_lines_and_reports_the_bad_ones_in_french(small_referentiel: Any) -> None:
    report = Command().handle_one(str(SAMPLE))

    assert (report.lines, report.created, report.refused) == (5, 2, 3)
    assert report.errors == EXPECTED_ERRORS
    library = Place.objects.get(remote_id="lieu-0001")
    assert library.kind == PlaceKind.MEDIATHEQUE and library.commune.code == "35238"
    assert (library.latitude, library.longitude) == (48.1046, -1.6738)
    assert library.website == "https://exemple.org/champs-libres" and library.origin == Origin.IMPORT
    assert str(library.updated_on) == "2025-09-15"
    fabrique = Place.objects.get(remote_id="lieu-0002")
    assert fabrique.kind == PlaceKind.TIERS_LIEU and fabrique.address == "2 rue de la Gare Rez-de-chaussée"
    assert fabrique.website == "https://exemple.org/fabrique"


def test_importing_again_updates_without_duplicating_and_keeps_hand_corrections(
    small_referentiel: Any,
) -> None:
    importer.import_places(SAMPLE.read_bytes(), "premier")
    Place.objects.filter(remote_id="lieu-0002").update(name="Nom corrigé", origin=Origin.MANUAL)
    Place.objects.filter(remote_id="lieu-0001").update(name="Ancien nom")

    report = importer.import_places(SAMPLE.read_bytes(), "second")

    assert (report.created, report.updated, report.kept) == (0, 1, 1)
    assert Place.objects.count() == 2
    assert Place.objects.get(remote_id="lieu-0001").name == "Médiathèque des Champs Libres"
    assert Place.objects.get(remote_id="lieu-0002").name == "Nom corrigé"


def test_a_semicolon_file_in_windows_encoding_is_read(small_referentiel: Any) -> None:
    text = "id;nom;code_insee;latitude;longitude\nx1;Médiathèque;35238;48,11;-1,68\n"
    report = importer.import_places(text.encode("cp1252"), "fichier")
    assert report.created == 1 and Place.objects.get().name == "Médiathèque"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"nom,commune\nA,B\n",
            "Colonnes obligatoires du standard « lieux de médiation numérique » absentes : id, latitude, longitude",
        ),
        (b"PK\x03\x04\x00\x00binaire", "Ce fichier n'est pas un CSV (contenu binaire)"),
    ],
)
def test_a_file_that_is_not_the_standard_stores_nothing(
    small_referentiel: Any, data: bytes, message: str
) -> None:
    importer.import_places(SAMPLE.read_bytes(), "avant")
    with pytest.raises(importer.ImportProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        importer.import_places(data, "mauvais")
    assert Place.objects.count() == 2, "nothing already stored is lost"


def test_the_command_refuses_a_missing_file_in_french(small_referentiel: Any) -> None:
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_places", "/nulle/part.csv")


def test_the_team_imports_an_upload_and_sees_the_report(
    small_referentiel: Any, atd_client: Client, atd_agent: Any
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    upload = SimpleUploadedFile("lieux.csv", SAMPLE.read_bytes(), content_type="text/csv")
    response = atd_client.post(f"/suivi/{atd.slug}/lieux/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    for error in EXPECTED_ERRORS:
        assert error.replace("« ", "« ").split(" pour ")[0] in page.replace("&#x27;", "'")
    assert Place.objects.count() == 2


def test_the_team_import_refuses_a_bad_file_with_a_french_message(
    small_referentiel: Any, atd_client: Client, atd_agent: Any
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    upload = SimpleUploadedFile(
        "lieux.xlsx", b"PK\x03\x04\x00binaire", content_type="application/octet-stream"
    )
    response = atd_client.post(f"/suivi/{atd.slug}/lieux/", {"file": upload})
    assert response.status_code == 400
    assert "pas un CSV" in response.content.decode()
    assert atd_client.post(f"/suivi/{atd.slug}/lieux/", {}).status_code == 400


@pytest.fixture
def file_server() -> Iterator[str]:
    body = SAMPLE.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            found = self.path == "/lieux.csv"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/csv")
            payload = body if found else b"absent"
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_the_team_imports_from_a_url_through_the_guard(
    small_referentiel: Any, atd_client: Client, atd_agent: Any, file_server: str, settings: Any
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    response = atd_client.post(f"/suivi/{atd.slug}/lieux/", {"url": f"{file_server}/lieux.csv"})
    assert response.status_code == 200 and Place.objects.count() == 2

    missing = atd_client.post(f"/suivi/{atd.slug}/lieux/", {"url": f"{file_server}/absent.csv"})
    assert missing.status_code == 400 and "Le serveur a répondu 404" in missing.content.decode()

    settings.ODL_ALLOW_INTERNAL_RESOURCE_HOSTS = False
    refused = atd_client.post(f"/suivi/{atd.slug}/lieux/", {"url": f"{file_server}/lieux.csv"})
    assert refused.status_code == 400 and "adresse interne refusée" in refused.content.decode()
    bad = atd_client.post(f"/suivi/{atd.slug}/lieux/", {"url": "file:///etc/passwd"})
    assert bad.status_code == 400 and "http ou https attendu" in bad.content.decode()


def test_the_url_import_stops_past_the_size_limit(
    small_referentiel: Any, file_server: str, settings: Any
) -> None:
    settings.ODL_PLACES_IMPORT_MAX_MB = 0
    with pytest.raises(importer.ImportProblem, match="Fichier trop volumineux"):
        importer.fetch(f"{file_server}/lieux.csv")
    assert not Territory.objects.filter(places__isnull=False).exists()
