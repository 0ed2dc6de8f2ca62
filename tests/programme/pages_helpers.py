"""Every page of one ATD's programme, for the tests that walk them all (demo banner, axe-core)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from odl.atds.models import Atd
from odl.programme.models import (
    Commitment,
    CommitmentKind,
    Convention,
    Etd,
    Licence,
    Meeting,
    Resource,
    ResourceVersion,
    Visibility,
)
from odl.territories.models import Territory


def furnish(atd: Atd, by: Any, code: str = "35238") -> None:
    """One of each object the demo has, for a real ATD: an ETD, its convention and commitment, a past
    meeting, a document."""
    etd = Etd.objects.create(
        atd=atd, territory=Territory.objects.get(kind="commune", code=code), created_by=by
    )
    convention = Convention.objects.create(etd=etd, lieu="Rennes", atd_signatory="J. Martin", created_by=by)
    Commitment.objects.create(
        etd=etd,
        convention=convention,
        kind=CommitmentKind.PUBLISH,
        schema_id="scdl/subventions",
        due_date=timezone.localdate() + dt.timedelta(days=90),
    )
    Meeting.objects.create(atd=atd, starts_at=timezone.now() - dt.timedelta(days=7), created_by=by)
    resource = Resource.objects.create(
        title="Fiche de l'équipe", kind="fiche", visibility=Visibility.ATD, atd=atd, licence=Licence.CC_BY_SA
    )
    ResourceVersion.objects.create(
        resource=resource,
        version=1,
        file=ContentFile(b"une fiche\n", name="fiche.txt"),
        size=10,
        content_type="text/plain",
        uploaded_by=by,
    )


def atd_pages(atd: Atd) -> list[str]:
    """The pages the ATD's team opens, one of each kind, for the ETD that has a convention."""
    etd = Etd.objects.filter(atd=atd, conventions__isnull=False).first()
    assert etd is not None, "an ETD with a convention is needed"
    convention = Convention.objects.filter(etd=etd).first()
    commitment = Commitment.objects.filter(etd=etd).first()
    meeting = Meeting.objects.filter(atd=atd, starts_at__lt=timezone.now()).first()
    resource = Resource.objects.filter(atd=atd).first()
    assert convention and commitment and meeting and resource
    s, e = atd.slug, etd.pk
    return [
        f"/suivi/{s}/",
        f"/suivi/{s}/tableau/",
        f"/suivi/{s}/etd/{e}/",
        f"/suivi/{s}/etd/{e}/conventions/nouvelle/",
        f"/suivi/{s}/etd/{e}/conventions/{convention.pk}/",
        f"/suivi/{s}/etd/{e}/conventions/{convention.pk}/signee/",
        f"/suivi/{s}/modeles/",
        f"/suivi/{s}/etd/{e}/engagements/",
        f"/suivi/{s}/etd/{e}/engagements/{commitment.pk}/",
        f"/suivi/{s}/reunions/",
        f"/suivi/{s}/reunions/{meeting.pk}/",
        f"/suivi/{s}/reunions/{meeting.pk}/modifier/",
        f"/ressources/{resource.pk}/",
        f"/suivi/{s}/ressources/nouvelle/",
        f"/suivi/{s}/ressources/{resource.pk}/version/",
        f"/suivi/{s}/tableau-de-bord/",
        f"/reseau/{s}/",
        f"/reseau/{s}/modifier/",
        f"/comptes/atd/{s}/equipe/",
    ]
