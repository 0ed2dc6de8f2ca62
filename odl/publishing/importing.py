"""Import of an existing spreadsheet: read it whole, find its header row (a title row above it is common),
match each column to a schema field, write the mapped table and check it with the platform's engine.

The matching folds accents, case, spacing and punctuation, knows a few usual aliases, and reads first what
the collectivité mapped last time for the same schema. Columns that match nothing are kept aside in
their own CSV, never dropped.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from odl.core.archives import ArchiveRefused, check_zip
from odl.core.spreadsheets import decode_text, looks_binary, sniff_delimiter
from odl.core.text import fold
from odl.schemas.registry import Schema

MAX_IMPORT_BYTES = 100 * 1024 * 1024
HEADER_SEARCH_ROWS = 20
SIMILARITY = 0.82

# Usual names of SCDL fields in the spreadsheets of collectivités, folded (see ``key``).
ALIASES: dict[str, tuple[str, ...]] = {
    "nomAttribuant": ("attribuant", "collectivite", "nomcollectivite"),
    "idAttribuant": ("siretattribuant", "siretcollectivite"),
    "dateConvention": ("date", "dateconv", "datedeconvention", "datesignature"),
    "referenceDecision": ("decision", "refdecision", "numerodecision", "deliberation"),
    "nomBeneficiaire": ("beneficiaire", "association", "nomassociation", "organisme"),
    "idBeneficiaire": ("siret", "siretbeneficiaire", "siretassociation"),
    "rnaBeneficiaire": ("rna", "numerorna"),
    "objet": ("objetsubvention", "intitule", "libelle"),
    "montant": ("montanteur", "montanteuros", "montantverse", "montantattribue", "somme"),
    "nature": ("naturesubvention", "typeaide"),
    "conditionsVersement": ("versement", "modalitesversement"),
    "datesPeriodeVersement": ("periodeversement", "dateversement", "datesversement"),
    "notificationUE": ("notificationue", "aidedetat", "ue"),
    "pourcentageSubvention": ("pourcentage", "taux", "part"),
}


def key(name: str) -> str:
    """``"Date de la convention"``, ``"DATE_CONVENTION"`` and ``"dateConvention"`` → comparable keys."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return fold(spaced).replace(" ", "")


class ImportRefused(Exception):
    """The file cannot be imported; the French message says why."""


@dataclass
class Grid:
    """Every non-empty row of the file's first filled sheet, as text, with its line number."""

    rows: list[list[str]]
    lines: list[int]
    kind: str
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # A spreadsheet's decimal number keeps its digits; the engine's fixes handle French commas.
        return repr(value)
    if hasattr(value, "isoformat"):
        text = str(value.isoformat())
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value).strip()


def read_grid(path: Path, name: str) -> Grid:
    size = path.stat().st_size
    if size == 0:
        raise ImportRefused(f"Le fichier « {name} » est vide.")
    if size > MAX_IMPORT_BYTES:
        raise ImportRefused(f"Le fichier « {name} » dépasse {MAX_IMPORT_BYTES // 1024 // 1024} Mo.")
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == b"PK\x03\x04":
        return _read_workbook(path, name)
    if name.lower().endswith((".xlsx", ".ods", ".xls")):
        raise ImportRefused(
            f"« {name} » n'est pas un classeur XLSX ou ODS lisible. Enregistrez-le au format XLSX, ODS ou CSV."
        )
    return _read_csv(path.read_bytes(), name)


def _read_workbook(path: Path, name: str) -> Grid:
    try:
        names = check_zip(path, what=f"Le classeur « {name} »", max_uncompressed=2 * 1024**3, max_ratio=200)
    except ArchiveRefused as exc:
        raise ImportRefused(str(exc)) from exc
    if "xl/workbook.xml" not in names and "content.xml" not in names:
        raise ImportRefused(f"« {name} » est une archive ZIP, pas un classeur XLSX ou ODS.")
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = workbook.sheet_names
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise ImportRefused(f"Le classeur « {name} » est endommagé : il ne peut pas être ouvert.") from exc
    for sheet in sheets:
        try:
            values = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise ImportRefused(f"La feuille « {sheet} » du classeur « {name} » est illisible.") from exc
        rows: list[list[str]] = []
        lines: list[int] = []
        for index, raw in enumerate(values, start=1):
            # Most cells are text: the common case skips the conversion call.
            row = [v.strip() if v.__class__ is str else _cell(v) for v in raw]
            if any(row):
                rows.append(row)
                lines.append(index)
        if rows:
            notes = []
            if len(sheets) > 1:
                others = ", ".join(s for s in sheets if s != sheet)
                notes.append(f"feuille « {sheet} » lue ; autres feuilles ignorées : {others}")
            return Grid(rows, lines, "ods" if "content.xml" in names else "xlsx", sheet, notes)
    raise ImportRefused(f"Le classeur « {name} » ne contient aucune feuille remplie.")


def _read_csv(data: bytes, name: str) -> Grid:
    if looks_binary(data):
        raise ImportRefused(
            f"« {name} » ne ressemble pas à un fichier CSV (il contient des octets binaires). "
            "Enregistrez-le au format CSV, XLSX ou ODS."
        )
    text, _encoding = decode_text(data)
    delimiter = sniff_delimiter(text[:10000])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append([cell.strip() for cell in record])
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise ImportRefused(f"Le CSV « {name} » est mal formé à la ligne {reader.line_num} : {exc}.") from exc
    if not rows:
        raise ImportRefused(f"Le fichier « {name} » est vide : il ne contient aucune ligne remplie.")
    return Grid(rows, lines, "csv")


def _field_keys(schema: Schema) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for f in schema.table_schema.get("fields", []):
        name = f["name"]
        found = {key(name), *ALIASES.get(name, ())}
        label = schema.labels.get(name)
        if label:
            found.add(key(label))
        keys[name] = found
    return keys


def match_column(column: str, keys: dict[str, set[str]]) -> str:
    """The schema field a column name designates, or "" when none is close enough."""
    folded = key(column)
    if not folded:
        return ""
    for name, names in keys.items():
        if folded in names:
            return name
    best, score = "", 0.0
    for name, names in keys.items():
        for candidate in names:
            # The ratio's cheap upper bounds first (as difflib.get_close_matches does): the header search
            # tries every cell of the top rows, and a full comparison of each was most of the upload.
            # A candidate that cannot beat the best so far nor reach the threshold changes nothing.
            floor = max(score, SIMILARITY - 1e-9)
            total = len(folded) + len(candidate)
            if 2.0 * min(len(folded), len(candidate)) / total <= floor:
                continue
            matcher = difflib.SequenceMatcher(None, folded, candidate)
            if matcher.quick_ratio() <= floor:
                continue
            ratio = matcher.ratio()
            if ratio > score:
                best, score = name, ratio
    return best if score >= SIMILARITY else ""


def find_header(grid: Grid, schema: Schema) -> int:
    """Index in ``grid.rows`` of the header: the first of the top rows naming the most schema fields."""
    keys = _field_keys(schema)
    best, score = 0, (-1, -1)
    for index, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        matched = len({m for m in (match_column(c, keys) for c in row if c) if m})
        filled = sum(1 for c in row if c)
        if (matched, filled) > score:
            best, score = index, (matched, filled)
    return best


def propose_mapping(columns: Sequence[str], schema: Schema, remembered: dict[str, str]) -> list[str]:
    """One field per column ("" = kept aside): the collectivité's last choice first, then similarity.

    A field is proposed once only: the first column that matches it wins, the others stay aside.
    """
    keys = _field_keys(schema)
    taken: set[str] = set()
    mapping = []
    for column in columns:
        choice = remembered.get(key(column))
        if choice is None:
            choice = match_column(column, keys)
        if choice and (choice in taken or choice not in keys):
            choice = ""
        if choice:
            taken.add(choice)
        mapping.append(choice)
    return mapping


def mapping_problems(columns: Sequence[str], mapping: Sequence[str], schema: Schema) -> list[str]:
    """French messages for a mapping the import cannot use (two columns into one field, unknown field)."""
    problems = []
    fields = set(schema.field_names)
    by_field: dict[str, list[str]] = {}
    for column, target in zip(columns, mapping, strict=True):
        if not target:
            continue
        if target not in fields:
            problems.append(
                f"La colonne « {column} » vise un champ « {target} » que le schéma ne connaît pas."
            )
            continue
        by_field.setdefault(target, []).append(column)
    for target, sources in by_field.items():
        if len(sources) > 1:
            listed = ", ".join(f"« {s} »" for s in sources)
            problems.append(
                f"Les colonnes {listed} vont toutes dans le champ « {target} » : un champ ne reçoit "
                "qu'une colonne. Choisissez-en une et mettez les autres de côté."
            )
    return problems


def own_values(schema: Schema, name: str, siret: str, code_insee: str) -> dict[str, str]:
    """Values of the fields that name the collectivité itself (its name, SIRET, code INSEE)."""
    values: dict[str, str] = {}
    for f in schema.field_names:
        k = key(f)
        if k in {"nomattribuant", "collnom", "menucollnom", "platcollnom", "bgtnom", "communenom"}:
            values[f] = name
        elif siret and k in {"idattribuant", "collsiret", "menucollsiret", "platcollsiret", "bgtsiret"}:
            values[f] = siret
        elif code_insee and k in {"collinsee"}:
            values[f] = code_insee
    return values


def write_grid(grid: Grid, path: Path) -> None:
    """The grid as a rectangular CSV, its line number first: what the later steps read back."""
    width = max((len(r) for r in grid.rows), default=0)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["_line", *(f"c{i}" for i in range(width))])
        writer.writerows(
            [line, *row] if len(row) == width else [line, *row, *([""] * (width - len(row)))]
            for line, row in zip(grid.lines, grid.rows, strict=True)
        )


def read_grid_head(path: Path, rows: int) -> list[tuple[int, list[str]]]:
    """The first ``rows`` rows of a grid CSV, with their line numbers."""
    head = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for record in reader:
            head.append((int(record[0]), record[1:]))
            if len(head) >= rows:
                break
    return head


def write_tables(
    grid_csv: Path,
    header_line: int,
    columns: Sequence[str],
    mapping: Sequence[str],
    schema: Schema,
    mapped: Path,
    aside: Path,
    defaults: dict[str, str],
) -> tuple[list[int], int]:
    """Write the mapped table (every schema field, in the schema's order) and the columns kept aside.

    ``defaults`` fill a field no column feeds (the collectivité's own name, SIRET…). The aside CSV has
    the row's line number and the unmatched columns; it is written only when such columns exist.
    Returns (the file's line number of each row written, columns kept aside).
    """
    import polars as pl

    frame = pl.read_csv(grid_csv, infer_schema=False).fill_null("")
    frame = frame.with_columns(pl.col("_line").cast(pl.Int64)).filter(pl.col("_line") > header_line)
    present = set(frame.columns)
    position = {target: index for index, target in enumerate(mapping) if target}

    def source(index: int) -> pl.Expr:
        name = f"c{index}"
        return pl.col(name) if name in present else pl.lit("")

    selected = [
        (source(position[f]) if f in position else pl.lit(defaults.get(f, ""))).alias(f)
        for f in schema.field_names
    ]
    frame.select(selected).write_csv(mapped)
    aside_indexes = [i for i, target in enumerate(mapping) if not target and columns[i]]
    if aside_indexes:
        frame.select(
            pl.col("_line").alias("ligne_du_fichier"), *(source(i).alias(columns[i]) for i in aside_indexes)
        ).write_csv(aside)
    return frame["_line"].to_list(), len(aside_indexes)
