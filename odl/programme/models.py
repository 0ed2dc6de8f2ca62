"""The programme: an ATD accompanies collectivités (ETDs) from the first contact to autonomy.

- ``Etd``: one collectivité followed by one ATD, and where it stands (``EtdStep``), each change dated
  and signed (``EtdStepChange``);
- ``Convention``: the agreement the ATD and the ETD sign, generated from a template
  (``ConventionTemplate``, the platform's own or the ATD's), with its signed copies (``SignedCopy``);
- ``Commitment``: what the ETD committed to (publish a SCDL dataset before a date, take part in the
  monthly calls…), its status and evidence; a "publish" commitment is met by itself when the
  observatory sees the dataset;
- ``Meeting`` and ``Attendance``: the monthly calls; ``CalendarFeed``: private iCal feeds;
- ``Resource`` and ``ResourceVersion``: the shared document space.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from odl.accounts.models import EtdAgent
from odl.atds.models import Atd
from odl.core.audit import log_bulk_updates
from odl.territories.models import Territory

User = settings.AUTH_USER_MODEL


# --- ETDs and their pipeline -------------------------------------------------------------------------


class EtdStep(models.TextChoices):
    CIBLEE = "ciblee", "Ciblée"
    CONTACTEE = "contactee", "Contactée"
    CONVENTION_SIGNEE = "convention_signee", "Convention signée"
    EN_PRODUCTION = "en_production", "En production"
    PUBLIEE = "publiee", "Publiée"
    AUTONOME = "autonome", "Autonome"
    ABANDON = "abandon", "Abandon"


# The order of the board's columns; abandon stands apart.
PIPELINE = [
    EtdStep.CIBLEE,
    EtdStep.CONTACTEE,
    EtdStep.CONVENTION_SIGNEE,
    EtdStep.EN_PRODUCTION,
    EtdStep.PUBLIEE,
    EtdStep.AUTONOME,
]


class EtdQuerySet(models.QuerySet["Etd"]):
    def followed_by(self, user: Any) -> EtdQuerySet:
        """The ETDs of the ATDs this user belongs to; every one for a coordinator."""
        if getattr(user, "is_staff", False):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(atd__memberships__user=user).distinct()

    def active(self) -> EtdQuerySet:
        return self.exclude(step=EtdStep.ABANDON)

    def at_step(self, step: str) -> EtdQuerySet:
        return self.filter(step=step)


class Etd(models.Model):
    """A collectivité followed by an ATD (Expérimentateur Territorial des Données)."""

    atd = models.ForeignKey(Atd, on_delete=models.CASCADE, related_name="etds")
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="etds")
    step = models.CharField("étape", max_length=30, choices=EtdStep.choices, default=EtdStep.CIBLEE)
    step_changed_at = models.DateTimeField("depuis le", default=timezone.now)
    abandon_reason = models.CharField("raison de l'abandon", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = EtdQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["atd", "territory"], name="etd_atd_territory_unique")]
        indexes = [models.Index(fields=["atd", "step"])]
        ordering = ["territory__nom"]
        verbose_name = "collectivité accompagnée (ETD)"
        verbose_name_plural = "collectivités accompagnées (ETD)"

    def __str__(self) -> str:
        return f"{self.territory.nom} ({self.atd})"

    def get_absolute_url(self) -> str:
        return reverse("programme:etd", args=[self.atd.slug, self.pk])

    def move_to(self, step: str, *, by: Any, note: str = "", reason: str = "") -> EtdStepChange:
        """Change the step, dated and signed; an abandon needs its reason."""
        if step not in EtdStep.values:
            raise ValueError(f"étape inconnue : « {step} »")
        if step == EtdStep.ABANDON and not reason.strip():
            raise ValueError("un abandon demande sa raison")
        now = timezone.now()
        self.step = step
        self.step_changed_at = now
        self.abandon_reason = reason.strip() if step == EtdStep.ABANDON else ""
        self.save(update_fields=STEP_FIELDS)
        return self.history.create(step=step, at=now, by=by, note=note or reason)


STEP_FIELDS = ["step", "step_changed_at", "abandon_reason"]


def move_all(etds: Sequence[Etd], step: str, *, by: Any, notes: Mapping[int, str]) -> list[EtdStepChange]:
    """``Etd.move_to`` for many ETDs at once, with the same step history rows and audit entries.

    One update, one insert of the history and one of the audit entries whatever the number of
    ETDs (the commitment check may move thousands after a snapshot). The ETDs should come with their
    territory and ATD: the audit entry names them. Not for an abandon, which takes a reason per ETD.
    """
    if step not in EtdStep.values or step == EtdStep.ABANDON:
        raise ValueError(f"étape impossible pour un déplacement groupé : « {step} »")
    now = timezone.now()
    before = [copy.copy(etd) for etd in etds]
    for etd in etds:
        etd.step, etd.step_changed_at, etd.abandon_reason = step, now, ""
    with transaction.atomic():
        # The same values for every one: one UPDATE, not bulk_update's CASE per row.
        Etd.objects.filter(pk__in=[etd.pk for etd in etds]).update(
            step=step, step_changed_at=now, abandon_reason=""
        )
        changes = EtdStepChange.objects.bulk_create(
            [EtdStepChange(etd=etd, step=step, at=now, by=by, note=notes.get(etd.pk, "")) for etd in etds],
            batch_size=500,
        )
        log_bulk_updates(zip(before, etds, strict=True), STEP_FIELDS)
    return changes


class EtdStepChange(models.Model):
    etd = models.ForeignKey(Etd, on_delete=models.CASCADE, related_name="history")
    step = models.CharField("étape", max_length=30, choices=EtdStep.choices)
    at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField("note", blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "changement d'étape"


# --- Conventions ----------------------------------------------------------------------------------------


class DocumentFormat(models.TextChoices):
    ODT = "odt", "ODT (LibreOffice)"
    DOCX = "docx", "DOCX (Word)"


class ConventionTemplate(models.Model):
    """An ATD's own convention model, an ODT or DOCX with ``{{ placeholders }}``."""

    atd = models.ForeignKey(Atd, on_delete=models.CASCADE, related_name="convention_templates")
    name = models.CharField("nom", max_length=200)
    fmt = models.CharField("format", max_length=4, choices=DocumentFormat.choices)
    file = models.FileField(upload_to="programme/modeles/")
    placeholders = models.JSONField(default=list, blank=True, help_text="champs trouvés dans le modèle")
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = "modèle de convention"

    def __str__(self) -> str:
        return self.name


class ConventionStatus(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SIGNEE = "signee", "Signée"


class Convention(models.Model):
    etd = models.ForeignKey(Etd, on_delete=models.CASCADE, related_name="conventions")
    template = models.ForeignKey(
        ConventionTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="vide : le modèle de la plateforme",
    )
    date = models.DateField("date de la convention", default=timezone.localdate)
    duration_months = models.PositiveSmallIntegerField("durée (mois)", default=12)
    lieu = models.CharField("fait à", max_length=200, blank=True)
    atd_signatory = models.CharField("signataire pour l'ATD", max_length=200, blank=True)
    atd_signatory_title = models.CharField("qualité du signataire de l'ATD", max_length=200, blank=True)
    etd_signatory = models.CharField("signataire pour la collectivité", max_length=200, blank=True)
    etd_signatory_title = models.CharField(
        "qualité du signataire de la collectivité", max_length=200, blank=True
    )
    datasets = models.JSONField(
        "jeux SCDL visés", default=list, blank=True, help_text="identifiants de schémas (scdl/subventions…)"
    )
    publish_before = models.DateField("date limite de publication", null=True, blank=True)
    support = models.JSONField(
        "accompagnement de l'ATD", default=list, blank=True, help_text="parmi l'offre de l'ATD"
    )
    support_text = models.TextField("précisions sur l'accompagnement", blank=True)
    status = models.CharField(
        max_length=20, choices=ConventionStatus.choices, default=ConventionStatus.BROUILLON
    )
    signed_at = models.DateField("signée le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "convention"

    def __str__(self) -> str:
        return f"Convention {self.etd.territory.nom} – {self.etd.atd} ({self.date:%d/%m/%Y})"


class SignedCopy(models.Model):
    """A signed PDF of a convention; a new upload is a new version, the old ones are kept."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="signed_copies")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to="programme/conventions/")
    signed_at = models.DateField("signée le")
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["convention", "version"], name="signed_copy_version_unique")
        ]
        ordering = ["-version"]
        verbose_name = "exemplaire signé"


# --- Commitments ----------------------------------------------------------------------------------------


class CommitmentKind(models.TextChoices):
    PUBLISH = "publish", "Publier un jeu SCDL"
    MEETINGS = "meetings", "Participer aux points mensuels"
    EXPERIENCE = "experience", "Partager un retour d'expérience"
    TEST_TOOL = "test_tool", "Tester un outil"
    FREE = "free", "Autre engagement"


class CommitmentStatus(models.TextChoices):
    A_FAIRE = "a_faire", "À faire"
    EN_COURS = "en_cours", "En cours"
    TENU = "tenu", "Tenu"
    EN_RETARD = "en_retard", "En retard"


class CommitmentQuerySet(models.QuerySet["Commitment"]):
    def open(self) -> CommitmentQuerySet:
        return self.exclude(status=CommitmentStatus.TENU)

    def overdue(self, today: Any = None) -> CommitmentQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)

    def publishing(self) -> CommitmentQuerySet:
        return self.filter(kind=CommitmentKind.PUBLISH).exclude(schema_id="")


class Commitment(models.Model):
    etd = models.ForeignKey(Etd, on_delete=models.CASCADE, related_name="commitments")
    convention = models.ForeignKey(
        Convention, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments"
    )
    kind = models.CharField("engagement", max_length=20, choices=CommitmentKind.choices)
    schema_id = models.CharField("schéma SCDL", max_length=200, blank=True, help_text="pour « publier »")
    target_rate = models.PositiveSmallIntegerField(
        "taux de participation visé (%)", null=True, blank=True, help_text="pour les points mensuels"
    )
    tool = models.CharField("outil à tester", max_length=200, blank=True)
    text = models.CharField("libellé", max_length=500, blank=True)
    due_date = models.DateField("échéance", null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.A_FAIRE
    )
    status_set_by = models.CharField(
        max_length=20, default="auto", help_text="auto (la plateforme) ou manual (un membre de l'ATD)"
    )
    status_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="qui a fixé le statut",
    )
    status_at = models.DateTimeField("statut fixé le", null=True, blank=True)
    met_at = models.DateField("tenu le", null=True, blank=True)
    evidence_url = models.URLField("preuve (lien)", max_length=1000, blank=True)
    evidence_file = models.FileField("preuve (fichier)", upload_to="programme/preuves/", blank=True)
    evidence_dataset = models.ForeignKey(
        "harvest.HarvestedDataset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    evidence_date = models.DateField("date de la preuve", null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = "engagement"

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.text:
            return self.text
        if self.kind == CommitmentKind.PUBLISH:
            due = f" avant le {self.due_date:%d/%m/%Y}" if self.due_date else ""
            return f"Publier le jeu {self.schema_id}{due}"
        if self.kind == CommitmentKind.MEETINGS and self.target_rate:
            return f"Participer aux points mensuels (taux visé : {self.target_rate} %)"
        if self.kind == CommitmentKind.TEST_TOOL and self.tool:
            return f"Tester l'outil {self.tool}"
        return str(self.get_kind_display())


# --- Meetings ------------------------------------------------------------------------------------------------


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def upcoming(self, now: Any = None) -> MeetingQuerySet:
        return self.filter(starts_at__gte=now or timezone.now()).order_by("starts_at")

    def held(self, now: Any = None) -> MeetingQuerySet:
        return self.filter(starts_at__lt=now or timezone.now()).order_by("-starts_at")

    def of_atds(self, atd_ids: Any) -> MeetingQuerySet:
        return self.filter(atd__in=atd_ids).select_related("atd")

    def rest_of_series(self, meeting: Meeting) -> MeetingQuerySet:
        """This meeting and the following ones of its recurrence (only itself outside a series)."""
        if not meeting.series:
            return self.filter(pk=meeting.pk)
        return self.filter(atd=meeting.atd, series=meeting.series, starts_at__gte=meeting.starts_at)


class Meeting(models.Model):
    """A "point mensuel" (or any meeting) of an ATD with its ETDs."""

    atd = models.ForeignKey(Atd, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField("titre", max_length=200, default="Point mensuel")
    starts_at = models.DateTimeField("début")
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)", default=60)
    location = models.CharField("lieu ou lien de visioconférence", max_length=500, blank=True)
    agenda = models.TextField("ordre du jour (Markdown)", blank=True)
    minutes = models.TextField("compte rendu (Markdown)", blank=True)
    series = models.CharField(
        max_length=40, blank=True, db_index=True, help_text="les réunions d'une même récurrence"
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # iCal SEQUENCE and LAST-MODIFIED: calendars replace an edited event only when these move on.
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = "réunion"

    def __str__(self) -> str:
        return f"{self.title} – {self.atd} ({timezone.localtime(self.starts_at):%d/%m/%Y %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("programme:meeting", args=[self.atd.slug, self.pk])


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Présent"
    EXCUSE = "excuse", "Excusé"
    ABSENT = "absent", "Absent"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    etd = models.ForeignKey(Etd, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "etd"], name="attendance_unique")]
        verbose_name = "présence"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A private iCal address: for one ATD's meetings, or for one user's (every ATD they belong to)."""

    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    atd = models.ForeignKey(Atd, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds")
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(atd__isnull=False) | Q(user__isnull=False), name="calendar_feed_has_an_owner"
            )
        ]
        verbose_name = "flux iCal"


# --- Document space ----------------------------------------------------------------------------------------


class ResourceKind(models.TextChoices):
    FICHE = "fiche", "Fiche"
    MODELE = "modele", "Modèle"
    SUPPORT = "support", "Support de présentation"
    TUTORIEL = "tutoriel", "Tutoriel"
    RETOUR = "retour_experience", "Retour d'expérience"


class Licence(models.TextChoices):
    CC_BY_SA = "CC-BY-SA-4.0", "CC-BY-SA 4.0"
    CC_BY = "CC-BY-4.0", "CC-BY 4.0"
    LICENCE_OUVERTE = "etalab-2.0", "Licence Ouverte 2.0"
    ODBL = "ODbL-1.0", "ODbL 1.0"
    TOUS_DROITS = "tous-droits", "Tous droits réservés"


class Visibility(models.TextChoices):
    NATIONAL = "national", "Tout le réseau"
    ATD = "atd", "Un ATD et ses collectivités"
    ETD = "etd", "Une collectivité accompagnée"


class ResourceQuerySet(models.QuerySet["Resource"]):
    def visible_to(self, user: Any) -> ResourceQuerySet:
        """National resources for everyone; an ATD's for its team and its ETDs' agents; an ETD's for
        that collectivité's agents and its ATD's team; everything for a coordinator."""
        if getattr(user, "is_staff", False) and user.is_authenticated:
            return self
        seen = Q(visibility=Visibility.NATIONAL)
        if getattr(user, "is_authenticated", False):
            team_of = Atd.objects.filter(memberships__user=user).values("pk")
            agent_of = EtdAgent.objects.filter(user=user)
            own_etds = Etd.objects.filter(
                Exists(agent_of.filter(atd=OuterRef("atd"), territory=OuterRef("territory")))
            ).values("pk")
            seen |= Q(visibility=Visibility.ATD, atd__in=team_of)
            seen |= Q(visibility=Visibility.ATD, atd__in=agent_of.values("atd"))
            seen |= Q(visibility=Visibility.ETD, etd__atd__in=team_of)
            seen |= Q(visibility=Visibility.ETD, etd__in=own_etds)
        return self.filter(seen)


class Resource(models.Model):
    title = models.CharField("titre", max_length=300)
    kind = models.CharField("type", max_length=30, choices=ResourceKind.choices)
    description = models.TextField(blank=True)
    licence = models.CharField(max_length=30, choices=Licence.choices, default=Licence.CC_BY_SA)
    tags = models.JSONField("mots-clés", default=list, blank=True)
    visibility = models.CharField("visibilité", max_length=20, choices=Visibility.choices)
    atd = models.ForeignKey(Atd, null=True, blank=True, on_delete=models.CASCADE, related_name="resources")
    etd = models.ForeignKey(Etd, null=True, blank=True, on_delete=models.CASCADE, related_name="resources")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "ressource"

    def __str__(self) -> str:
        return self.title


class ResourceVersion(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to="programme/ressources/")
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    note = models.CharField("ce qui change", max_length=500, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "version"], name="resource_version_unique")
        ]
        ordering = ["-version"]
        verbose_name = "version d'une ressource"
