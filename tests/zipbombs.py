"""A small zip bomb shaped like a workbook, for the tests of every door that reads XLSX/ODS files."""

from __future__ import annotations

import io
import zipfile

MIB = 1024 * 1024


def workbook_bomb(inflated_mib: int = 16) -> bytes:
    """About 1 KB per MiB of declared XML: far past any real spreadsheet's compression ratio."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(inflated_mib):
                sheet.write(b" " * MIB)
    return buffer.getvalue()
