"""The programme's demonstration: an ATD a newcomer can walk through on first start (``odl load_demo``).

Offline and idempotent: each part is created once (looked up by a stable key, or skipped when the ATD
already has it), so running ``load_demo`` again changes nothing. Everything is flagged as a
demonstration (``Atd.demo``, names prefixed « [Démo] »), and dates are relative to the first run.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from odl.accounts.models import EtdAgent
from odl.atds.models import Atd, AtdKind, AtdMembership, AtdRole
from odl.core.documents import PdfUnavailable, default_convention_template, pdf_available, render, to_pdf
from odl.observatory.history import entry_key, organisation_type
from odl.observatory.models import Snapshot, SnapshotEntry, SnapshotOrigin
from odl.programme.conventions import convention_context
from odl.programme.models import (
    Attendance,
    AttendanceStatus,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Convention,
    ConventionStatus,
    Etd,
    EtdStep,
    Licence,
    Meeting,
    Resource,
    ResourceKind,
    ResourceVersion,
    SignedCopy,
    Visibility,
)
from odl.territories.models import Kind, Territory
from odl.territories.targeting import build_criteria, compute_targets

DEMO_SLUG = "demo-atd-ille-et-vilaine"
DEMO_NAME = "[Démo] ATD d'Ille-et-Vilaine"
DEMO_SERIES = "demo-points-mensuels"
ETD_COUNT = 12
# Where the demo's ETDs stand, in order of the obliged collectivités (most populous first).
STEP_PLAN = [
    EtdStep.AUTONOME,
    EtdStep.PUBLIEE,
    EtdStep.PUBLIEE,
    EtdStep.EN_PRODUCTION,
    EtdStep.EN_PRODUCTION,
    EtdStep.CONVENTION_SIGNEE,
    EtdStep.CONVENTION_SIGNEE,
    EtdStep.CONTACTEE,
    EtdStep.CONTACTEE,
    EtdStep.CIBLEE,
    EtdStep.CIBLEE,
    EtdStep.ABANDON,
]
ORDER = [EtdStep.CIBLEE, EtdStep.CONTACTEE, EtdStep.CONVENTION_SIGNEE, EtdStep.EN_PRODUCTION, EtdStep.PUBLIEE]


def _user(username: str, password: str, first: str, last: str) -> Any:
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last}
    )
    if created:
        user.set_password(password)
        user.save()
    return user


def _history(etd: Etd, target: EtdStep, by: Any, start: dt.datetime) -> None:
    """Walk the ETD from « ciblée » to its target step, a few weeks between steps."""
    path = ORDER[: ORDER.index(target) + 1] if target in ORDER else list(ORDER)
    if target == EtdStep.AUTONOME:
        path = [*ORDER, EtdStep.AUTONOME]
    if target == EtdStep.ABANDON:
        path = [EtdStep.CIBLEE, EtdStep.CONTACTEE, EtdStep.ABANDON]
    moment = start
    for step in path:
        note = "Démonstration : étape fictive."
        etd.history.create(step=step, at=moment, by=by, note=note)
        moment += dt.timedelta(days=30)
    last = etd.history.order_by("-at").first()
    assert last is not None
    etd.step = target
    etd.step_changed_at = last.at
    etd.abandon_reason = (
        "Démonstration : pas d'agent disponible cette année." if target == EtdStep.ABANDON else ""
    )
    etd.save(update_fields=["step", "step_changed_at", "abandon_reason"])


def _demo_targets() -> list[Territory]:
    """The first obliged communes and EPCI of département 35, the ciblage's order (most populous first)."""
    criteria = build_criteria(departements=["35"], kinds=[Kind.COMMUNE, Kind.EPCI], check_codes=False)
    wanted = [(row["kind"], row["code"]) for row in compute_targets(criteria).rows][:ETD_COUNT]
    found = Territory.objects.filter(kind__in=[Kind.COMMUNE, Kind.EPCI], code__in=[c for _, c in wanted])
    by_key = {(t.kind, t.code): t for t in found}
    return [by_key[key] for key in wanted if key in by_key]


def load(username: str, password: str, say: Callable[[str], None]) -> Atd | None:
    """Create the demonstration ATD and its follow-up; None when the référentiel lacks département 35."""
    departement = Territory.objects.filter(kind=Kind.DEPARTEMENT, code="35").first()
    if departement is None:
        say("Démonstration du programme non créée : le département 35 n'est pas dans le référentiel.")
        return None
    with transaction.atomic():
        atd = _atd(departement)
        team = _team(atd, username, password)
        etds = _etds(atd, team["admin"])
        _agent(atd, etds, password)
        _convention(atd, etds, team["admin"])
        _commitments(atd, etds)
        _meetings(atd, etds, team["admin"])
        _resources(atd, team["admin"])
        snapshots = _snapshots(etds)
    say(
        f"Démonstration du programme : « {atd.name} », {atd.etds.count()} collectivités suivies, "
        f"{Commitment.objects.filter(etd__atd=atd).count()} engagements, {atd.meetings.count()} réunions "
        f"(comptes « {username} », « demo-animateur », « demo-agent-etd », même mot de passe)."
    )
    if snapshots:
        say(
            f"{snapshots} instantanés fictifs de l'observatoire créés pour la démonstration ; le premier "
            "moissonnage ou la première édition importée les remplace."
        )
    return atd


def _atd(departement: Territory) -> Atd:
    atd, created = Atd.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name": DEMO_NAME,
            "kind": AtdKind.DEPARTEMENT,
            "structure": departement,
            "demo": True,
            "offer_animation": True,
            "offer_formation": True,
            "offer_outils": True,
            "offer_text": "Démonstration : points mensuels, ateliers de prise en main, aide à la publication.",
            "contact_name": "[Démo] Mission données du Département",
            "contact_email": "donnees-demo@example.org",
        },
    )
    if created:
        atd.areas.add(departement)
    return atd


def _team(atd: Atd, username: str, password: str) -> dict[str, Any]:
    admin = _user(username, password, "Animatrice", "Territoriale")
    colleague = _user("demo-animateur", password, "Antoine", "[Démo] Animateur")
    AtdMembership.objects.get_or_create(user=admin, atd=atd, defaults={"role": AtdRole.ADMIN})
    AtdMembership.objects.get_or_create(user=colleague, atd=atd, defaults={"role": AtdRole.ANIMATEUR})
    return {"admin": admin, "colleague": colleague}


def _etds(atd: Atd, by: Any) -> list[Etd]:
    start = timezone.now() - dt.timedelta(days=240)
    etds = []
    for index, territory in enumerate(_demo_targets()):
        etd, created = Etd.objects.get_or_create(atd=atd, territory=territory, defaults={"created_by": by})
        if created:
            etd.created_at = start
            etd.save(update_fields=["created_at"])
            _history(etd, STEP_PLAN[index % len(STEP_PLAN)], by, start + dt.timedelta(days=index))
        etds.append(etd)
    return etds


def _agent(atd: Atd, etds: list[Etd], password: str) -> None:
    if not etds:
        return
    agent = _user("demo-agent-etd", password, "Élodie", "[Démo] Agente communale")
    EtdAgent.objects.get_or_create(user=agent, atd=atd, territory=etds[0].territory)


def _convention(atd: Atd, etds: list[Etd], by: Any) -> None:
    signed = [
        e for e in etds if e.step in (EtdStep.CONVENTION_SIGNEE, EtdStep.EN_PRODUCTION, EtdStep.PUBLIEE)
    ]
    if not signed or Convention.objects.filter(etd__atd=atd).exists():
        return
    etd = signed[0]
    today = timezone.localdate()
    convention = Convention.objects.create(
        etd=etd,
        date=today - dt.timedelta(days=120),
        lieu="Rennes",
        atd_signatory="[Démo] Camille Martin",
        atd_signatory_title="vice-présidente chargée du numérique",
        etd_signatory="[Démo] Dominique Durand",
        etd_signatory_title="maire",
        datasets=["scdl/subventions", "scdl/deliberations"],
        publish_before=today + dt.timedelta(days=90),
        support=atd.offer_labels,
        support_text=atd.offer_text,
        created_by=by,
    )
    if not pdf_available():
        return  # without LibreOffice the convention stays unsigned: no copy to store
    try:
        odt = render(default_convention_template("odt"), "odt", convention_context(convention))
        pdf = to_pdf(odt, "odt")
    except PdfUnavailable:
        return
    convention.status = ConventionStatus.SIGNEE
    convention.signed_at = convention.date
    convention.save(update_fields=["status", "signed_at"])
    SignedCopy.objects.create(
        convention=convention,
        version=1,
        file=ContentFile(pdf, name=f"demo-convention-{etd.pk}.pdf"),
        signed_at=convention.date,
        uploaded_by=by,
    )


def _commitments(atd: Atd, etds: list[Etd]) -> None:
    if not etds or Commitment.objects.filter(etd__atd=atd).exists():
        return
    today = timezone.localdate()
    convention = Convention.objects.filter(etd__atd=atd).first()
    first = convention.etd if convention else etds[0]
    others = [e for e in etds if e.pk != first.pk and e.step != EtdStep.ABANDON] or [first]
    Commitment.objects.create(
        etd=first,
        convention=convention,
        kind=CommitmentKind.PUBLISH,
        schema_id="scdl/subventions",
        due_date=today - dt.timedelta(days=20),
        status=CommitmentStatus.TENU,
        status_set_by="manual",
        met_at=today - dt.timedelta(days=35),
        evidence_url="https://www.data.gouv.fr/fr/datasets/",
        note="Démonstration : jeu publié fictif.",
    )
    Commitment.objects.create(
        etd=first,
        convention=convention,
        kind=CommitmentKind.PUBLISH,
        schema_id="scdl/deliberations",
        due_date=today + dt.timedelta(days=60),
        status=CommitmentStatus.EN_COURS,
    )
    Commitment.objects.create(
        etd=others[0],
        kind=CommitmentKind.PUBLISH,
        schema_id="scdl/equipements",
        due_date=today - dt.timedelta(days=10),
        status=CommitmentStatus.EN_RETARD,
    )
    Commitment.objects.create(
        etd=others[-1], kind=CommitmentKind.MEETINGS, target_rate=75, due_date=today + dt.timedelta(days=180)
    )
    Commitment.objects.create(
        etd=others[-1], kind=CommitmentKind.EXPERIENCE, due_date=today + dt.timedelta(days=120)
    )


def _meetings(atd: Atd, etds: list[Etd], by: Any) -> None:
    if atd.meetings.filter(series=DEMO_SERIES).exists():
        return
    now = timezone.localtime()
    first = (now - dt.timedelta(days=95)).replace(hour=10, minute=0, second=0, microsecond=0)
    active = [e for e in etds if e.step != EtdStep.ABANDON]
    statuses = [
        AttendanceStatus.PRESENT,
        AttendanceStatus.PRESENT,
        AttendanceStatus.EXCUSE,
        AttendanceStatus.ABSENT,
    ]
    for index in range(6):
        starts = first + dt.timedelta(days=30 * index)
        past = starts < now
        meeting = Meeting.objects.create(
            atd=atd,
            title=f"[Démo] Point mensuel n° {index + 1}",
            starts_at=starts,
            location="Visioconférence (lien fictif)",
            agenda="1. Tour de table\n2. Le jeu SCDL du mois\n3. Questions",
            minutes="Démonstration : compte rendu fictif.\n\n- Tour de table\n- Prochaines publications"
            if past
            else "",
            series=DEMO_SERIES,
            created_by=by,
        )
        if past:
            Attendance.objects.bulk_create(
                Attendance(meeting=meeting, etd=etd, status=statuses[(index + n) % len(statuses)])
                for n, etd in enumerate(active)
            )


def _resources(atd: Atd, by: Any) -> None:
    if Resource.objects.filter(atd=atd).exists():
        return
    files = [
        (
            "[Démo] Fiche : publier ses subventions au format SCDL",
            ResourceKind.FICHE,
            Visibility.ATD,
            "fiche-subventions.odt",
            _odt_file(
                "Publier ses subventions",
                "Démonstration : réunir les conventions de l'année, remplir le modèle SCDL, le valider, le publier.",
            ),
            "application/vnd.oasis.opendocument.text",
        ),
        (
            "[Démo] Modèle : tableau des subventions",
            ResourceKind.MODELE,
            Visibility.ATD,
            "modele-subventions.csv",
            b"nomAttribuant;idAttribuant;dateConvention;nomBeneficiaire;montant\n",
            "text/csv",
        ),
        (
            "[Démo] Retour d'expérience : une commune publie ses délibérations",
            ResourceKind.RETOUR,
            Visibility.ATD,
            "retour-experience.odt",
            _odt_file("Retour d'expérience", "Démonstration : témoignage fictif d'une commune accompagnée."),
            "application/vnd.oasis.opendocument.text",
        ),
    ]
    for title, kind, visibility, name, data, mime in files:
        resource = Resource.objects.create(
            title=title,
            kind=kind,
            visibility=visibility,
            atd=atd,
            licence=Licence.CC_BY_SA,
            tags=["démo", "scdl"],
            description="Document de démonstration créé par odl load_demo.",
            created_by=by,
        )
        ResourceVersion.objects.create(
            resource=resource,
            version=1,
            file=ContentFile(data, name=name),
            size=len(data),
            content_type=mime,
            note="Première version",
            uploaded_by=by,
        )


def _odt_file(title: str, text: str) -> bytes:
    from odfdo import Document, Header, Paragraph

    document = Document("text")
    document.body.clear()
    document.body.append(Header(1, title))
    document.body.append(Paragraph(text))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# What the demo's ETDs publish in each fictitious snapshot (days before the first run), by STEP_PLAN index:
# "scdl" publishes a dataset declaring an SCDL schema, "open" publishes without one.
SNAPSHOT_PLAN: list[tuple[int, dict[int, str]]] = [
    (180, {0: "open"}),
    (90, {0: "scdl", 1: "open"}),
    (3, {0: "scdl", 1: "scdl", 2: "scdl", 3: "open"}),
]
SNAPSHOT_SCHEMAS = {0: ["scdl/deliberations"], 1: ["scdl/subventions"], 2: ["scdl/equipements"]}


def _snapshots(etds: list[Etd]) -> int:
    """Fictitious observatory snapshots, so that the dashboard's map and open rate show something on first
    start. Only on a platform that has no snapshot yet: the demo never stands beside real measures."""
    if not etds or Snapshot.objects.exists():
        return 0
    # The convention's ETD (the met « publier subventions » commitment) publishes subventions.
    convention = Convention.objects.filter(etd__in=etds).select_related("etd").first()
    order = list(etds)
    if convention is not None and convention.etd in order:
        order.remove(convention.etd)
        order.insert(1, convention.etd)
    today = timezone.localdate()
    for days, plan in SNAPSHOT_PLAN:
        day = today - dt.timedelta(days=days)
        snapshot = Snapshot.objects.create(
            date=day,
            label=f"[Démo] Instantané fictif du {day:%d/%m/%Y}",
            origin=SnapshotOrigin.DEMO,
            method="Démonstration : chiffres fictifs créés par odl load_demo, remplacés au premier "
            "moissonnage ou à la première édition importée.",
            source_name="[Démo] odl load_demo",
        )
        entries = []
        for index, state in plan.items():
            if index >= len(order):
                continue
            t = order[index].territory
            schemas = SNAPSHOT_SCHEMAS.get(index, []) if state == "scdl" else []
            entries.append(
                SnapshotEntry(
                    snapshot=snapshot,
                    territory=t,
                    siren=entry_key(t.kind, t.code, t.siren),
                    nom=t.nom,
                    organisation_type=organisation_type(t.kind, t.nature),
                    datasets_count=3 + index,
                    technologies=["[Démo] portail fictif"],
                    schemas=schemas,
                    scdl_resources=len(schemas),
                    region_code=t.region_code,
                    departement_code=t.departement_code,
                    population=t.population,
                    match_method="territoire",
                )
            )
        SnapshotEntry.objects.bulk_create(entries)
    return len(SNAPSHOT_PLAN)
