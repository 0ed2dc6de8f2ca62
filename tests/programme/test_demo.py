"""« odl load_demo » creates a programme demonstration, labelled as such, and a second run changes nothing."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from odl.accounts.models import EtdAgent
from odl.atds.models import Atd, AtdMembership
from odl.core.documents import pdf_available
from odl.programme import demo
from odl.programme.models import (
    Attendance,
    Commitment,
    CommitmentStatus,
    Convention,
    Etd,
    EtdStepChange,
    Meeting,
    Resource,
    ResourceVersion,
    SignedCopy,
)

MODELS = [
    Atd,
    AtdMembership,
    EtdAgent,
    Etd,
    EtdStepChange,
    Convention,
    SignedCopy,
    Commitment,
    Meeting,
    Attendance,
    Resource,
    ResourceVersion,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "users": get_user_model().objects.count()
    }


def run_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_creates_a_labelled_programme_and_is_idempotent(
    small_referentiel: Path, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.delenv("ODL_DEMO_PASSWORD", raising=False)
    output = run_demo()
    first = counts()
    assert "[Démo] ATD d'Ille-et-Vilaine" in output
    # The newcomer reads the default password where `make run` prints it (ODL_DEMO_PASSWORD is unset).
    assert "« atd » créé (mot de passe : « odl-demo-2026 »)" in output
    assert get_user_model().objects.get(username="demo-agent-etd").check_password("odl-demo-2026")
    atd = Atd.objects.get(slug=demo.DEMO_SLUG)
    assert atd.demo and atd.name.startswith("[Démo]")
    assert [t.code for t in atd.areas.all()] == ["35"] and atd.structure.code == "35"
    assert AtdMembership.objects.get(atd=atd, user__username="atd").role == "admin"
    assert AtdMembership.objects.get(atd=atd, user__username="demo-animateur").role == "animateur"
    assert EtdAgent.objects.filter(atd=atd, user__username="demo-agent-etd").exists()
    etds = Etd.objects.filter(atd=atd)
    # The small référentiel holds fewer than a dozen obliged collectivités of département 35: all of them.
    assert 4 <= etds.count() <= demo.ETD_COUNT
    assert all(etd.territory.departement_code == "35" for etd in etds)
    assert len(set(etds.values_list("step", flat=True))) >= 4
    assert EtdStepChange.objects.filter(etd__atd=atd).count() > etds.count()
    commitments = Commitment.objects.filter(etd__atd=atd)
    assert commitments.filter(status=CommitmentStatus.TENU).count() == 1
    assert commitments.overdue().count() == 1
    meetings = Meeting.objects.filter(atd=atd)
    assert meetings.filter(attendances__isnull=False).distinct().count() >= 3
    assert meetings.filter(attendances__isnull=True).count() >= 2  # next meetings of the monthly series
    assert Resource.objects.filter(atd=atd).count() == 3
    convention = Convention.objects.get(etd__atd=atd)
    if pdf_available():
        copy = SignedCopy.objects.get(convention=convention)
        with copy.file.open("rb") as signed:
            assert signed.read(5) == b"%PDF-"
        assert convention.status == "signee"
    else:
        assert convention.status == "brouillon"
    run_demo()
    assert counts() == first


def test_every_dashboard_page_shows_the_demo_on_first_start(
    small_referentiel: Path, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("odl.programme.demo.pdf_available", lambda: False)  # keep this test fast
    run_demo()
    client = Client()
    # Through the real sign-in page (the lockout backend wants the request): the demo password works.
    signed_in = client.post("/comptes/connexion/", {"username": "atd", "password": "odl-demo-2026"})
    assert signed_in.status_code == 302, signed_in.content.decode()[:500]
    atd = Atd.objects.get(slug=demo.DEMO_SLUG)
    html = client.get(reverse("programme:dashboard", args=[atd.slug])).content.decode()
    assert 'data-testid="demo-banner"' in html and "[Démo] Point mensuel" in html
    assert 'data-testid="overdue"' in html
    # The map and the open rate over time have fictitious snapshots to show, labelled as such.
    context = client.get(reverse("programme:dashboard", args=[atd.slug])).context
    states = Counter(e["state"] for e in context["etd_map"]["etds"])
    assert states["scdl"] >= 2 and states["publie"] >= 1 and states["pas_encore"] >= 1
    assert (
        len(context["rate"].points) == len(demo.SNAPSHOT_PLAN) and context["rate"].figures["open_obliged"] > 0
    )
    assert "[Démo] Instantané fictif" in html and "Démonstration, chiffres fictifs" in html
    assert client.get(f"/api/suivi/{atd.slug}/etds").json()["count"] == Etd.objects.filter(atd=atd).count()


@pytest.mark.slow
def test_load_demo_on_the_npm_referentiel_follows_a_dozen_etds(
    db: None, npm_referentiel: Path, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("odl.programme.demo.pdf_available", lambda: False)
    call_command("load_territories", stdout=io.StringIO())
    run_demo()
    first = counts()
    assert Etd.objects.filter(atd__slug=demo.DEMO_SLUG).count() == demo.ETD_COUNT
    run_demo()
    assert counts() == first


def test_the_demo_snapshots_are_made_only_on_an_empty_observatory_and_a_real_one_replaces_them(
    small_referentiel: Path, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from odl.observatory.history import take_snapshot
    from odl.observatory.models import Snapshot

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("odl.programme.demo.pdf_available", lambda: False)
    assert "instantanés fictifs" in run_demo()
    assert set(Snapshot.objects.values_list("origin", flat=True)) == {"demo"}
    assert Snapshot.objects.count() == len(demo.SNAPSHOT_PLAN)
    take_snapshot()
    assert list(Snapshot.objects.values_list("origin", flat=True)) == ["harvest"]
    assert "instantanés fictifs" not in run_demo()  # a platform with real measures gets none
    assert list(Snapshot.objects.values_list("origin", flat=True)) == ["harvest"]


def test_every_page_of_the_programme_shows_the_demo_to_its_account(
    small_referentiel: Path, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import timezone

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("odl.programme.demo.pdf_available", lambda: False)
    run_demo()
    client = Client()
    assert (
        client.post("/comptes/connexion/", {"username": "atd", "password": "odl-demo-2026"}).status_code
        == 302
    )
    atd = Atd.objects.get(slug=demo.DEMO_SLUG)
    convention = Convention.objects.get(etd__atd=atd)
    etd = convention.etd
    meeting = Meeting.objects.filter(atd=atd, attendances__isnull=False).first()
    assert meeting is not None
    resource = Resource.objects.filter(atd=atd).first()
    assert resource is not None
    pages = {
        reverse("programme:board", args=[atd.slug]): "[Démo] ATD",
        reverse("programme:table", args=[atd.slug]): etd.territory.nom,
        reverse("programme:etd", args=[atd.slug, etd.pk]): "Publier le jeu scdl/subventions",
        reverse("programme:convention", args=[atd.slug, etd.pk, convention.pk]): "[Démo] Camille Martin",
        reverse("programme:commitments", args=[atd.slug, etd.pk]): "Publier le jeu scdl/deliberations",
        reverse("programme:meetings", args=[atd.slug]): "[Démo] Point mensuel",
        reverse("programme:meeting", args=[atd.slug, meeting.pk]): "compte rendu fictif",
        reverse("programme:resources"): "[Démo] Fiche",
        reverse("programme:resource", args=[resource.pk]): resource.title,
        reverse("programme:dashboard", args=[atd.slug]): "[Démo] Instantané fictif",
        reverse("atds:network"): "[Démo] ATD",
        reverse("atds:detail", args=[atd.slug]): "[Démo] Mission données",
        reverse("accounts:team", args=[atd.slug]): "demo-animateur",
        etd.territory.get_absolute_url(): "[Démo] ATD",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode().replace("&#x27;", "'"), url
    report = client.get(reverse("programme:report", args=[atd.slug, timezone.localdate().year, "odt"]))
    assert report.status_code == 200 and report.content[:2] == b"PK"
    for part in ("etds", "engagements", "reunions"):
        assert client.get(f"/api/suivi/{atd.slug}/{part}").json()["count"] > 0, part
