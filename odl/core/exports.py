"""Exports of any table to CSV, XLSX and ODS, the three formats users open in Excel or LibreOffice.

Every text cell that a spreadsheet would run as a formula (starting with = + - @, their full-width
forms, tab or CR, even after leading spaces) is prefixed with an apostrophe: harvested or imported
text must never execute on a user's machine.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from html import escape  # not xml.sax.saxutils's: that module imports urllib.request (and http.client)
from typing import Any

# Full-width forms too: spreadsheets with an East Asian input method read ＝ as =.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Leading spaces do not stop a spreadsheet that trims cells on import (LibreOffice's option).
_SPACES = " \u00a0\u202f\u3000"
# The same test as a regular expression, for column-wise exports (polars, SQL): see starts_formula.
# Written with \uHHHH escapes, which Python's re and polars' (Rust) regex both read.
FORMULA_PATTERN = (
    "^["
    + "".join(f"\\u{ord(c):04x}" for c in _SPACES)
    + "]*["
    + "".join(f"\\u{ord(c):04x}" for c in _FORMULA_START)
    + "]"
)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "json": "application/json",
}
# The export links a page offers under a table, in this order.
FORMAT_LABELS = (("csv", "CSV"), ("xlsx", "XLSX (Excel)"), ("ods", "ODS (LibreOffice)"))


def starts_formula(value: str) -> bool:
    """Whether a spreadsheet could run ``value`` as a formula (also once its leading spaces are trimmed)."""
    return value.startswith(_FORMULA_START) or value.lstrip(_SPACES).startswith(_FORMULA_START)


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and starts_formula(value):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str = ";") -> bytes:
    """UTF-8 with BOM so that French Excel opens accents right; ``;`` by default for French Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Export") -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    worksheet.write_row(0, 0, list(header), bold)
    for index, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                worksheet.write_boolean(index, col, value)
            elif isinstance(value, int | float):
                worksheet.write_number(index, col, value)
            else:
                worksheet.write_string(index, col, str(neutralise(value)))
    worksheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


_ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""

_ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)


def _ods_cell(value: Any) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    text = escape(str(neutralise(value)), quote=False)
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def to_ods(header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Export") -> bytes:
    """A minimal, valid OpenDocument spreadsheet written as a stream (odfpy is too slow for 35,000 rows)."""
    parts = [_ODS_HEAD, f'<table:table table:name="{escape(sheet)}">']
    parts.append("<table:table-row>" + "".join(_ods_cell(h) for h in header) + "</table:table-row>")
    for row in rows:
        parts.append("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>")
    parts.append("</table:table></office:spreadsheet></office:body></office:document-content>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", "".join(parts), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def render(fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str = ";") -> bytes:
    if fmt == "csv":
        return to_csv(header, rows, delimiter=delimiter)
    if fmt == "xlsx":
        return to_xlsx(header, rows)
    if fmt == "ods":
        return to_ods(header, rows)
    raise ValueError(f"format d'export inconnu : {fmt}")
