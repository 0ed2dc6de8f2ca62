"""JSON API of the data space: the published datasets, their versions and downloads (public), and the push
of a new version by a business application (a signed-in member, with a personal token or a session).

The push goes through the web import's path: ``services.start_import`` (the column mapping the
collectivité's last import remembered, then the name matching), ``services.check_import`` (validation
with the safe fixes) and ``services.publish_draft``. Only those who may act on the dataset's ETD on the
pages may push: the collectivité's agents, its ATD's team and coordinators.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import HttpBearer, SessionAuth

from odl.accounts.models import EtdAgent
from odl.accounts.roles import atd_role
from odl.accounts.tokens import token_of
from odl.atds.api import check_page
from odl.publishing import importing, services
from odl.publishing.models import (
    LICENCE_URLS,
    Dataset,
    DatasetQuerySet,
    DatasetVersion,
    DraftStatus,
    ImportDraft,
)
from odl.schemas.registry import SchemaNotFound

router = Router(tags=["Données publiées"])

NOT_SIGNED_IN = (
    "Authentification requise : envoyez l'en-tête « Authorization: Bearer <jeton> » avec un jeton créé sur "
    "la page « Mes jetons d'API » de votre compte (/comptes/jetons-api/), ou connectez-vous."
)


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``: a personal token of ``odl.accounts.models.ApiToken``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_of(request)
        if found is None:
            raise HttpError(
                401,
                "Jeton d'API inconnu ou révoqué : vérifiez l'en-tête « Authorization: Bearer <jeton> » ou "
                "créez un nouveau jeton sur la page « Mes jetons d'API » de votre compte.",
            )
        found.touch()
        # Downstream code (the import, the version's author) reads the user from the request.
        request.user = found.user
        return found.user


class MemberSession(SessionAuth):
    """The sign-in cookie, for a member trying the API from the browser; else a 401 in French."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated:
            return request.user
        raise HttpError(401, NOT_SIGNED_IN)


class ErrorOut(Schema):
    detail: str


class CollectiviteOut(Schema):
    nom: str
    type: str
    code_insee: str
    siren: str


class VersionOut(Schema):
    numero: int
    publiee_le: dt.datetime
    lignes: int
    valide: bool
    erreurs: int
    avertissements: int
    version_schema: str
    note: str
    par_atd: bool
    retour_a_la_version: int | None
    sha256: str
    lignes_ajoutees: int
    lignes_retirees: int
    lignes_modifiees: int
    telechargements: dict[str, str]


class DatasetOut(Schema):
    id: int
    titre: str
    description: str
    schema_scdl: str
    identifiant_schema: str
    collectivite: CollectiviteOut
    licence: str
    licence_url: str
    frequence: str
    prochaine_mise_a_jour: dt.date | None
    page: str
    derniere_version: VersionOut
    telechargements: dict[str, str]


class DatasetDetailOut(DatasetOut):
    versions: list[VersionOut]


class DatasetPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[DatasetOut]


class CellChangeOut(Schema):
    field: str
    old: str
    new: str


class RowChangeOut(Schema):
    row: list[str]
    cells: list[CellChangeOut]


class DiffExamplesOut(Schema):
    added: list[list[str]]
    removed: list[list[str]]
    changed: list[RowChangeOut]


class DiffOut(Schema):
    added: int
    removed: int
    changed: int
    columns_added: list[str]
    columns_removed: list[str]
    examples: DiffExamplesOut


class VersionDetailOut(VersionOut):
    differences: DiffOut | None


class ProblemOut(Schema):
    ligne: int | None = None
    ligne_fichier: int | None = None
    colonne: str | None = None
    gravite: str = ""
    message: str


class PushOut(Schema):
    numero: int
    valide: bool
    lignes: int
    erreurs: int
    avertissements: int
    corrections: int
    colonnes_mises_de_cote: list[str]
    correspondance: dict[str, str]
    differences: DiffOut
    page: str
    telechargements: dict[str, str]


class PushRefusedOut(Schema):
    detail: str
    erreurs: int = 0
    problemes: list[ProblemOut] = []
    correspondance: dict[str, str] = {}
    colonnes_mises_de_cote: list[str] = []
    import_a_verifier: str = ""


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _downloads(request: HttpRequest, dataset: Dataset, version: DatasetVersion | None) -> dict[str, str]:
    formats = services.formats_of(dataset)
    if version is None:
        return {
            fmt: _absolute(request, reverse("publishing:latest_download", args=[dataset.pk, fmt]))
            for fmt in formats
        }
    return {fmt: _absolute(request, version.download_url(fmt)) for fmt in formats}


def version_json(request: HttpRequest, dataset: Dataset, version: DatasetVersion) -> dict[str, Any]:
    diff = version.diff or {}
    return {
        "numero": version.number,
        "publiee_le": version.created_at,
        "lignes": version.rows,
        "valide": version.valid,
        "erreurs": version.errors,
        "avertissements": version.warnings,
        "version_schema": version.schema_version,
        "note": version.note,
        "par_atd": version.by_atd,
        "retour_a_la_version": version.restored_from,
        "sha256": version.sha256,
        "lignes_ajoutees": int(diff.get("added", 0)),
        "lignes_retirees": int(diff.get("removed", 0)),
        "lignes_modifiees": int(diff.get("changed", 0)),
        "telechargements": _downloads(request, dataset, version),
    }


def dataset_json(request: HttpRequest, dataset: Dataset) -> dict[str, Any]:
    latest = dataset.latest
    assert latest is not None  # only published datasets are listed
    territory = dataset.etd.territory
    try:
        identifier = services.schema_of(dataset).identifier
    except SchemaNotFound:
        identifier = ""
    return {
        "id": dataset.pk,
        "titre": dataset.title,
        "description": dataset.description,
        "schema_scdl": dataset.schema_name,
        "identifiant_schema": identifier,
        "collectivite": {
            "nom": territory.nom,
            "type": territory.kind,
            "code_insee": territory.code,
            "siren": territory.siren,
        },
        "licence": dataset.licence,
        "licence_url": LICENCE_URLS.get(dataset.licence, ""),
        "frequence": dataset.frequency,
        "prochaine_mise_a_jour": dataset.next_update_due(),
        "page": _absolute(request, dataset.get_absolute_url()),
        "derniere_version": version_json(request, dataset, latest),
        "telechargements": _downloads(request, dataset, None),
    }


def _published() -> DatasetQuerySet:
    return Dataset.objects.published().select_related("etd__territory", "latest")


def _public_dataset(pk: int) -> Dataset:
    dataset = _published().filter(pk=pk).first()
    if dataset is None:
        raise HttpError(404, f"Aucun jeu de données publié et public n'a l'identifiant {pk}.")
    return dataset


LIST_ERRORS = {400: ErrorOut, 404: ErrorOut}


@router.get(
    "/donnees",
    response={200: DatasetPage, 400: ErrorOut},
    summary="Les jeux de données publiés sur la plateforme",
    description=(
        "Les jeux publics ayant au moins une version, du plus récemment mis à jour au plus ancien. Filtres : "
        "`siren` (SIREN de la collectivité), `code_insee` (son code : commune, EPCI, département, région), "
        "`schema` (nom court du schéma SCDL, comme `subventions`). Chaque jeu donne sa dernière version et "
        "les adresses stables de téléchargement (CSV, XLSX, JSON, GeoJSON si le schéma a des coordonnées). "
        "Paginé : page (à partir de 1) et page_size (1 à 200)."
    ),
)
def published_datasets(
    request: HttpRequest,
    siren: str = "",
    code_insee: str = "",
    schema_name: str = Query("", alias="schema"),  # type: ignore[type-arg]  # noqa: B008 - "schema" is a pydantic attribute
    page: int = 1,
    page_size: int = 50,
) -> Any:
    start = check_page(page, page_size)
    qs = _published()
    if siren.strip():
        qs = qs.filter(etd__territory__siren=siren.strip().replace(" ", ""))
    if code_insee.strip():
        qs = qs.filter(etd__territory__code=code_insee.strip().upper())
    if schema_name.strip():
        qs = qs.filter(schema_name=schema_name.strip())
    qs = qs.order_by("-latest__created_at", "pk")
    results = [dataset_json(request, d) for d in qs[start : start + page_size]]
    return {"count": qs.count(), "page": page, "page_size": page_size, "results": results}


@router.get(
    "/donnees/{pk}",
    response={200: DatasetDetailOut, 404: ErrorOut},
    summary="Un jeu de données publié, avec toutes ses versions",
    description=(
        "Métadonnées, dernière version et chaque version (de la plus récente à la plus ancienne) avec son "
        "nombre de lignes, sa validité, ses changements et ses adresses de téléchargement, qui ne changent "
        "jamais. 404 pour un jeu privé ou pas encore publié."
    ),
)
def published_dataset(request: HttpRequest, pk: int) -> Any:
    dataset = _public_dataset(pk)
    data = dataset_json(request, dataset)
    data["versions"] = [version_json(request, dataset, v) for v in dataset.versions.all()]
    return data


@router.get(
    "/donnees/{pk}/versions/{number}",
    response={200: VersionDetailOut, 404: ErrorOut},
    summary="Une version d'un jeu publié et ses différences avec la précédente",
    description=(
        "Les lignes ajoutées, retirées et modifiées (cellule par cellule ; les 50 premiers exemples de "
        "chaque sorte) depuis la version précédente."
    ),
)
def published_version(request: HttpRequest, pk: int, number: int) -> Any:
    dataset = _public_dataset(pk)
    version = dataset.versions.filter(number=number).first() if 0 < number < 2**31 else None
    if version is None:
        raise HttpError(404, f"Le jeu {pk} n'a pas de version {number}.")
    data = version_json(request, dataset, version)
    diff = version.diff or {}
    data["differences"] = diff if "examples" in diff else None
    return data


# --- Pushing a new version ----------------------------------------------------------------------------------


def may_publish(user: Any, dataset: Dataset) -> bool:
    """The policy ``etd`` of the data-space pages: the collectivité's agents, the ATD's team, coordinators."""
    etd = dataset.etd
    if atd_role(user, etd.atd) is not None:
        return True
    return EtdAgent.objects.filter(user_id=user.pk, atd_id=etd.atd_id, territory_id=etd.territory_id).exists()


def _problems(report: dict[str, Any], limit: int = 50) -> list[dict[str, Any]]:
    out = []
    for d in report.get("details", [])[:limit]:
        out.append(
            {
                "ligne": d.get("ligne") if isinstance(d.get("ligne"), int) else None,
                "ligne_fichier": d.get("ligne_fichier") if isinstance(d.get("ligne_fichier"), int) else None,
                "colonne": str(d["colonne"]) if d.get("colonne") else None,
                "gravite": str(d.get("gravite") or ""),
                "message": str(d.get("message") or d.get("code") or "erreur"),
            }
        )
    return out


def _discard(draft: ImportDraft) -> None:
    """A push that maps nothing leaves nothing behind: the draft and its files go."""
    for f in (draft.source, draft.grid, draft.checked, draft.aside):
        if f:
            f.delete(save=False)
    draft.delete()


@router.post(
    "/donnees/{pk}/versions",
    auth=[ApiTokenAuth(), MemberSession()],
    response={201: PushOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: PushRefusedOut},
    summary="Publie une nouvelle version d'un jeu à partir d'un fichier CSV ou XLSX",
    description=(
        "Pour une application métier qui publie son export chaque nuit. Formulaire multipart : `file` (CSV, "
        "XLSX ou ODS). Les colonnes sont rapprochées des champs du schéma comme dans l'import du site : "
        "d'abord la correspondance retenue au dernier import de la collectivité, puis les noms. Le fichier "
        "est validé avec les corrections sûres ; la version corrigée est publiée (201 : numéro, validité, "
        "résumé du rapport, différences avec la version précédente). S'il reste des erreurs, rien n'est "
        "publié (422 avec les erreurs et l'adresse de l'import à vérifier sur le site), sauf avec "
        "`publier_si_erreurs=true` : la version est alors signalée non valide. Un fichier dont aucune "
        "colonne ne correspond au schéma est refusé (422). Authentification : en-tête "
        "`Authorization: Bearer <jeton>` (jeton personnel, page « Mes jetons d'API » du compte) ou session. "
        "Réservé aux agents de la collectivité, à l'équipe de son ATD et à la coordination : 403 sinon."
    ),
)
def push_version(
    request: HttpRequest,
    pk: int,
    file: UploadedFile | None = File(None),  # type: ignore[type-arg]  # noqa: B008 - django-ninja declares parameters this way
    publier_si_erreurs: bool = Form(False),  # type: ignore[type-arg]  # noqa: B008
) -> Any:
    dataset = Dataset.objects.select_related("etd__territory", "etd__atd", "latest").filter(pk=pk).first()
    if dataset is None:
        raise HttpError(404, f"Aucun jeu de données n'a l'identifiant {pk}.")
    user = request.user
    # Who may act is checked before the body is looked at: a stranger learns nothing from a 422.
    if not may_publish(user, dataset):
        raise HttpError(
            403,
            f"Le jeu « {dataset.title} » appartient à {dataset.etd.territory.nom} : seuls ses agents, "
            f"l'équipe de l'ATD « {dataset.etd.atd.name} » et la coordination nationale peuvent le publier.",
        )
    if file is None:
        return Status(
            422, {"detail": "file (fichier) : champ obligatoire absent — joignez le fichier CSV ou XLSX."}
        )
    try:
        draft = services.start_import(dataset, file, user)
    except (importing.ImportRefused, SchemaNotFound) as exc:
        return Status(422, {"detail": f"Import impossible : {exc}"})
    mapping = dict(zip(draft.columns, draft.mapping, strict=True))
    aside = [c for c, m in mapping.items() if not m]
    if not any(draft.mapping):
        schema = services.schema_of(dataset)
        _discard(draft)
        columns = ", ".join(f"« {c} »" for c in draft.columns[:20])
        fields = ", ".join(schema.field_names[:20])
        return Status(
            422,
            {
                "detail": (
                    f"Aucune colonne du fichier ne correspond à un champ du schéma « {dataset.schema_name} » : "
                    f"rien n'est publié. Colonnes lues (ligne {draft.header_line}) : {columns}. Champs "
                    f"attendus : {fields}. Renommez les colonnes, ou faites un premier import sur le site "
                    "pour que la correspondance soit retenue."
                ),
                "colonnes_mises_de_cote": aside,
            },
        )
    try:
        problems = services.check_import(draft, list(draft.mapping), user)
    except importing.ImportRefused as exc:
        problems = [str(exc)]
    if problems:
        return Status(
            422, {"detail": " ".join(problems), "correspondance": mapping, "colonnes_mises_de_cote": aside}
        )
    report = draft.report
    errors = int(report.get("errors", 0))
    if errors and not publier_si_erreurs:
        review = reverse(
            "publishing:import_check", args=[dataset.etd.atd.slug, dataset.etd_id, dataset.pk, draft.pk]
        )
        return Status(
            422,
            {
                "detail": (
                    f"Le fichier a encore {errors} erreur{'s' if errors > 1 else ''} après les corrections "
                    "sûres : rien n'est publié. Corrigez le fichier et renvoyez-le, vérifiez l'import sur le "
                    "site, ou renvoyez-le avec publier_si_erreurs=true (la version sera signalée non valide)."
                ),
                "erreurs": errors,
                "problemes": _problems(report),
                "correspondance": mapping,
                "colonnes_mises_de_cote": aside,
                "import_a_verifier": _absolute(request, review),
            },
        )
    assert draft.status == DraftStatus.CHECKED
    version = services.publish_draft(draft, user)
    return Status(
        201,
        {
            "numero": version.number,
            "valide": version.valid,
            "lignes": version.rows,
            "erreurs": version.errors,
            "avertissements": version.warnings,
            "corrections": int(report.get("corrections_total", 0)),
            "colonnes_mises_de_cote": aside,
            "correspondance": mapping,
            "differences": version.diff,
            "page": _absolute(request, dataset.space_url()),
            "telechargements": _downloads(request, dataset, version) if dataset.public else {},
        },
    )
