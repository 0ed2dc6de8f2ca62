"""In a real Chromium: an event planned from a fiche, its checklist ticked, the 3-month follow-up
answered and the survival rate shown; a cartopartie point added on a phone, also while offline."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from odl.animations import planning
from odl.animations.fiches import load_defaults
from odl.animations.models import CollectedPoint, Event, Format, Task
from odl.atds.models import Atd
from tests import personas
from tests.browser import axe_violations, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("alice")
    page.get_by_label("Mot de passe").fill(personas.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/comptes/")


def test_an_event_is_planned_ticked_followed_up_and_its_survival_rate_appears(
    live_server: Any, atd_agent: Any
) -> None:
    load_defaults(Format)
    atd = Atd.objects.get(memberships__user=atd_agent)
    starts = timezone.localdate() - datetime.timedelta(days=120)
    with chromium_page() as page:
        _sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/animations/formats/hackathon/")
        assert axe_violations(page) == []
        page.get_by_role("link", name=f"Planifier un hackathon pour {atd.name}").click()
        page.wait_for_url("**/animations/nouveau/?format=hackathon")
        assert axe_violations(page) == []
        page.get_by_label("Titre").fill("Hackathon des mobilités")
        page.get_by_label("Premier jour").fill(starts.isoformat())
        page.get_by_label("Dernier jour").fill((starts + datetime.timedelta(days=1)).isoformat())
        page.get_by_label("Lieu", exact=True).fill("Médiathèque")
        page.get_by_role("button", name="Créer l'événement").click()
        assert page.get_by_text("Événement créé, avec 9 tâche(s) de retroplanning.").is_visible()
        assert axe_violations(page) == []

        page.get_by_role("checkbox", name="Définir les objectifs et le sujet du hackathon").check()
        page.get_by_role("button", name="Enregistrer le retroplanning").click()
        assert page.get_by_role(
            "checkbox", name="Définir les objectifs et le sujet du hackathon"
        ).is_checked()

        page.get_by_label("Nature").select_option("prototype")
        page.get_by_label("Intitulé").fill("Appli vélo")
        page.get_by_role("button", name="Ajouter la production").click()
        assert page.get_by_text("Production ajoutée.").is_visible()

        page.get_by_role("link", name="Renseigner le suivi à 3 mois").click()
        assert axe_violations(page) == []
        page.get_by_label("Publié").check()
        page.get_by_role("button", name="Enregistrer le suivi").click()
        assert page.get_by_text("Suivi à 3 mois enregistré. Merci !").is_visible()

        page.goto(f"{live_server.url}/animations/bilan/")
        assert page.get_by_test_id("survival-hackathon").inner_text() == "100 %"
        assert axe_violations(page) == []
    event = Event.objects.get(title="Hackathon des mobilités")
    assert Task.objects.filter(event=event, done=True).count() == 1


def test_a_participant_adds_a_cartopartie_point_on_a_phone_even_offline(
    live_server: Any, atd_agent: Any
) -> None:
    load_defaults(Format)
    event = Event.objects.create(
        atd=Atd.objects.get(memberships__user=atd_agent),
        format=Format.objects.get(slug="cartopartie"),
        title="Cartopartie des défibrillateurs",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        south=48.08, west=-1.75, north=48.15, east=-1.60,
    )  # fmt: skip
    planning.generate_checklist(event)
    requested: list[str] = []
    with chromium_page() as page:
        page.set_viewport_size({"width": 375, "height": 740})
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{live_server.url}/animations/collecte/{event.collect_token}/")
        page.wait_for_function("() => document.querySelector('#collect-map.leaflet-container')")
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 375

        page.get_by_label("Nom du point (obligatoire)").fill("Défibrillateur de la mairie")
        page.get_by_label("Latitude").fill("48.1113")
        page.get_by_label("Longitude").fill("-1.6800")
        page.get_by_label("Thème de classement de l'équipement").select_option("Equipement administratif")
        page.get_by_role("button", name="Ajouter le point").click()
        page.get_by_text("Point « Défibrillateur de la mairie » enregistré, merci !").wait_for()

        page.get_by_label("Nom du point (obligatoire)").fill("Trop loin")
        page.get_by_label("Latitude").fill("43.6")
        page.get_by_label("Longitude").fill("1.44")
        page.get_by_role("button", name="Ajouter le point").click()
        page.get_by_text("en dehors de la zone de la cartopartie").wait_for()
        # The refused point is back in the form, not waiting for the network.
        assert "en attente" not in page.locator("#collect-status").inner_text()

        page.context.set_offline(True)
        page.get_by_label("Nom du point (obligatoire)").fill("Banc du parc")
        page.get_by_label("Latitude").fill("48.1120")
        page.get_by_label("Longitude").fill("-1.6700")
        page.get_by_role("button", name="Ajouter le point").click()
        page.get_by_text("1 point(s) en attente de réseau sur ce téléphone.").wait_for()
        assert not CollectedPoint.objects.filter(name="Banc du parc").exists()
        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        # The queue resends on the « online » event, and every 30 s whatever happens (a browser may not
        # fire the event): wait past one such round.
        page.get_by_text("Point « Banc du parc » enregistré, merci !").wait_for(timeout=45_000)
        # A later resend round finds the queue empty and leaves the message on screen: before, it cleared
        # it, and a round falling just after the resend hid it from the participant (and from this test).
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_timeout(300)
        assert page.get_by_text("Point « Banc du parc » enregistré, merci !").is_visible()
    assert sorted(CollectedPoint.objects.filter(event=event).values_list("name", flat=True)) == [
        "Banc du parc",
        "Défibrillateur de la mairie",
    ]
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested
