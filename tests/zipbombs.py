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


def lying_workbook_bomb(inflated_mib: int = 16) -> bytes:
    """A workbook whose sheet claims 1 KB but inflates to ``inflated_mib`` MiB: its declared sizes pass
    every check of the central directory, so only inflating it tells the truth."""
    data = bytearray(workbook_bomb(inflated_mib))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    name = info.filename.encode()
    claimed = (1024).to_bytes(4, "little")
    # The central directory entry (uncompressed size at +24) and the local header (+22).
    position = 0
    while True:
        position = data.index(b"PK\x01\x02", position)
        length = int.from_bytes(data[position + 28 : position + 30], "little")
        if data[position + 46 : position + 46 + length] == name:
            data[position + 24 : position + 28] = claimed
            break
        position += 4
    data[info.header_offset + 22 : info.header_offset + 26] = claimed
    return bytes(data)
