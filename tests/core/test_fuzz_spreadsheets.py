"""The CSV and spreadsheet readers never crash: any bytes are read, or refused with a French message."""

from __future__ import annotations

import csv
import datetime as dt
import io

import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from odl.core.spreadsheets import Table, UnreadableFile, read_csv_bytes, read_table, read_workbook_bytes

# Cells as agents type them: accents, separators, quotes, line breaks, formulas, spaces, nothing.
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "é", "Œuvre", "1,5", "=SUM(A1)", '"', ";", "\n", "\r\n", "\t", "N/A", "€"]),
)
ROWS = st.lists(st.lists(CELL, min_size=1, max_size=6), min_size=1, max_size=8)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])


def _is_table(table: Table) -> None:
    assert isinstance(table.header, list) and all(isinstance(h, str) for h in table.header)
    assert all(isinstance(cell, str) for row in table.rows for cell in row)
    assert len(table.line_numbers) in (0, len(table.rows))


@given(st.binary(max_size=2048))
def test_any_bytes_are_read_as_csv_or_refused_in_french(data: bytes) -> None:
    try:
        table = read_csv_bytes(data)
    except UnreadableFile as exc:
        assert str(exc) and str(exc)[0].isupper()
    else:
        _is_table(table)


@given(ROWS, st.sampled_from([",", ";", "\t", "|"]), ENCODINGS)
def test_csv_written_by_a_spreadsheet_in_any_encoding_is_read_or_refused(
    rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = buffer.getvalue().encode(encoding, errors="replace")
    try:
        table = read_table("fichier.csv", data)
    except UnreadableFile as exc:
        assert str(exc)
    else:
        _is_table(table)


VALUE = st.one_of(
    st.none(),
    st.text(max_size=15),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)),
)


@given(st.lists(st.lists(VALUE, min_size=1, max_size=5), min_size=1, max_size=6), st.integers(0, 3))
def test_any_workbook_is_read_or_refused_in_french(rows: list[list[object]], blank_rows: int) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Données")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r + blank_rows, c, dt.datetime.combine(value, dt.time()), dates)
            elif value is not None:
                sheet.write(r + blank_rows, c, value)
    book.close()
    try:
        table = read_workbook_bytes(buffer.getvalue(), "classeur.xlsx")
    except UnreadableFile as exc:
        assert "classeur.xlsx" in str(exc)
    else:
        _is_table(table)


@given(st.binary(max_size=1024), st.sampled_from(["a.xlsx", "a.ods", "a.xls"]))
def test_damaged_workbooks_are_refused_in_french(data: bytes, name: str) -> None:
    try:
        table = read_table(name, b"PK\x03\x04" + data)
    except UnreadableFile as exc:
        assert str(exc)
    else:
        _is_table(table)
