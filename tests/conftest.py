"""Shared fixtures: personas, the shared reference data, a small référentiel."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests import personas
from tests.templates_guard import UNDEFINED

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("ODL_SHARED_DATA", REPO.parent / "shared" / "data"))
FIXTURES = Path(__file__).resolve().parent / "territories" / "fixtures"

# Fuzzing (hypothesis, schemathesis; tests named test_fuzz_*): what real users and real portals send,
# generated. Examples are bounded and derived from a fixed seed (``derandomize``), so the suite runs the
# same cases on every machine and stays fast; ``FUZZ_EXAMPLES=2000`` explores further by hand.
# Nothing is written to a ``.hypothesis`` folder.

hypothesis_settings.register_profile(
    "odl",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    # Django's database and settings fixtures are function-scoped on purpose: every example of one
    # test shares them, which is what these properties need (nothing may break what is stored).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.load_profile("odl")


@pytest.fixture(autouse=True)
def _isolated_settings(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    # Each test gets its own data folder (caches, synced contours), so parallel workers never share one.
    settings.DATA_DIR = tmp_path / "var"  # type: ignore[attr-defined]
    # The shared figures cache (odl/core/figures.py) too: no test reads another's ciblage or snapshot.
    settings.CACHES = {  # type: ignore[attr-defined]
        **settings.CACHES,  # type: ignore[attr-defined]
        "figures": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "var" / "cache" / "figures"),
        },
    }
    # Uploaded files (conventions, evidence, resources) too: a test never writes into the repository.
    settings.MEDIA_ROOT = tmp_path / "var" / "media"  # type: ignore[attr-defined]
    # Outside services are replayed on loopback: let resource downloads reach it.
    settings.ODL_ALLOW_INTERNAL_RESOURCE_HOSTS = True  # type: ignore[attr-defined]
    settings.ODL_ALLOW_INTERNAL_SOURCE_HOSTS = True  # type: ignore[attr-defined]
    # One client walks hundreds of URLs in a few seconds: rate limits have their own tests.
    settings.RATELIMIT_ENABLE = False  # type: ignore[attr-defined]
    # Other apps' harvest tests replay portals without a reuses endpoint: tests/reuses switch it on.
    settings.ODL_REUSES_AFTER_HARVEST = False  # type: ignore[attr-defined]
    # Tests render templates without running collectstatic.
    settings.STORAGES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # An undefined variable printed by one of our templates fails the test (see tests/templates_guard.py).
    engine = settings.TEMPLATES[0]  # type: ignore[attr-defined]
    settings.TEMPLATES = [  # type: ignore[attr-defined]
        {**engine, "OPTIONS": {**engine["OPTIONS"], "string_if_invalid": UNDEFINED}}
    ]


@pytest.fixture
def shared_data() -> Path:
    """The read-only reference data beside the repository (SCDL schemas, harvest payloads, ODF tables).

    Present in CI and for developers, absent on a user's machine: tests that need it skip.
    """
    if not SHARED_DATA.is_dir():
        pytest.skip(f"données de référence absentes ({SHARED_DATA}) : ../shared n'est pas à côté du dépôt")
    return SHARED_DATA


@pytest.fixture
def npm_referentiel() -> Path:
    """The real référentiel from the pinned npm package, installed by make."""
    path = Path(settings.NODE_MODULES_DIR) / "@etalab" / "decoupage-administratif" / "data"
    if not path.is_dir():
        pytest.skip("paquet npm @etalab/decoupage-administratif absent : lancez « make test »")
    return path


@pytest.fixture
def small_referentiel(db: None) -> Path:
    """Load the small hand-written référentiel (Bretagne, Corse, a COM) used by most tests."""
    from odl.territories.loader import load_referentiel

    load_referentiel(FIXTURES / "referentiel", cog_year=2026)
    return FIXTURES / "referentiel"


# Personas (tests/personas.py): who uses the platform, each with a logged-in browser of their own.
@pytest.fixture
def coordinator(db: None) -> Any:
    """Claire, national coordinator (staff)."""
    return personas.coordinator()


@pytest.fixture
def atd_agent(small_referentiel: Path) -> Any:
    """Alice, agent of the ATD of the Département d'Ille-et-Vilaine (a real ``AtdMembership``, role admin)."""
    return personas.atd_agent()


@pytest.fixture
def animateur(small_referentiel: Path) -> Any:
    """Bruno, animateur of the ATD of Ille-et-Vilaine (Alice's team)."""
    return personas.animateur()


@pytest.fixture
def other_atd_staff(small_referentiel: Path) -> Any:
    """Denise, admin of the ATD of the Côtes-d'Armor: staff of another ATD."""
    return personas.other_atd_staff()


@pytest.fixture
def etd_agent(small_referentiel: Path) -> Any:
    """Étienne, agent (``EtdAgent``) of the commune of Rennes, accompanied by the ATD of Ille-et-Vilaine."""
    return personas.etd_agent()


@pytest.fixture
def citizen(db: None) -> Client:
    """Nobody logged in."""
    return personas.citizen()


@pytest.fixture
def coordinator_client(coordinator: Any) -> Client:
    return personas.logged_in(coordinator)


@pytest.fixture
def atd_client(atd_agent: Any) -> Client:
    return personas.logged_in(atd_agent)


@pytest.fixture
def etd_client(etd_agent: Any) -> Client:
    return personas.logged_in(etd_agent)


@pytest.fixture
def animateur_client(animateur: Any) -> Client:
    return personas.logged_in(animateur)


@pytest.fixture
def other_atd_client(other_atd_staff: Any) -> Client:
    return personas.logged_in(other_atd_staff)


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        return


@pytest.fixture
def commune_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static web server on loopback: the collectivité's own site, another origin than the platform,
    where browser tests paste the platform's embed codes. Yields its address and its folder."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietFiles, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", tmp_path
    server.shutdown()
    server.server_close()
    thread.join()
