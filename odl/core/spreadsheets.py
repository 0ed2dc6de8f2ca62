"""Reading the files users send: CSV (any separator, UTF-8 or Latin-1, BOM or not), XLSX, ODS.

Small files for imports (agents, SIREN lists, mappings). The validator has its own streaming
reader for million-row files. Every problem is raised as ``UnreadableFile`` with a French message.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from odl.core.archives import ArchiveRefused, check_zip

MAX_IMPORT_BYTES = 200 * 1024 * 1024
# An import table is at most a few tens of thousands of rows: its XML stays far below this once inflated.
MAX_IMPORT_INFLATED = 1024 * 1024 * 1024
MAX_IMPORT_RATIO = 200
MAX_IMPORT_RATIO_FROM = 10 * 1024 * 1024


class UnreadableFile(Exception):
    """The file cannot be read at all; the message is in French and meant for the user."""


@dataclass
class Table:
    """A header and rows of text; ``line_numbers[i]`` is the line of ``rows[i]`` as the user counts it."""

    header: list[str]
    rows: list[list[str]]
    line_numbers: list[int] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    def dicts(self) -> list[dict[str, str]]:
        keys = [h.strip().lower() for h in self.header]
        return [dict(zip(keys, row + [""] * (len(keys) - len(row)), strict=False)) for row in self.rows]


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else Windows-1252 (a superset of Latin-1 in practice)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "iso-8859-1"


def sniff_delimiter(sample: str) -> str:
    first_line = sample.splitlines()[0] if sample else ""
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ","


def looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" in head


def read_csv_bytes(data: bytes) -> Table:
    if looks_binary(data):
        raise UnreadableFile(
            "Le fichier ne ressemble pas à un fichier texte CSV (il contient des octets binaires). "
            "Enregistrez-le au format CSV, XLSX ou ODS."
        )
    text, encoding = decode_text(data)
    if not text.strip():
        raise UnreadableFile("Le fichier est vide : il ne contient ni en-tête ni ligne de données.")
    delimiter = sniff_delimiter(text[:10000])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for record in reader:
            if header is None:
                if not any(cell.strip() for cell in record):
                    continue
                header = [cell.strip() for cell in record]
                continue
            if not any(cell.strip() for cell in record):
                continue
            rows.append([cell.strip() for cell in record])
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise UnreadableFile(f"Le CSV est mal formé à la ligne {reader.line_num} : {exc}.") from exc
    if header is None:
        raise UnreadableFile("Le fichier est vide : il ne contient ni en-tête ni ligne de données.")
    return Table(header=header, rows=rows, line_numbers=lines, encoding=encoding, delimiter=delimiter)


def read_workbook_bytes(data: bytes, name: str) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile(
            f"Le classeur « {name} » ne peut pas être ouvert : il est endommagé ou n'est pas un "
            "vrai fichier XLSX/ODS."
        ) from exc
    notes: list[str] = []
    for sheet_name in workbook.sheet_names:
        values = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        cleaned = [[_cell_text(cell) for cell in row] for row in values]
        numbered = [(index + 1, row) for index, row in enumerate(cleaned) if any(c for c in row)]
        if not numbered:
            notes.append(f"feuille « {sheet_name} » vide, ignorée")
            continue
        header_line, header = numbered[0]
        while header and not header[-1]:
            header.pop()
        if len(workbook.sheet_names) > 1:
            others = [s for s in workbook.sheet_names if s != sheet_name]
            notes.append(
                f"lecture de la feuille « {sheet_name} » ; autres feuilles ignorées : " + ", ".join(others)
            )
        return Table(
            header=header,
            rows=[row[: max(len(header), 1)] for _, row in numbered[1:]],
            line_numbers=[line for line, _ in numbered[1:]],
            encoding="xlsx" if name.lower().endswith("xlsx") else "ods",
            sheet=sheet_name,
            notes=notes,
        )
    raise UnreadableFile(f"Le classeur « {name} » ne contient aucune feuille remplie.")


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if hasattr(cell, "isoformat"):
        return str(cell.isoformat())
    return str(cell).strip()


def read_table(path: Path | str, data: bytes | None = None) -> Table:
    """Read a CSV, XLSX or ODS file, choosing by content rather than trusting the extension."""
    path = Path(path)
    if data is None:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise UnreadableFile(f"Le fichier « {path} » est introuvable ou illisible.") from exc
        if size > MAX_IMPORT_BYTES:
            raise UnreadableFile(f"Le fichier « {path.name} » dépasse {MAX_IMPORT_BYTES // 1024 // 1024} Mo.")
        data = path.read_bytes()
    if not data:
        raise UnreadableFile("Le fichier est vide : il ne contient ni en-tête ni ligne de données.")
    if data[:4] == b"PK\x03\x04":
        try:
            check_zip(
                data,
                what=f"Le classeur « {path.name} »",
                max_compressed=MAX_IMPORT_BYTES,
                max_uncompressed=MAX_IMPORT_INFLATED,
                max_ratio=MAX_IMPORT_RATIO,
                ratio_from=MAX_IMPORT_RATIO_FROM,
            )
        except ArchiveRefused as exc:
            if exc.damaged:
                raise UnreadableFile(f"Le classeur « {path.name} » est tronqué ou endommagé.") from exc
            raise UnreadableFile(str(exc)) from exc
        return read_workbook_bytes(data, path.name)
    if path.suffix.lower() in {".xlsx", ".ods", ".xls"}:
        raise UnreadableFile(
            f"« {path.name} » porte l'extension {path.suffix} mais n'est pas un classeur valide."
        )
    return read_csv_bytes(data)
