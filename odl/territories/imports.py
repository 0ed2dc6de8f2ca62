"""Imports that complete the référentiel: agent counts, and the SIREN of départements and régions.

Both report line by line what was imported and what was skipped, and why. A file that cannot be
used at all (unreadable, empty, wrong columns) changes nothing. Usable lines are imported in one
transaction; faulty lines are skipped and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from odl.core.dbvalues import finite
from odl.core.identifiers import clean_number, is_commune_code, siren_problem
from odl.core.spreadsheets import Table, UnreadableFile, read_table
from odl.core.text import fold
from odl.territories.models import AgentCount, Kind, Territory, referentiel_changed


class ImportRefused(Exception):
    """Nothing was imported; the message says why, in French."""


@dataclass
class LineReport:
    line: int
    status: str  # "importée" or "ignorée"
    message: str


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    lines: list[LineReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def ok(self, line: int, message: str) -> None:
        self.imported += 1
        self.lines.append(LineReport(line, "importée", message))

    def skip(self, line: int, message: str) -> None:
        self.skipped += 1
        self.lines.append(LineReport(line, "ignorée", message))


def _columns(
    table: Table, wanted: dict[str, tuple[str, ...]], required: list[str], path: Path
) -> dict[str, int]:
    folded = [fold(h).replace(" ", "_") for h in table.header]
    found: dict[str, int] = {}
    for name, aliases in wanted.items():
        for index, header in enumerate(folded):
            if header in aliases:
                found[name] = index
                break
    missing = [name for name in required if name not in found]
    if missing:
        raise ImportRefused(
            f"Colonnes manquantes dans « {path.name} » : {', '.join(missing)}. "
            f"Colonnes trouvées : {', '.join(table.header) or '(aucune)'}. Aucune donnée n'a été importée."
        )
    return found


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def _load(path: Path) -> Table:
    try:
        table = read_table(path)
    except UnreadableFile as exc:
        raise ImportRefused(f"{exc} Aucune donnée n'a été importée.") from exc
    if not table.rows:
        raise ImportRefused(f"« {path.name} » ne contient que l'en-tête, aucune ligne à importer.")
    return table


# Checked here, so that SQLite refuses what PostgreSQL would (it stores any length).
SOURCE_MAX: int = getattr(AgentCount._meta.get_field("source"), "max_length", None) or 200
AGENT_COLUMNS = {
    "siren": ("siren", "numero_siren", "n_siren"),
    "code_insee": ("code_insee", "insee", "code_commune", "cog", "codgeo", "code"),
    "effectif": ("effectif", "agents", "nb_agents", "nombre_agents", "etp", "effectifs"),
    "annee": ("annee", "year", "millesime"),
    "source": ("source",),
}


def import_agents(path: Path) -> ImportReport:
    table = _load(path)
    cols = _columns(table, AGENT_COLUMNS, ["effectif"], path)
    if "siren" not in cols and "code_insee" not in cols:
        raise ImportRefused(
            f"« {path.name} » doit avoir une colonne « siren » ou « code_insee ». Aucune donnée n'a été importée."
        )
    report = ImportReport(notes=list(table.notes))
    by_siren = {s: pk for pk, s in Territory.objects.active().exclude(siren="").values_list("id", "siren")}
    by_code = dict(Territory.objects.filter(kind=Kind.COMMUNE, active=True).values_list("code", "id"))
    updates: list[tuple[int, int, int | None, str]] = []
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        siren = clean_number(_cell(row, cols.get("siren")))
        code = _cell(row, cols.get("code_insee")).upper()
        raw_effectif = _cell(row, cols["effectif"]).replace(" ", "").replace("\u00a0", "").replace(",", ".")
        raw_year = _cell(row, cols.get("annee"))
        source = _cell(row, cols.get("source"))
        territory_id: int | None = None
        if siren:
            problem = siren_problem(siren)
            if problem:
                report.skip(line, problem)
                continue
            territory_id = by_siren.get(siren)
            if territory_id is None:
                report.skip(line, f"SIREN {siren} absent du référentiel")
                continue
        elif code:
            if len(code) == 4 and code.isdigit():
                code = "0" + code  # Excel drops the leading zero of 01001
            if not is_commune_code(code):
                report.skip(
                    line, f"code INSEE « {code} » mal formé (5 caractères attendus, ex. 01001 ou 2A004)"
                )
                continue
            territory_id = by_code.get(code)
            if territory_id is None:
                report.skip(line, f"code INSEE {code} absent du référentiel")
                continue
        else:
            report.skip(line, "ni SIREN ni code INSEE")
            continue
        try:
            effectif_float = float(raw_effectif)
        except ValueError:
            report.skip(line, f"effectif « {raw_effectif or '(vide)'} » n'est pas un nombre")
            continue
        if not finite(effectif_float):
            # « NaN » and « inf » parse as floats: one such cell must not abort the whole import.
            report.skip(line, f"effectif « {raw_effectif} » n'est pas un nombre")
            continue
        if effectif_float < 0 or effectif_float > 1_000_000:
            report.skip(line, f"effectif {raw_effectif} hors limites")
            continue
        year: int | None = None
        if raw_year:
            if not re.fullmatch(r"[0-9]{4}", raw_year) or not 1990 <= int(raw_year) <= 2100:
                report.skip(line, f"année « {raw_year} » invalide (attendu : AAAA)")
                continue
            year = int(raw_year)
        if len(source) > SOURCE_MAX:
            report.skip(line, f"source de {len(source)} caractères : {SOURCE_MAX} au plus")
            continue
        updates.append((territory_id, round(effectif_float), year, source))
        report.ok(line, f"{siren or code} : {round(effectif_float)} agents" + (f" ({year})" if year else ""))
    with transaction.atomic():
        for territory_id, effectif, year, source in updates:
            AgentCount.objects.create(territory_id=territory_id, effectif=effectif, annee=year, source=source)
            Territory.objects.filter(pk=territory_id).update(
                agents=effectif, agents_year=year, agents_source=source
            )
        referentiel_changed()
    return report


SIREN_COLUMNS = {
    "kind": ("niveau", "type", "kind", "nature"),
    "code": ("code", "code_insee", "cog", "depcode", "regcode", "code_departement", "code_region"),
    "siren": ("siren",),
}
_KIND_WORDS = {
    "departement": Kind.DEPARTEMENT,
    "dep": Kind.DEPARTEMENT,
    "region": Kind.REGION,
    "reg": Kind.REGION,
}


def import_sirens(path: Path) -> ImportReport:
    table = _load(path)
    cols = _columns(table, SIREN_COLUMNS, ["kind", "code", "siren"], path)
    report = ImportReport(notes=list(table.notes))
    known = {
        (k, c): pk
        for pk, k, c in Territory.objects.filter(kind__in=[Kind.DEPARTEMENT, Kind.REGION]).values_list(
            "id", "kind", "code"
        )
    }
    updates: list[tuple[int, str]] = []
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        kind = _KIND_WORDS.get(fold(_cell(row, cols["kind"])).replace(" ", ""))
        code = _cell(row, cols["code"]).upper()
        siren = clean_number(_cell(row, cols["siren"]))
        if kind is None:
            report.skip(
                line, f"niveau « {_cell(row, cols['kind'])} » inconnu (attendu : departement ou region)"
            )
            continue
        if "-" in code:  # "BRE-53" as OpenDataFrance writes région codes
            code = code.rsplit("-", 1)[1]
        if kind == Kind.DEPARTEMENT and len(code) == 1:
            code = "0" + code
        territory_id = known.get((kind, code))
        if territory_id is None:
            report.skip(line, f"{kind} de code « {code} » absent du référentiel")
            continue
        problem = siren_problem(siren)
        if problem:
            report.skip(line, problem)
            continue
        updates.append((territory_id, siren))
        report.ok(line, f"{kind} {code} : SIREN {siren}")
    with transaction.atomic():
        for territory_id, siren in updates:
            Territory.objects.filter(pk=territory_id).update(siren=siren)
        referentiel_changed()
    return report
