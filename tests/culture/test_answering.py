"""Answering a campaign through its public link: the form, results at once, closed links, twice."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from odl.culture.models import Answer, Campaign, Item, Response
from odl.programme.models import Etd
from tests.culture.conftest import all_answers, answer_in_browser, header, level_answer


def test_the_public_form_needs_no_account_and_shows_consent_and_retention(campaign: Campaign) -> None:
    page = Client().get(f"/questionnaire/{campaign.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "28 questions" in html and "24 mois" in html and campaign.consent_text[:40] in html
    # One fieldset per question, its legend the question; « Je ne sais pas » on each.
    assert html.count('<fieldset class="question') == 28
    assert html.count(">Je ne sais pas</label>") == 28
    assert "Rennes" in html  # the ATD's collectivités to choose from


def test_an_unknown_link_answers_404_in_french(campaign: Campaign) -> None:
    page = Client().get("/questionnaire/pas-un-jeton/")
    assert page.status_code == 404


def test_an_answer_is_stored_and_the_respondent_sees_her_results_at_once(
    campaign: Campaign, rennes_etd: Etd
) -> None:
    client = Client()
    sent = answer_in_browser(client, campaign, 3, rennes_etd)
    assert sent.status_code == 302 and sent["Location"] == f"/questionnaire/{campaign.token}/resultats/"
    response = Response.objects.get()
    assert (response.etd, response.role, response.service, response.name) == (
        rennes_etd,
        "metier",
        "Urbanisme",
        "",
    )
    # Self-positionings at 3 (75) and the right knowledge check (100): (3×3 + 4) / 16 → 81 in each domain.
    assert set(response.scores.values()) == {81}
    page = client.get(sent["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Score global : <strong>81 / 100</strong>, niveau <strong>Référent</strong>" in html
    assert html.count('<td class="num">81</td>') == 7
    assert 'id="radar-chart"' in html and "chart.umd.min.js" in html
    # The default rule for respondents at 75 or more.
    assert "Devenir référent ou ambassadeur de la donnée" in html
    assert "À vérifier" not in html


def test_over_estimation_raises_the_alert_and_low_scores_their_recommendations(campaign: Campaign) -> None:
    client = Client()

    def pick(item: Item) -> str:
        # Self-rating 3 everywhere, the knowledge check wrong.
        if item.correct_option is not None:
            return str((item.correct_option + 1) % len(item.options))
        return "3" if item.domain.code == "publication" else "0"

    client.post(f"/questionnaire/{campaign.token}/", {**header(), **all_answers(pick)})
    html = client.get(f"/questionnaire/{campaign.token}/resultats/").content.decode()
    assert "En « Publication des données », votre auto-positionnement (75 / 100) dépasse de 75 points" in html
    assert "Sensibilisation : comprendre la donnée et l&#x27;open data" in html
    assert "Accompagnement à la publication SCDL" not in html  # publication is at 56 (3,3,3,0)


def test_all_je_ne_sais_pas_gives_no_score_shown_as_such(campaign: Campaign) -> None:
    client = Client()
    client.post(f"/questionnaire/{campaign.token}/", {**header(), **all_answers(lambda item: "nsp")})
    response = Response.objects.get()
    assert set(response.scores.values()) == {None}
    assert Answer.objects.filter(response=response, choice__isnull=True, points__isnull=True).count() == 28
    html = client.get(f"/questionnaire/{campaign.token}/resultats/").content.decode()
    assert "Pas de score global" in html
    assert html.count("pas de score (« je ne sais pas » partout)") == 7
    assert "Aucune recommandation particulière" in html


def test_missing_answers_are_listed_and_nothing_is_stored(campaign: Campaign) -> None:
    data = {**header(), **all_answers(level_answer(2))}
    data.pop("q-formats-csv")
    data.pop("consent")
    page = Client().post(f"/questionnaire/{campaign.token}/", data)
    html = page.content.decode()
    assert page.status_code == 200 and not Response.objects.exists()
    assert "Question sans réponse : Produire un fichier CSV propre" in html
    assert "Cochez la case de consentement" in html
    # What was answered is kept on the page.
    assert 'id="q-formats-tableur-2" value="2" checked' in html


def test_a_tampered_choice_is_treated_as_missing(campaign: Campaign) -> None:
    data = {**header(), **all_answers(level_answer(2)), "q-formats-csv": "9"}
    page = Client().post(f"/questionnaire/{campaign.token}/", data)
    assert page.status_code == 200 and not Response.objects.exists()


def test_the_same_browser_answering_twice_is_told_so_and_nothing_changes(campaign: Campaign) -> None:
    client = Client()
    answer_in_browser(client, campaign, 1)
    stored = list(Answer.objects.order_by("pk").values_list("pk", "choice", "points"))
    page = client.get(f"/questionnaire/{campaign.token}/")
    assert "Vous avez déjà répondu à ce questionnaire depuis ce navigateur" in page.content.decode()
    again = answer_in_browser(client, campaign, 4)
    assert again.status_code == 409 and "ne peuvent pas être modifiées" in again.content.decode()
    assert Response.objects.count() == 1
    assert list(Answer.objects.order_by("pk").values_list("pk", "choice", "points")) == stored
    # Another browser is another respondent.
    assert answer_in_browser(Client(), campaign, 4).status_code == 302
    assert Response.objects.count() == 2


def test_a_forged_cookie_is_ignored(campaign: Campaign) -> None:
    client = Client()
    client.cookies[f"odl_questionnaire_{campaign.pk}"] = "1"
    page = client.get(f"/questionnaire/{campaign.token}/resultats/")
    assert "Aucune réponse n'a été envoyée depuis ce navigateur" in page.content.decode()


def test_a_closed_campaign_says_so_in_french_and_stores_nothing(campaign: Campaign) -> None:
    campaign.closes_on = timezone.localdate() - dt.timedelta(days=1)
    campaign.save()
    page = answer_in_browser(Client(), campaign, 2)
    assert page.status_code == 410
    assert "Ce questionnaire est clos depuis le" in page.content.decode()
    assert not Response.objects.exists()


def test_a_named_campaign_asks_for_the_name_and_an_anonymous_one_never_stores_it(campaign: Campaign) -> None:
    answer_in_browser(Client(), campaign, 2)
    assert Response.objects.get().name == ""
    campaign.anonymous = False
    campaign.save()
    data = {**header(), **all_answers(level_answer(2))}
    page = Client().post(f"/questionnaire/{campaign.token}/", data)
    assert page.status_code == 200 and "Vos prénom et nom" in page.content.decode()
    data["name"] = "Camille Agent"
    assert Client().post(f"/questionnaire/{campaign.token}/", data).status_code == 302
    assert Response.objects.filter(name="Camille Agent").exists()


def test_a_campaign_of_one_collectivite_fixes_it(campaign: Campaign, rennes_etd: Etd) -> None:
    campaign.etd = rennes_etd
    campaign.save()
    html = Client().get(f"/questionnaire/{campaign.token}/").content.decode()
    assert "Votre collectivité" not in html and "pour Rennes" in html
    answer_in_browser(Client(), campaign, 2)
    assert Response.objects.get().etd == rennes_etd


def test_editing_the_bank_later_never_changes_a_stored_score(campaign: Campaign) -> None:
    client = Client()
    answer_in_browser(client, campaign, 2)
    before = client.get(f"/questionnaire/{campaign.token}/resultats/").content.decode().count(">63<")
    Item.objects.filter(kind="verification").update(correct_option=3)
    after = client.get(f"/questionnaire/{campaign.token}/resultats/").content.decode().count(">63<")
    assert before == after == 7
