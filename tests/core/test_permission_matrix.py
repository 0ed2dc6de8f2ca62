"""The permission matrix, generated from the URL resolver: every URL × every role × GET and POST.

Each page's expected answer comes from the policy its view declares (``odl.core.access``); pages
whose answer depends on the object (a harvest source owned by an ATD…) say so in ``OBJECT_RULES``;
API endpoints are listed in ``API_POLICIES``. A URL with neither a policy nor an entry fails, and so
does any 500: nobody can add a page without saying who may open it.

"Refused" is a redirect to the sign-in page (anonymous visitors), a 401 (the API), a 403 or a 404 (an
object the role may not know about). "Allowed" is any other answer below 500: a form that rejects an
empty POST with a 400 or a French message has let the role in. A 405 (method not offered) is neutral.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from odl.core.access import Policy, policy_of
from tests.schemas.conftest import SUB_GOOD, SUB_HEADER

ROLES = ("anonymous", "etd_agent", "animateur", "atd_admin", "other_atd_staff", "coordinator")
ALLOWED: dict[str, set[str]] = {
    "public": set(ROLES),
    "token": set(ROLES),
    "signed_in": set(ROLES) - {"anonymous"},
    "coordinator": {"coordinator"},
    "atd_member": {"animateur", "atd_admin", "other_atd_staff", "coordinator"},
    "atd_staff": {"animateur", "atd_admin", "coordinator"},
    "atd_admin": {"atd_admin", "coordinator"},
    "etd": {"etd_agent", "animateur", "atd_admin", "coordinator"},
}
# Pages whose answer depends on the object in the URL, per method, beyond the view's policy.
OBJECT_RULES: dict[tuple[str, str], set[str]] = {
    # The sample source belongs to the ATD of Ille-et-Vilaine: only its team and coordinators see it.
    ("harvest:source", "GET"): ALLOWED["atd_staff"],
    ("harvest:source", "POST"): ALLOWED["atd_staff"],
    ("harvest:source_run", "POST"): ALLOWED["atd_staff"],
    ("harvest:source_toggle", "POST"): ALLOWED["atd_staff"],
    ("harvest:run", "GET"): ALLOWED["atd_staff"],
    ("harvest:run", "POST"): ALLOWED["atd_staff"],
    # The sample publisher is proposed in Ille-et-Vilaine: another ATD may not decide on it.
    ("harvest:decide", "POST"): ALLOWED["atd_staff"],
    # The runs of that ATD source are its own business too, in the API as on the pages.
    ("api:runs", "GET"): ALLOWED["atd_staff"],
    # The sample invitation is for a newcomer: someone signed in under another address may not take it.
    ("accounts:invitation", "GET"): {"anonymous"},
    ("accounts:invitation", "POST"): {"anonymous"},
    # The sample resource is shared with the ATD of Ille-et-Vilaine and its collectivités only.
    ("programme:resource", "GET"): ALLOWED["etd"],
    ("programme:resource", "POST"): ALLOWED["etd"],
    # The sample API token is the ETD agent's: nobody else may revoke it.
    ("accounts:revoke_api_token", "POST"): {"etd_agent"},
    ("programme:resource_download", "GET"): ALLOWED["etd"],
    ("programme:resource_download", "POST"): ALLOWED["etd"],
}
# A collectivité's data.gouv.fr pages: its ATD's team and its own agents (Rennes' agent), nobody else.
for _name in ("datagouv:link", "datagouv:push_new", "datagouv:push", "datagouv:calls"):
    OBJECT_RULES[(_name, "GET")] = OBJECT_RULES[(_name, "POST")] = ALLOWED["etd"]
# What a POST needs to reach the permission check of the action (an empty form is enough elsewhere).
POST_DATA: dict[str, dict[str, str]] = {"programme:feed_renew": {"feed": "atd"}}
# The JSON API (django-ninja): one entry per endpoint.
API_POLICIES: dict[str, Policy] = {
    "api:openapi-json": "public",
    "api:openapi-view": "public",
    "api:list_territories": "public",
    "api:get_territory": "public",
    "api:targets": "public",
    "api:sources": "public",
    "api:runs": "public",
    "api:datasets": "public",
    "api:publishers": "public",
    "api:indicators": "public",
    "api:indicators_history": "public",
    "api:snapshots": "public",
    "api:schemas": "public",
    "api:validate_file": "public",
    "api:list_atds": "public",
    "api:get_atd": "public",
    "api:list_etds": "atd_staff",
    "api:list_commitments": "atd_staff",
    "api:list_meetings": "atd_staff",
    "api:published_datasets": "public",
    "api:published_dataset": "public",
    "api:published_version": "public",
    # The push of a version (token or session): the collectivité of the sample dataset and its ATD.
    "api:push_version": "etd",
}
# Pages that are Django's own, with their policy.
DJANGO_POLICIES: dict[str, Policy] = {"login": "public", "logout": "public"}
SKIPPED_PREFIXES = ("admin/", "static/")  # Django's admin keeps its own permission system.
# django-ninja's root pattern only anchors the endpoints: it answers 404 to everybody.
SKIPPED_NAMES = {"api:api-root"}
# Public pages whose sample may not exist on a fresh install (contours before `odl geo sync`): a 404
# there is the honest answer, and only a refusal of another kind (403, sign-in) would be wrong.
MAY_BE_ABSENT = {"observatory:map_contours"}
# The second step of signing in sends everybody back to the first one when no sign-in is under way.
SIGN_IN_STEPS = {"accounts:login_code"}


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    callback: Callable[..., Any]
    converters: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), joined)
        elif isinstance(pattern, URLPattern):
            path = prefix + str(pattern.pattern)
            if path.startswith(SKIPPED_PREFIXES) or f"{namespace}:{pattern.name}" in SKIPPED_NAMES:
                continue
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name or path
            yield Route(name, path, pattern.callback, tuple(re.findall(r"<(?:\w+:)?(\w+)>", path)))


ROUTES = sorted(_walk(get_resolver().url_patterns), key=lambda r: r.name)


def _policy(route: Route) -> Policy | None:
    return policy_of(route.callback) or API_POLICIES.get(route.name) or DJANGO_POLICIES.get(route.name)


def test_every_url_says_who_may_open_it() -> None:
    missing = [f"{r.name} ({r.path})" for r in ROUTES if _policy(r) is None]
    assert not missing, (
        "pages sans politique d'accès : décorez la vue avec @access(...) "
        f"ou ajoutez l'URL à API_POLICIES : {missing}"
    )


class World:
    """One of everything a URL can name, for the ATD of Ille-et-Vilaine and a neighbour ATD."""

    def __init__(self) -> None:
        from odl.accounts.models import EtdAgent, Invitation
        from odl.atds.models import Atd, AtdMembership, AtdRole
        from odl.core.documents import default_convention_template
        from odl.harvest.models import HarvestRun, HarvestSource, Publisher
        from odl.observatory.history import take_snapshot
        from odl.programme.models import (
            CalendarFeed,
            Commitment,
            Convention,
            ConventionTemplate,
            Etd,
            Meeting,
            Resource,
            ResourceVersion,
            SignedCopy,
        )
        from odl.schemas.models import ValidationJob, ValidationRun
        from odl.territories.models import Perimeter, Territory
        from tests import personas

        users = get_user_model().objects
        self.users: dict[str, Any] = {"coordinator": personas.coordinator()}
        self.users["atd_admin"] = personas.atd_agent("alice")
        self.atd = Atd.objects.get(memberships__user=self.users["atd_admin"])
        self.users["animateur"] = users.create_user("anna")
        AtdMembership.objects.create(user=self.users["animateur"], atd=self.atd, role=AtdRole.ANIMATEUR)
        self.users["other_atd_staff"] = personas.atd_agent("bob", territory=("departement", "22"))
        rennes = Territory.objects.get(kind="commune", code="35238")
        self.etd = Etd.objects.create(atd=self.atd, territory=rennes)
        self.users["etd_agent"] = users.create_user("etienne")
        EtdAgent.objects.create(user=self.users["etd_agent"], territory=rennes, atd=self.atd)
        dep35 = Territory.objects.get(kind="departement", code="35")
        # A closed loopback port: a harvest started by the matrix fails at once, without the network.
        self.source = HarvestSource.objects.create(
            name="Portail 35", kind="ckan", url="http://127.0.0.1:9/", owner=dep35
        )
        self.run = HarvestRun.objects.create(source=self.source, status="failed")
        self.publisher = Publisher.objects.create(
            source=self.source,
            remote_id="rennes",
            name="Ville de Rennes",
            candidate=rennes,
            match_status="to_review",
        )
        self.snapshot = take_snapshot()
        # A real report, through the validation page, so that every report URL has something to show.
        row = list(SUB_GOOD)
        row[2] = "05/12/2016"  # a safe fix, so that the corrected copy exists too
        body = ",".join(SUB_HEADER) + "\n" + ",".join(f'"{v}"' for v in row) + "\n"
        upload = SimpleUploadedFile("subventions.csv", body.encode())
        Client().post("/validation/", {"file": upload, "schema": "subventions"})
        self.report = ValidationRun.objects.first()
        # A drop of two files: the batch page lists them (a single file would redirect to its report).
        second = SimpleUploadedFile("subventions-2.csv", body.encode())
        Client().post("/validation/", {"file": [SimpleUploadedFile("s1.csv", body.encode()), second]})
        self.batch = ValidationJob.objects.values_list("batch", flat=True).first()
        self.perimeter = Perimeter.objects.create(
            name="Bretagne", slug="bretagne", query="region=53", owner=self.users["atd_admin"]
        )
        self.rennes = rennes
        self.convention = Convention.objects.create(etd=self.etd, datasets=["scdl/subventions"])
        self.signed = SignedCopy.objects.create(
            convention=self.convention,
            version=1,
            signed_at=dt.date(2026, 11, 2),
            file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="signee.pdf"),
        )
        self.template = ConventionTemplate.objects.create(
            atd=self.atd,
            name="Modèle",
            fmt="odt",
            file=ContentFile(default_convention_template("odt"), name="m.odt"),
        )
        self.meeting = Meeting.objects.create(
            atd=self.atd, starts_at=dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC)
        )
        self.feed = CalendarFeed.objects.create(atd=self.atd)
        self.resource = Resource.objects.create(title="Fiche", kind="fiche", visibility="atd", atd=self.atd)
        ResourceVersion.objects.create(
            resource=self.resource, version=1, file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="fiche.pdf")
        )
        self.invitation, self.invitation_token = Invitation.issue(
            email="nouvelle@example.org", atd=self.atd, role="animateur", created_by=self.users["atd_admin"]
        )
        self.membership = AtdMembership.objects.get(user=self.users["animateur"])
        reset_user = self.users["etd_agent"]
        self.reset = {
            "uidb64": urlsafe_base64_encode(force_bytes(reset_user.pk)),
            "token": default_token_generator.make_token(reset_user),
        }
        self.commitment = Commitment.objects.create(
            etd=self.etd,
            kind="publish",
            schema_id="scdl/subventions",
            evidence_file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="preuve.pdf"),
        )
        from odl.culture.models import Campaign as CultureCampaign

        # An open questionnaire of the ATD: its public link must answer everybody, signed in or not.
        self.culture_campaign = CultureCampaign.objects.create(
            atd=self.atd, title="Questionnaire", closes_on=dt.date(2999, 1, 1)
        )
        from odl.animations import planning as animation_planning
        from odl.animations.fiches import load_defaults
        from odl.animations.models import Event as AnimationEvent
        from odl.animations.models import Format as AnimationFormat

        # A cartopartie of the ATD of Ille-et-Vilaine: its pages are its team's, its collection link public.
        # (The fiches come from a data migration, which an earlier transactional test may have flushed.)
        load_defaults(AnimationFormat)
        self.animation = AnimationEvent.objects.create(
            atd=self.atd,
            format=AnimationFormat.objects.get(slug="cartopartie"),
            title="Cartopartie",
            starts_on=dt.date(2026, 6, 6),
            ends_on=dt.date(2026, 6, 6),
        )
        animation_planning.generate_checklist(self.animation)
        animation_planning.schedule_followups(self.animation)
        from odl.datagouv.models import DatagouvLink, Push

        # Rennes linked to a data.gouv.fr organisation, with one finished push: no page calls out.
        self.datagouv_link = DatagouvLink.objects.create(
            territory=rennes, organization_id="534fff8ba3a7292c64a77ed4", organization_name="Ville de Rennes"
        )
        self.datagouv_push = Push.objects.create(
            link=self.datagouv_link,
            local_id="subventions",
            title="Subventions",
            filename="s.csv",
            status="done",
        )
        import io

        from PIL import Image

        from odl.harvest.models import HarvestedDataset
        from odl.places.models import Place
        from odl.reuses.models import NationalObservatory, Reuse

        # A reuse of the ATD of Ille-et-Vilaine, with a real image, on a harvested dataset; a place; an
        # observatory of the coordinator's list.
        self.dataset = HarvestedDataset.objects.create(source=self.source, remote_id="ds", title="Jeu")
        self.reuse = Reuse.objects.create(title="Carte", url="https://exemple.org/carte", atd=self.atd)
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4)).save(buffer, format="PNG")
        self.reuse.image.save("1.png", ContentFile(buffer.getvalue()), save=False)
        self.reuse.image_type = "image/png"
        self.reuse.save()
        self.reuse.datasets.add(self.dataset)
        self.place = Place.objects.create(
            name="Infolab", commune=rennes, latitude=48.1, longitude=-1.6, atd=self.atd
        )
        self.observatory = NationalObservatory.objects.create(
            name="Obs", theme="t", url="https://exemple.org/"
        )
        from odl.publishing.models import Dataset as PublishedDataset
        from odl.publishing.models import ImportDraft
        from odl.publishing.versions import publish as publish_version
        from odl.schemas.registry import known as known_schema

        # A published dataset of Rennes (public page, downloads) and an import checked and ready to publish.
        self.published = PublishedDataset.objects.create(
            etd=self.etd, schema_name="subventions", title="Subventions"
        )
        table = (",".join(SUB_HEADER) + "\n" + ",".join(f'"{v}"' for v in SUB_GOOD) + "\n").encode()
        publish_version(self.published, table, known_schema("subventions"), by=None, valid=True)
        self.draft = ImportDraft(
            dataset=self.published,
            source_name="subventions.csv",
            columns=list(SUB_HEADER),
            mapping=list(SUB_HEADER),
            status="checked",
            report={"valid": True, "rows": 1, "errors": 0, "warnings": 0, "details": [], "corrections": []},
        )
        self.draft.source.save("source.csv", ContentFile(table), save=False)
        self.draft.checked.save("checked.csv", ContentFile(table), save=False)
        grid = "_line," + ",".join(f"c{i}" for i in range(len(SUB_HEADER))) + "\n"
        grid += "1," + ",".join(SUB_HEADER) + "\n2," + ",".join(f'"{v}"' for v in SUB_GOOD) + "\n"
        self.draft.grid.save("grid.csv", ContentFile(grid.encode()), save=False)
        self.draft.save()
        from odl.accounts.models import ApiToken

        self.api_token, _key = ApiToken.issue(self.users["etd_agent"], "export")
        from odl.dashboards.models import Chart as DashboardChart
        from odl.dashboards.models import Dashboard

        # A public dashboard of Rennes on its published dataset, and one of the ATD itself.
        self.dash_etd = Dashboard.objects.create(
            atd=self.atd, etd=self.etd, title="Subventions", slug="subventions-rennes", public=True
        )
        self.dash_atd = Dashboard.objects.create(atd=self.atd, title="Réseau", slug="reseau-35", public=True)
        self.dash_charts = {
            board.pk: DashboardChart.objects.create(
                dashboard=board,
                title="Montants",
                dataset=self.published,
                measure="sum",
                value_column="montant",
                breakdown_column="nomBeneficiaire",
                method="Somme des montants.",
            )
            for board in (self.dash_etd, self.dash_atd)
        }

    def kwargs(self, route: Route) -> dict[str, Any]:
        samples: dict[str, Any] = {
            "slug": self.atd.slug,
            "etd": self.etd.pk,
            "kind": "commune",
            "code": "35238",
            "fmt": "csv",
            "which": "ouvertes",
            "layer": "communes",
            "departement": "35",
            "source_id": self.source.pk,
            "token": "jeton-inconnu",
            "year": 2026,
            "siren": "213502388",
        }
        by_name: dict[str, dict[str, Any]] = {
            "territories:perimeter": {"slug": self.perimeter.slug},
            "schemas:batch": {"batch": self.batch},
            "harvest:source": {"pk": self.source.pk},
            "harvest:source_run": {"pk": self.source.pk},
            "harvest:source_toggle": {"pk": self.source.pk},
            "harvest:run": {"pk": self.run.pk},
            "harvest:decide": {"pk": self.publisher.pk},
            "observatory:snapshot_rows": {"pk": self.snapshot.pk},
            "programme:report": {"fmt": "odt"},
            "programme:convention": {"pk": self.convention.pk},
            "programme:convention_document": {"pk": self.convention.pk, "fmt": "odt"},
            "programme:signed_copy_upload": {"pk": self.convention.pk},
            "programme:signed_copy": {"pk": self.convention.pk, "version": self.signed.version},
            "programme:convention_template": {"pk": self.template.pk},
            "programme:commitment": {"pk": self.commitment.pk},
            "programme:commitment_evidence": {"pk": self.commitment.pk},
            "programme:feed": {"token": self.feed.token},
            "accounts:invitation": {"token": self.invitation_token},
            "accounts:member_role": {"pk": self.membership.pk},
            "accounts:revoke_invitation": {"pk": self.invitation.pk},
            "accounts:remove_member": {"pk": self.membership.pk},
            "accounts:password_reset_confirm": self.reset,
            "programme:resource": {"pk": self.resource.pk},
            "programme:resource_download": {"pk": self.resource.pk, "version": 1},
            "programme:resource_new_version": {"pk": self.resource.pk},
            "culture:answer": {"token": self.culture_campaign.token},
            "culture:results": {"token": self.culture_campaign.token},
            "culture:figures": {"pk": self.culture_campaign.pk},
            "culture:export": {"pk": self.culture_campaign.pk},
            "culture:etd_figures": {"pk": self.culture_campaign.pk},
            "datagouv:push": {"pk": self.datagouv_push.pk},
            "accounts:revoke_api_token": {"pk": self.api_token.pk},
        }
        if route.name in ("reuses:detail", "reuses:image", "reuses:edit"):
            by_name[route.name] = {"pk": self.reuse.pk}
        by_name["reuses:dataset"] = {"pk": self.dataset.pk}
        by_name["reuses:observatory"] = {"pk": self.observatory.pk}
        if route.name in ("places:detail", "places:edit"):
            by_name[route.name] = {"pk": self.place.pk}
        if route.name.startswith("api:published_") or route.name == "api:push_version":
            by_name[route.name] = {"pk": self.published.pk, "number": 1}
        if route.name.startswith("publishing:"):
            by_name[route.name] = {"pk": self.published.pk, "version": 1, "draft": self.draft.pk, "row": 1}
            if route.name == "publishing:catalogue":
                by_name[route.name] = {"fmt": "ttl"}
        if route.name.startswith("programme:meeting"):
            by_name[route.name] = {"pk": self.meeting.pk}
        if route.name.startswith("animations:"):
            by_name[route.name] = {
                "pk": self.animation.pk,
                "months": 1,
                "format_slug": "hackathon",
                "token": self.animation.collect_token,
            }
        if route.name.startswith("dashboards:"):
            dash = self.dash_atd if route.name.startswith("dashboards:atd_") else self.dash_etd
            by_name[route.name] = {"pk": dash.pk, "chart": self.dash_charts[dash.pk].pk, "board": dash.slug}
        values = dict(by_name.get(route.name, {}))
        for converter in route.converters:
            if converter in values:
                continue
            if converter == "pk" and route.name.startswith("schemas:"):
                values["pk"] = self.report.pk if self.report else uuid.uuid4()
                continue
            if converter not in samples:
                raise AssertionError(
                    f"{route.name} : ajoutez un exemple pour le paramètre « {converter} » dans World.kwargs"
                )
            values[converter] = samples[converter]
        return values


def _url(route: Route, kwargs: dict[str, Any]) -> str:
    path = route.path
    for converter in route.converters:
        path = re.sub(rf"<(?:\w+:)?{converter}>", str(kwargs[converter]), path, count=1)
    path = path.replace("^", "").replace("$", "")
    return "/" + path


def _refused(response: Any) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and "/comptes/connexion/" in response.get("Location", "")


@pytest.mark.parametrize("route", [r for r in ROUTES if _policy(r) is not None], ids=lambda r: r.name)
def test_each_role_gets_the_answer_the_policy_promises(
    route: Route, small_referentiel: Any, settings: Any
) -> None:
    settings.ODL_HARVEST_RETRIES = 0
    settings.ODL_HARVEST_TIMEOUT = 1.0
    world = World()
    url = _url(route, world.kwargs(route))
    policy = _policy(route)
    assert policy is not None
    wrong = []
    for method in ("GET", "POST"):
        allowed = OBJECT_RULES.get((route.name, method), ALLOWED[policy])
        for role in ROLES:
            client = Client(raise_request_exception=False)
            if role != "anonymous":
                client.force_login(world.users[role])
            # Each request is rolled back: one role deleting the sample must not change the next one's answer.
            with transaction.atomic():
                data = POST_DATA.get(route.name, {})
                response = client.get(url) if method == "GET" else client.post(url, data)
                # A streamed download holds its file open until its content is read to the end: the test
                # client's wrapper then closes it, as a WSGI server would, without ending the connection.
                if response.streaming:
                    b"".join(response.streaming_content)
                transaction.set_rollback(True)
            if response.status_code >= 500:
                wrong.append(f"{method} {role} : erreur {response.status_code}")
            elif route.name in MAY_BE_ABSENT and response.status_code == 404:
                continue
            elif route.name in SIGN_IN_STEPS and response.status_code == 302:
                continue
            elif response.status_code == 405:
                continue  # a method the URL does not offer says nothing about who may use it
            elif _refused(response) == (role in allowed):
                expected = "autorisé" if role in allowed else "refusé"
                wrong.append(f"{method} {role} : {response.status_code}, attendu {expected}")
    assert not wrong, f"{url} ({policy}) :\n" + "\n".join(wrong)
