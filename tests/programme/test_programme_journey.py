"""The programme end to end in a real Chromium, with axe-core on every page visited.

Alice, admin of the ATD of Ille-et-Vilaine, signs in, invites a colleague (who joins through the one-time
link of the e-mail), adds the obliged communes of her département from the ciblage to her follow-up,
prepares a convention with Rennes and uploads its signed copy, and records the commitment « publier les
subventions avant … ». She then declares data.gouv.fr (a local server replaying its API) as a harvest
source and runs it: the harvest brings the subventions of Rennes, published under Rennes's own name, and
the observatory's after-harvest pipeline (deduplication, SCDL checks, snapshot, commitment check) marks
the commitment « tenu » with its link. Her dashboard shows Rennes published.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from odl.atds.models import Atd, AtdMembership
from odl.programme.models import Commitment, CommitmentStatus, Convention, Etd, EtdStep
from tests import personas
from tests.browser import axe_violations, chromium_page

# The harvest tests' replay server: real payloads over real HTTP on loopback.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "harvest"))
from harvest_replay import Replay, paged_datagouv  # noqa: E402

from tests.harvest.conftest import replay as replay  # noqa: E402  (the fixture, re-exported here)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RENNES_SIRET = "21350238800019"  # SIREN 213502388 + the NIC of the town hall
SIGNED_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)


def rennes_on_datagouv(replay: Replay, harvest_data: Path, scdl: Path) -> dict[str, Any]:
    """A real data.gouv.fr API v1 dataset and organisation, rewritten as the subventions of Rennes."""
    dataset = json.loads((harvest_data / "datagouv" / "datagouv_client-dataset_metadata.json").read_text())
    org = json.loads((harvest_data / "datagouv" / "datagouv_client-organization_metadata.json").read_text())
    org.update(
        id="534fff8ba3a7292c64a7809e",
        name="Ville de Rennes",
        slug="ville-de-rennes",
        business_number_id=RENNES_SIRET,
    )
    org["extras"] = {
        **org["extras"],
        "siretisation:found_siret": RENNES_SIRET,
        "siretisation:denomination_unite_legale": "COMMUNE DE RENNES",
        "siretisation:est_collectivite_territoriale": "True",
        "siretisation:collectivite_territoriale:niveau": "commune",
        "siretisation:collectivite_territoriale:code_insee": "35238",
    }
    replay.json(f"/api/1/organizations/{org['id']}/", org)
    replay.raw("/fichiers/subventions-2025.csv", (scdl / "exemple_valide.csv").read_bytes(), "text/csv")
    resource = copy.deepcopy(dataset["resources"][0])
    resource.update(
        id="9a1c3d57-8f0e-4c2b-b1a4-5d2e6f7a8b90",
        title="subventions-2025.csv",
        url=replay.url("/fichiers/subventions-2025.csv"),
        format="csv",
        mime="text/csv",
        schema={"name": "scdl/subventions", "url": None, "version": None},
    )
    dataset.update(
        id="65f0c2d1e4b0a1b2c3d4e5f6",
        title="Subventions accordées par la Ville de Rennes",
        slug="subventions-accordees-par-la-ville-de-rennes",
        page="https://www.data.gouv.fr/fr/datasets/subventions-accordees-par-la-ville-de-rennes/",
        uri="https://www.data.gouv.fr/api/1/datasets/subventions-accordees-par-la-ville-de-rennes/",
        resources=[resource],
        harvest=None,
    )
    dataset["organization"] = {
        key: org[key] for key in ("id", "name", "slug", "page", "uri", "logo", "badges", "acronym")
    } | {"class": "Organization"}
    paged_datagouv(replay, [dataset])
    return dataset


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/comptes/connexion/")
    no_violations(page)
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/comptes/")
    no_violations(page)


def test_an_atd_runs_its_accompaniment_and_the_observatory_closes_the_loop(
    live_server: Any, atd_agent: Any, replay: Replay, shared_data: Path
) -> None:
    atd = Atd.objects.get(memberships__user=atd_agent)
    published = rennes_on_datagouv(replay, shared_data / "harvest", shared_data / "scdl" / "subventions")
    due = timezone.localdate() + dt.timedelta(days=180)
    base = live_server.url
    with chromium_page() as page:
        sign_in(page, base, "alice", personas.PASSWORD)

        # 1. A colleague joins the team through the e-mailed one-time link.
        page.get_by_role("link", name="Mon équipe").click()
        no_violations(page)
        page.get_by_label("Adresse électronique de la personne invitée").fill("chloe@example.org")
        page.get_by_label("Animateur").check()
        page.get_by_role("button", name="Envoyer l'invitation").click()
        assert page.get_by_text("Invitation envoyée à chloe@example.org.").is_visible()
        link = re.search(r"https?://[^/\s]+(/comptes/invitation/[^/\s]+/)", mail.outbox[-1].body)
        assert link and mail.outbox[-1].to == ["chloe@example.org"]
        colleague = page.context.browser.new_context(locale="fr-FR").new_page()
        colleague.goto(f"{base}{link.group(1)}")
        no_violations(colleague)
        colleague.get_by_label("Identifiant de connexion").fill("chloe")
        colleague.locator("#id_password1").fill("une phrase de passe solide")
        colleague.locator("#id_password2").fill("une phrase de passe solide")
        colleague.get_by_role("button", name="Créer mon compte et accepter").click()
        colleague.wait_for_url("**/comptes/")
        assert colleague.get_by_text("Bienvenue dans l'équipe").is_visible()
        colleague.goto(f"{base}{link.group(1)}")
        assert colleague.get_by_role("heading", name="Cette invitation ne peut plus servir").is_visible()
        colleague.context.close()
        assert AtdMembership.objects.filter(atd=atd, user__username="chloe", role="animateur").exists()

        # 2. The obliged communes of Ille-et-Vilaine, from the ciblage to the follow-up, all at once.
        page.get_by_role("link", name="Ciblage").click()
        page.get_by_label("Départements du périmètre").select_option("35")
        page.get_by_label("Communes", exact=True).check()
        page.get_by_role("button", name="Appliquer").click()
        page.wait_for_url("**departement=35**")
        no_violations(page)
        listed = int(page.get_by_test_id("total").inner_text().replace("\u202f", "").replace(" ", ""))
        assert listed >= 3
        page.get_by_test_id("follow-all").click()
        assert page.get_by_text(f"Suivi de « {atd.name} »").is_visible()
        followed = Etd.objects.filter(atd=atd)
        assert followed.count() == listed
        assert set(followed.values_list("territory__kind", flat=True)) == {"commune"}
        assert set(followed.values_list("territory__departement_code", flat=True)) == {"35"}

        page.goto(f"{base}/suivi/{atd.slug}/")
        no_violations(page)
        assert page.get_by_test_id("board-total").inner_text().startswith(f"{listed} collectivités")
        page.get_by_role("link", name="Liste des collectivités suivies").click()
        no_violations(page)
        page.get_by_role("link", name="Rennes", exact=True).click()
        page.wait_for_url("**/etd/*/")
        no_violations(page)
        assert page.get_by_test_id("etd-step").inner_text().startswith("Ciblée")

        # 3. A convention with Rennes, generated, then its signed copy: Rennes « convention signée ».
        page.get_by_role("link", name="Préparer une convention").click()
        no_violations(page)
        page.locator("#id_atd_signatory").fill("Jeanne Martin")
        page.locator("#id_etd_signatory").fill("Nathalie Appéré")
        page.locator("#id_lieu").fill("Rennes")
        page.get_by_label("Publier chaque jeu visé avant la date limite").uncheck()
        page.get_by_role("button", name="Enregistrer la convention").click()
        assert page.get_by_text("La convention est enregistrée").is_visible()
        no_violations(page)
        with page.expect_download() as download:
            page.get_by_role("link", name="Convention au format ODT").click()
        assert download.value.suggested_filename.endswith(".odt")
        page.get_by_role("link", name="Déposer l'exemplaire signé (PDF)").click()
        no_violations(page)
        page.get_by_label("Exemplaire signé (PDF)").set_input_files(
            {"name": "convention-rennes-signee.pdf", "mimeType": "application/pdf", "buffer": SIGNED_PDF}
        )
        page.get_by_role("button", name="Déposer").click()
        assert page.get_by_text("Exemplaire signé enregistré (version 1)").is_visible()
        convention = Convention.objects.get(etd__atd=atd, etd__territory__code="35238")
        assert convention.status == "signee" and convention.signed_at == timezone.localdate()
        rennes = Etd.objects.get(pk=convention.etd_id)
        assert rennes.step == EtdStep.CONVENTION_SIGNEE

        # 4. « Publier les subventions avant … », added on the commitments page.
        page.goto(f"{base}/suivi/{atd.slug}/etd/{rennes.pk}/engagements/")
        no_violations(page)
        page.locator("#id_kind").select_option("publish")
        page.locator("#id_schema_id").select_option("scdl/subventions")
        page.locator("#id_due_date").fill(due.isoformat())
        page.get_by_role("button", name="Ajouter l'engagement").click()
        label = f"Publier le jeu scdl/subventions avant le {due:%d/%m/%Y}"
        assert page.get_by_text(f"Engagement ajouté : {label}.").is_visible()
        commitment = Commitment.objects.get(etd=rennes, kind="publish")
        assert commitment.status == CommitmentStatus.A_FAIRE

        # 5. The harvest of data.gouv.fr (replayed on loopback) brings the subventions of Rennes.
        page.goto(f"{base}/observatoire/moissonnage/")
        page.get_by_role("link", name="Déclarer une source").click()
        page.get_by_label("Nom de la source").fill("data.gouv.fr")
        page.get_by_label("Type de source").select_option("datagouv")
        page.get_by_label("Adresse (URL)").fill(replay.url())
        page.get_by_role("button", name="Déclarer la source").click()
        page.wait_for_url("**/moissonnage/sources/*/")
        page.get_by_role("button", name="Lancer le moissonnage maintenant").click()
        page.wait_for_url("**/moissonnage/passages/*/")
        assert page.get_by_text("Statut : réussi").is_visible()

        # 6. The commitment is « tenu », by the platform, with the dataset's link; Rennes is « publiée ».
        commitment.refresh_from_db()
        assert (commitment.status, commitment.status_set_by) == (CommitmentStatus.TENU, "auto")
        assert commitment.evidence_dataset is not None
        assert commitment.evidence_dataset.url == published["page"]
        rennes.refresh_from_db()
        assert rennes.step == EtdStep.PUBLIEE
        page.goto(f"{base}/suivi/{atd.slug}/etd/{rennes.pk}/engagements/")
        no_violations(page)
        row = page.get_by_role("row").filter(has_text=label)
        assert row.get_by_text("Tenu", exact=True).is_visible()
        evidence = row.get_by_role("link", name="Jeu publié : Subventions accordées par la Ville de Rennes")
        assert evidence.get_attribute("href") == published["page"]
        page.goto(f"{base}/suivi/{atd.slug}/etd/{rennes.pk}/")
        assert page.get_by_test_id("etd-step").inner_text().startswith("Publiée")
        assert page.get_by_test_id("history").get_by_text("premier jeu SCDL publié").is_visible()

        # 7. The dashboard: Rennes counted at « publiée », publishing its subventions.
        page.goto(f"{base}/suivi/{atd.slug}/tableau-de-bord/")
        no_violations(page)
        assert page.get_by_test_id("funnel-table").locator('[data-step="publiee"]').inner_text() == "1"
        publication = page.get_by_test_id("publication-table").get_by_role("row").filter(has_text="Rennes")
        assert publication.get_by_text("publie des jeux SCDL", exact=True).is_visible()
        assert publication.get_attribute("data-state") == "scdl"
        assert publication.get_by_text("scdl/subventions").is_visible()
