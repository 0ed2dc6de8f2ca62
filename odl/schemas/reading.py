"""Streaming reader for the validator: CSV in bounded byte chunks, XLSX/ODS in row batches.

Every batch is a polars DataFrame of text columns ``c0..cN`` plus ``_row`` (the row number as a
spreadsheet user counts it, header = 1), ``_n`` (how many cells the record really had, to find
ragged rows) and ``_extra`` (the cells past the header's width, joined, or null). Problems that stop the reading are ``UnreadableFile`` with a French message.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from odl.core.archives import ArchiveRefused, check_zip
from odl.core.spreadsheets import UnreadableFile
from odl.core.text import format_int_fr as fr_int  # « 1 000 », as the French messages say it

CHUNK_BYTES = 16 * 1024 * 1024
SHEET_BATCH_ROWS = 50_000
# A workbook whose XML would inflate past this is refused before it is opened (zip bombs).
MAX_WORKBOOK_INFLATED = 1024 * 1024 * 1024
MAX_WORKBOOK_RATIO = 200
csv.field_size_limit(256 * 1024 * 1024)


@dataclass(frozen=True)
class ShapeLimits:
    """What a door accepts (``None``: no limit); the web doors take theirs from the settings.

    A 0.9 MB file of 100,000 columns cost 44 s and 1.5 GB before this: the shape is judged on the
    header and on each batch as it is read, so a refusal comes before the expensive work.
    """

    max_columns: int | None = None
    max_line_bytes: int | None = None
    max_cell_chars: int | None = None
    max_rows: int | None = None

    def check_header(self, header: list[str], name: str) -> None:
        if self.max_columns is not None and len(header) > self.max_columns:
            raise UnreadableFile(
                f"« {name} » a {fr_int(len(header))} colonnes : la limite est de {fr_int(self.max_columns)} colonnes "
                "pour une validation par le site. Vérifiez le séparateur, ou utilisez la commande "
                "« odl validate »."
            )

    def check_line(self, length: int, name: str, line: int | None = None) -> None:
        if self.max_line_bytes is not None and length > self.max_line_bytes:
            where = f"la ligne {fr_int(line)}" if line else "une ligne"
            raise UnreadableFile(
                f"Dans « {name} », {where} fait {fr_int(length)} octets : la limite est de "
                f"{fr_int(self.max_line_bytes)} octets par ligne pour une validation par le site."
            )

    def check_batch(
        self, frame: pl.DataFrame, rows_before: int, width: int, header: list[str], name: str
    ) -> None:
        if self.max_rows is not None and rows_before + frame.height > self.max_rows:
            raise UnreadableFile(
                f"« {name} » a plus de {fr_int(self.max_rows)} lignes : c'est la limite d'une validation par "
                "le site. Utilisez la commande « odl validate FICHIER --schema NOM », qui n'a pas de limite."
            )
        if self.max_cell_chars is None or not frame.height:
            return
        columns = [f"c{i}" for i in range(width)]
        lengths = frame.select([pl.col(c).str.len_chars().max() for c in columns]).row(0)
        for index, length in enumerate(lengths):
            if length is not None and length > self.max_cell_chars:
                bad = frame.filter(pl.col(columns[index]).str.len_chars() > self.max_cell_chars)
                row = int(bad["_row"][0])
                label = header[index] if index < len(header) else f"n° {index + 1}"
                raise UnreadableFile(
                    f"Dans « {name} », la cellule de la ligne {fr_int(row)}, colonne « {label} », fait "
                    f"{fr_int(int(length))} caractères : la limite est de {fr_int(self.max_cell_chars)} caractères "
                    "par cellule pour une validation par le site."
                )


NO_LIMITS = ShapeLimits()


@dataclass
class FileInfo:
    name: str
    format: str = "csv"
    encoding: str = "utf-8"
    delimiter: str = ","
    size: int = 0
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "nom": self.name,
            "format": self.format,
            "encodage": self.encoding,
            "separateur": self.delimiter if self.format == "csv" else None,
            "taille": self.size,
            "feuille": self.sheet,
            "remarques": self.notes,
        }


def _sniff_kind(head: bytes, name: str) -> str:
    if head.startswith(b"%PDF"):
        raise UnreadableFile(
            f"« {name} » est un document PDF, pas un tableau. Exportez les données en CSV, XLSX ou ODS."
        )
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            f"« {name} » est un ancien classeur Excel (.xls). Enregistrez-le en XLSX, ODS ou CSV."
        )
    if head.startswith(b"PK"):
        return "zip"
    if b"\x00" in head[:8192]:
        raise UnreadableFile(
            f"« {name} » ne ressemble pas à un fichier texte CSV (il contient des octets binaires). "
            "Enregistrez-le au format CSV, XLSX ou ODS."
        )
    return "csv"


def _looks_like_text(sample: bytes) -> bool:
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls <= max(2, len(sample) // 200)


# How many rows from the top (of each sheet) may hold the real header, below title rows.
HEADER_SEARCH_ROWS = 20


class TableReader:
    """Open once, read the header, then iterate batches; ``progress`` is bytes or rows done / total.

    The header is the first row until ``start_at`` moves it: real exports often put a title, a date or
    notes above it, or the data on another sheet. ``header_row`` is its line, as a spreadsheet counts.
    """

    header: list[str]
    info: FileInfo
    header_row: int = 1
    # True once the header's place was chosen (it is chosen once, before any batch is read).
    located: bool = False

    def sheets(self) -> list[str | None]:
        """The sheets a header may be on (None: the file has no sheets), the current one first."""
        return [None]

    def leading_rows(self, sheet: str | None = None) -> list[list[str]]:
        """The first rows of ``sheet`` (the current one when None), cells as text, header included."""
        raise NotImplementedError  # pragma: no cover - interface

    def start_at(self, index: int, sheet: str | None = None) -> None:
        """Take row ``index`` (0: the first row) of ``sheet`` as the header; the data follows it."""
        raise NotImplementedError  # pragma: no cover - interface

    def batches(self) -> Iterator[pl.DataFrame]:  # pragma: no cover - interface
        raise NotImplementedError

    def progress(self) -> tuple[int, int]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


def open_table(
    path: Path,
    display_name: str | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    limits: ShapeLimits = NO_LIMITS,
) -> TableReader:
    """Open ``path`` for batches; ``limits`` are checked on the header here and on every batch read."""
    reader = _open(path, display_name or path.name, chunk_bytes, limits)
    if limits != NO_LIMITS:
        try:
            limits.check_header(reader.header, reader.info.name)
        except UnreadableFile:
            reader.close()
            raise
        reader = LimitedReader(reader, limits)
    return reader


def _open(path: Path, name: str, chunk_bytes: int, limits: ShapeLimits) -> TableReader:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        raise UnreadableFile(f"Le fichier « {name} » est introuvable ou illisible.") from exc
    if size == 0 or not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UnreadableFile(
            f"Le fichier « {name} » est vide : il ne contient ni en-tête ni ligne de données."
        )
    utf16 = _utf16(head)
    if utf16 is not None:
        return _transcoded(path, name, size, chunk_bytes, limits, utf16)
    kind = _sniff_kind(head, name)
    if kind == "zip":
        return WorkbookReader(path, name, size)
    if path.suffix.lower() in {".xlsx", ".ods", ".xls"}:
        raise UnreadableFile(f"« {name} » porte l'extension {path.suffix} mais n'est pas un classeur valide.")
    if not _looks_like_text(head[:8192]):
        raise UnreadableFile(
            f"« {name} » ne ressemble pas à un fichier texte CSV (caractères de contrôle). "
            "Enregistrez-le au format CSV, XLSX ou ODS."
        )
    return CsvReader(path, name, size, chunk_bytes, limits)


def _utf16(head: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` for a UTF-16 text (by its BOM, or its zero bytes on one side), else None."""
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be"
    sample = head[:8192]
    if len(sample) >= 64:
        even, odd = sample[0::2], sample[1::2]
        # A text of Latin characters in UTF-16 has a zero byte in every other position, and only there.
        if odd.count(0) > 0.9 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
    return None


def _transcoded(
    path: Path, name: str, size: int, chunk_bytes: int, limits: ShapeLimits, encoding: str
) -> CsvReader:
    """A UTF-16 CSV, rewritten as UTF-8 in a temporary file (streamed), read like any other CSV."""
    import codecs
    import os
    import tempfile

    handle, temporary = tempfile.mkstemp(prefix="odl-utf16-", suffix=".csv")
    target = Path(temporary)
    try:
        with path.open("rb") as source, os.fdopen(handle, "wb") as out:
            # With a BOM, the "utf-16" codec reads it and drops it; without, the zero bytes said the order.
            has_bom = source.read(2) in (b"\xff\xfe", b"\xfe\xff")
            decoder = codecs.getincrementaldecoder("utf-16" if has_bom else encoding)()
            source.seek(0)
            while chunk := source.read(4 * 1024 * 1024):
                out.write(decoder.decode(chunk).encode("utf-8"))
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
        reader = CsvReader(target, name, target.stat().st_size, chunk_bytes, limits)
    except UnicodeDecodeError as exc:
        target.unlink(missing_ok=True)
        raise UnreadableFile(
            f"« {name} » semble encodé en UTF-16 mais contient des octets invalides : "
            "enregistrez-le de nouveau en CSV UTF-8."
        ) from exc
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    reader.temporary = target
    reader.info.encoding = encoding
    reader.info.size = size
    return reader


class LimitedReader(TableReader):
    """Another reader, whose batches are refused once they pass the door's limits."""

    def __init__(self, inner: TableReader, limits: ShapeLimits) -> None:
        self.inner = inner
        self.limits = limits
        self.header = inner.header
        self.info = inner.info

    def sheets(self) -> list[str | None]:
        return self.inner.sheets()

    def leading_rows(self, sheet: str | None = None) -> list[list[str]]:
        return self.inner.leading_rows(sheet)

    def start_at(self, index: int, sheet: str | None = None) -> None:
        self.inner.start_at(index, sheet)
        self.header = self.inner.header
        self.info = self.inner.info
        self.header_row = self.inner.header_row
        self.limits.check_header(self.header, self.info.name)

    def batches(self) -> Iterator[pl.DataFrame]:
        rows = 0
        width = max(len(self.header), 1)
        for frame in self.inner.batches():
            self.limits.check_batch(frame, rows, width, self.header, self.info.name)
            rows += frame.height
            yield frame

    def progress(self) -> tuple[int, int]:
        return self.inner.progress()

    def close(self) -> None:
        self.inner.close()


def _decode(data: bytes, encoding: str) -> str:
    if encoding.startswith("utf-8"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    return data.decode("cp1252", errors="replace")


def _record_end(buf: bytes, start: int = 0) -> int:
    """Index just after the last complete record in ``buf`` (quote-aware), or -1 when none."""
    pos = len(buf)
    while True:
        nl = buf.rfind(b"\n", start, pos)
        if nl < 0:
            return -1
        if buf.count(b'"', start, nl) % 2 == 0:
            return nl + 1
        pos = nl


def _first_record_end(buf: bytes) -> int:
    pos = 0
    while True:
        nl = buf.find(b"\n", pos)
        if nl < 0:
            return -1
        if buf.count(b'"', 0, nl) % 2 == 0:
            return nl + 1
        pos = nl + 1


class CsvReader(TableReader):
    def __init__(
        self, path: Path, name: str, size: int, chunk_bytes: int, limits: ShapeLimits = NO_LIMITS
    ) -> None:
        self.path = path
        self.limits = limits
        self.size = size
        self.chunk_bytes = chunk_bytes
        self.handle = path.open("rb")
        self.temporary: Path | None = None
        try:
            self._read_header(name, size, chunk_bytes, limits)
        except BaseException:
            self.handle.close()
            raise

    def _read_header(self, name: str, size: int, chunk_bytes: int, limits: ShapeLimits) -> None:
        self.done = 0
        self.header_row = 1
        head = self.handle.read(chunk_bytes)
        more = b"x"
        while _first_record_end(head) < 0 and more:
            limits.check_line(len(head), name, 1)  # before reading on: the header may be endless
            more = self.handle.read(chunk_bytes)  # a header longer than a chunk
            head += more
        read_all = not more or len(head) < chunk_bytes
        bom = head.startswith(b"\xef\xbb\xbf")
        offset = 3 if bom else 0
        notes = []
        try:
            head[offset : _record_end(head) if _record_end(head) > 0 else len(head)].decode("utf-8")
            encoding = "utf-8-sig" if bom else "utf-8"
        except UnicodeDecodeError:
            # The encoding reported is the one the body is decoded with, whatever the BOM claims.
            encoding = "windows-1252"
            if bom:
                notes.append(
                    "le fichier commence par la marque UTF-8 (BOM) mais son contenu est en Windows-1252 : "
                    "il a été lu en Windows-1252"
                )
        self.head = head
        self.offset = offset
        self.read_all = read_all
        self.info = FileInfo(name=name, format="csv", encoding=encoding, size=size, notes=notes)
        # How the bytes are decoded (the reported encoding may differ: a UTF-16 file read from its UTF-8 copy).
        self.decoding = encoding
        self.mixed = False
        self._header_from(offset)

    def _header_from(self, start: int, row: int = 1) -> None:
        """The record starting at byte ``start`` of the first chunk is the header (line ``row``)."""
        head = self.head
        end = _first_record_end(head[start:])
        header_bytes = head[start:] if end < 0 else head[start : start + end]
        self.limits.check_line(len(header_bytes), self.info.name, row)
        header_text = _decode(header_bytes, self.decoding)
        delimiter = _sniff_delimiter(header_text)
        record = next(csv.reader(io.StringIO(header_text, newline=""), delimiter=delimiter), [])
        self.header = list(record)
        self.info.delimiter = delimiter
        self.leftover = b"" if end < 0 else head[start + end :]
        self.eof = end < 0 or self.read_all
        self.done = len(head) - len(self.leftover)
        self.header_row = row
        self.next_row = row + 1

    def _starts(self) -> list[int]:
        """Byte offsets of the first records of the first chunk."""
        starts: list[int] = []
        position = self.offset
        while len(starts) < HEADER_SEARCH_ROWS and position < len(self.head):
            starts.append(position)
            end = _first_record_end(self.head[position:])
            if end < 0:
                break
            position += end
        return starts

    def leading_rows(self, sheet: str | None = None) -> list[list[str]]:
        rows = []
        for start in self._starts():
            end = _first_record_end(self.head[start:])
            text = _decode(self.head[start:] if end < 0 else self.head[start : start + end], self.decoding)
            # Each row with its own separator: a title line has none, the header below it has many.
            rows.append(next(csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text)), []))
        return rows

    def start_at(self, index: int, sheet: str | None = None) -> None:
        self._header_from(self._starts()[index], index + 1)

    def progress(self) -> tuple[int, int]:
        return self.done, self.size

    def close(self) -> None:
        self.handle.close()
        if self.temporary is not None:
            self.temporary.unlink(missing_ok=True)

    def _text(self, data: bytes) -> str:
        """A chunk as text; a UTF-8 file whose later bytes are not UTF-8 is said to be Windows-1252."""
        if self.decoding.startswith("utf-8"):
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                if not self.mixed:
                    self.mixed = True
                    self.info.encoding = "windows-1252"
                    self.info.notes.append(
                        f"le début du fichier est en UTF-8, mais pas la suite (après l'octet {fr_int(self.done)}) : "
                        "les parties qui ne sont pas en UTF-8 ont été lues en Windows-1252"
                    )
                # Line by line: a file put together from two exports changes encoding between lines,
                # and the UTF-8 lines of this chunk must not be read as Windows-1252 (« Ã© » for « é »).
                return "\n".join(_utf8_or_cp1252(line) for line in data.split(b"\n"))
        return data.decode("cp1252", errors="replace")

    def batches(self) -> Iterator[pl.DataFrame]:
        buf = self.leftover
        self.leftover = b""
        self.head = b""  # the header is placed: the first chunk is no longer needed twice
        self.located = True
        while True:
            if not self.eof and len(buf) < self.chunk_bytes:
                more = self.handle.read(self.chunk_bytes)
                if not more:
                    self.eof = True
                buf += more
            if self.eof:
                cut = len(buf)
            else:
                cut = _record_end(buf)
                if cut < 0:
                    # A record longer than a chunk (a huge cell): read on until it ends.
                    self.limits.check_line(len(buf), self.info.name)
                    more = self.handle.read(self.chunk_bytes)
                    if not more:
                        self.eof = True
                    buf += more
                    continue
            piece, buf = buf[:cut], buf[cut:]
            if piece and self.limits.max_line_bytes is not None:
                self.limits.check_line(max(map(len, piece.split(b"\n"))), self.info.name)
            if piece:
                text = self._text(piece)
                # A chunk read as UTF-8 is handed to polars as it came (its bytes are the text's
                # encoding): encoding a 20 MB chunk again cost a twentieth of a clean file's time.
                raw = piece if self.decoding.startswith("utf-8") and not self.mixed else None
                frame = self._parse(
                    text, raw if raw is not None and not raw.startswith(b"\xef\xbb\xbf") else None
                )
                self.done += len(piece)
                if frame.height:
                    yield frame
            if self.eof and not buf:
                break

    def _parse(self, text: str, raw: bytes | None = None) -> pl.DataFrame:
        """Split a chunk into records: polars' CSV reader for plain lines, Python's csv for quoted ones.

        Polars reads the chunk twice without quote handling (cells, then whole lines to count the
        separators of each record, which finds ragged rows). Lines holding a quote are re-read by
        Python's csv module, which is the reference. When a quoted value spans lines, lines are no
        longer records and the whole chunk goes through Python's csv (exact, slower, rare).
        """
        width = max(len(self.header), 1)
        sep = self.info.delimiter
        if "\x1f" in text or ("\r" in text and "\r" in text.replace("\r\n", "")):
            return self._frame_from_records(self._records(text), width)
        data = raw if raw is not None else text.encode("utf-8")
        names = [f"c{i}" for i in range(width)]
        options: dict[str, Any] = {
            "has_header": False,
            "quote_char": None,
            "infer_schema": False,
            "empty_string_is_null": False,
        }
        lines = pl.read_csv(data, separator="\x1f", schema={"l": pl.String}, **options)["l"]
        quoted = lines.str.contains('"', literal=True) if '"' in text else None
        if quoted is not None and (lines.filter(quoted).str.count_matches('"', literal=True) % 2 == 1).any():
            return self._frame_from_records(self._records(text), width)
        cells = pl.read_csv(
            data,
            separator=sep,
            schema=dict.fromkeys(names, pl.String),
            truncate_ragged_lines=True,
            extra_columns="ignore",
            missing_columns="insert",
            **options,
        )
        if cells.height != lines.len():
            return self._frame_from_records(self._records(text), width)
        counts = pl.DataFrame({"l": lines}).select(
            pl.when(pl.col("l") == "")
            .then(0)
            .otherwise(pl.col("l").str.count_matches(sep, literal=True) + 1)
            .cast(pl.Int64)
            .alias("_n")
        )["_n"]
        frame = cells.with_columns(counts)
        # The cells past the header, for the message: a column only when some row has them (a column of
        # nulls still costs 8 bytes a row), split only on those rows.
        over = counts > width
        if over.any():
            index = over.arg_true()
            extra = pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias("_extra")
            extra = extra.scatter(index, lines.gather(index).str.split(sep).list.slice(width).list.join(sep))
            frame = frame.with_columns(extra)
        if quoted is not None and quoted.any():
            index = quoted.arg_true()
            records = list(csv.reader(lines.gather(index).to_list(), delimiter=sep))
            replacement = self._columns(records, width, sep)
            if replacement["_extra"].is_null().all():
                del replacement["_extra"]
            elif "_extra" not in frame.columns:
                frame = frame.with_columns(
                    pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias("_extra")
                )
            frame = frame.with_columns(
                [frame[name].scatter(index, replacement[name]) for name in replacement]
            )
        height = frame.height
        frame = frame.with_columns(
            [pl.when(pl.col("_n") > i).then(pl.col(n)).otherwise(None).alias(n) for i, n in enumerate(names)]
            + [pl.int_range(self.next_row, self.next_row + height, dtype=pl.Int64).alias("_row")]
        )
        self.next_row += height
        return frame

    def _records(self, text: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=self.info.delimiter))

    @staticmethod
    def _columns(records: list[list[str]], width: int, sep: str) -> dict[str, pl.Series]:
        columns: dict[str, pl.Series] = {}
        for i in range(width):
            columns[f"c{i}"] = pl.Series([r[i] if i < len(r) else None for r in records], dtype=pl.String)
        columns["_n"] = pl.Series([len(r) for r in records], dtype=pl.Int64)
        columns["_extra"] = pl.Series(
            [sep.join(r[width:]) if len(r) > width else None for r in records], dtype=pl.String
        )
        return columns

    def _frame_from_records(self, records: list[list[str]], width: int) -> pl.DataFrame:
        columns = self._columns(records, width, self.info.delimiter)
        height = len(records)
        columns["_row"] = pl.Series(range(self.next_row, self.next_row + height), dtype=pl.Int64)
        self.next_row += height
        return pl.DataFrame(columns)


def _utf8_or_cp1252(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def _sniff_delimiter(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ","


class WorkbookReader(TableReader):
    def __init__(self, path: Path, name: str, size: int) -> None:
        self.path = path
        self.size = size
        self._check_zip(path, name)
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(path))
            sheets = workbook.sheet_names
        except Exception as exc:  # calamine raises its own error types for every kind of damage
            raise UnreadableFile(
                f"Le classeur « {name} » ne peut pas être ouvert : il est endommagé ou n'est pas un vrai XLSX/ODS."
            ) from exc
        fmt = "ods" if self._is_ods else "xlsx"
        self.info = FileInfo(name=name, format=fmt, encoding=fmt, delimiter="", size=size)
        self.workbook = workbook
        self.sheet_names = list(sheets)
        self.loaded: dict[str, list[list[str]]] = {}
        self.rows: list[list[str]] = []
        for sheet in sheets:
            rows = self._load(sheet)
            if any(any(c for c in row) for row in rows):
                self._use(sheet)
                break
        if not self.rows:
            raise UnreadableFile(f"Le classeur « {name} » ne contient aucune feuille remplie.")
        self.start_at(0)

    def _load(self, sheet: str) -> list[list[str]]:
        if sheet not in self.loaded:
            try:
                values = self.workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except Exception as exc:
                raise UnreadableFile(
                    f"La feuille « {sheet} » du classeur « {self.info.name} » est illisible."
                ) from exc
            self.loaded[sheet] = [[_cell_text(c) for c in row] for row in values]
        return self.loaded[sheet]

    def _use(self, sheet: str) -> None:
        self.info.sheet = sheet
        self.rows = self._load(sheet)
        self.info.notes = [n for n in self.info.notes if not n.startswith("feuille ")]
        if len(self.sheet_names) > 1:
            others = ", ".join(f"« {s} »" for s in self.sheet_names if s != sheet)
            self.info.notes.append(f"feuille « {sheet} » lue ; autres feuilles ignorées : {others}")

    def sheets(self) -> list[str | None]:
        current = self.info.sheet
        return [current, *(s for s in self.sheet_names if s != current)]

    def leading_rows(self, sheet: str | None = None) -> list[list[str]]:
        rows = self.rows if sheet is None or sheet == self.info.sheet else self._load(sheet)
        return [list(r) for r in rows[:HEADER_SEARCH_ROWS]]

    def start_at(self, index: int, sheet: str | None = None) -> None:
        if sheet is not None and sheet != self.info.sheet:
            self._use(sheet)
            # Only the sheet read stays in memory.
            self.loaded = {sheet: self.rows}
        header = list(self.rows[index]) if index < len(self.rows) else []
        while header and header[-1] == "":
            header.pop()
        self.header = header
        self.first = index
        self.header_row = index + 1
        self.done = 0

    def _check_zip(self, path: Path, name: str) -> None:
        try:
            names = check_zip(
                path,
                what=f"Le classeur « {name} »",
                max_uncompressed=MAX_WORKBOOK_INFLATED,
                max_ratio=MAX_WORKBOOK_RATIO,
                ratio_from=50 * 1024 * 1024,
            )
        except ArchiveRefused as exc:
            raise UnreadableFile(str(exc)) from exc
        self._is_ods = "content.xml" in names and "xl/workbook.xml" not in names
        if "xl/workbook.xml" not in names and "content.xml" not in names:
            raise UnreadableFile(f"« {name} » est une archive ZIP, pas un classeur XLSX ou ODS.")

    def progress(self) -> tuple[int, int]:
        return self.done, max(len(self.rows) - 1 - self.first, 0)

    def batches(self) -> Iterator[pl.DataFrame]:
        self.located = True
        self.loaded = {}
        width = max(len(self.header), 1)
        first_row = self.first + 2
        body = self.rows[self.first + 1 :]
        for start in range(0, len(body), SHEET_BATCH_ROWS):
            part = body[start : start + SHEET_BATCH_ROWS]
            counts = []
            extras: list[str | None] = []
            records = []
            for row in part:
                trimmed = list(row)
                # Spreadsheets pad every row to the widest one: trailing empty cells are not extra cells.
                while len(trimmed) > width and trimmed[-1] == "":
                    trimmed.pop()
                if not any(trimmed):
                    trimmed = []
                counts.append(len(trimmed))
                extras.append(" | ".join(trimmed[width:]) if len(trimmed) > width else None)
                records.append(trimmed)
            frame = pl.DataFrame({"_rec": records}, schema={"_rec": pl.List(pl.String)})
            frame = frame.select(
                [pl.col("_rec").list.get(i, null_on_oob=True).alias(f"c{i}") for i in range(width)]
                + [
                    pl.Series("_n", counts, dtype=pl.Int64),
                    pl.Series("_extra", extras, dtype=pl.String),
                    pl.int_range(start + first_row, start + first_row + len(part), dtype=pl.Int64).alias(
                        "_row"
                    ),
                ]
            )
            self.done = start + len(part)
            yield frame


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if hasattr(cell, "isoformat"):
        text = str(cell.isoformat())
        return text[:10] if text.endswith("T00:00:00") else text
    return str(cell)
