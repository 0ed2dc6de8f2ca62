"""One guard for every ZIP-based file users send (XLSX, ODS, DOCX, ODT), before anything is inflated.

Office files are ZIP archives, so a few kilobytes can declare gigabytes of XML (a zip bomb). The sizes
in the central directory are read and checked here; zipfile then refuses to inflate past them, so a
file that lies about its sizes fails while being read instead of filling the memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

MIB = 1024 * 1024


class ArchiveRefused(Exception):
    """The archive is damaged, too large or a zip bomb; the message is in French and meant for the user.

    ``damaged`` tells a broken file from a refused one, for callers that explain damage in their own words.
    """

    def __init__(self, message: str, *, damaged: bool = False) -> None:
        super().__init__(message)
        self.damaged = damaged


def check_zip(
    source: bytes | Path | str,
    *,
    what: str,
    max_compressed: int | None = None,
    max_uncompressed: int,
    max_ratio: float,
    ratio_from: int = 0,
) -> frozenset[str]:
    """Refuse ``source`` unless its declared sizes are safe; return the names of its members.

    ``what`` starts the messages (« Le classeur « x.xlsx » », « Le modèle »). The ratio is only judged once
    the content exceeds ``ratio_from`` bytes: small office files of repetitive XML compress very well.
    """
    compressed = len(source) if isinstance(source, bytes) else _file_size(Path(source), what)
    if max_compressed is not None and compressed > max_compressed:
        raise ArchiveRefused(
            f"{what} pèse {compressed // MIB} Mo : la limite est de {max_compressed // MIB} Mo."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveRefused(
            f"{what} est tronqué ou endommagé : il ne peut pas être ouvert.", damaged=True
        ) from exc
    inflated = sum(info.file_size for info in infos)
    packed = max(sum(info.compress_size for info in infos), 1)
    if inflated > max_uncompressed or (inflated > ratio_from and inflated / packed > max_ratio):
        raise ArchiveRefused(
            f"{what} se décompresse en {inflated // MIB} Mo (taux {inflated // packed}:1) : "
            "il est refusé par sécurité (bombe de décompression ?)."
        )
    _check_real_sizes(source, infos, what)
    return frozenset(info.filename for info in infos)


# Members are inflated by steps of this many bytes: the check itself holds next to nothing.
_STEP = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")


def _check_real_sizes(source: bytes | Path | str, infos: list[zipfile.ZipInfo], what: str) -> None:
    """Inflate every member once, counting, and refuse one that inflates past its declared size.

    The sizes above are what the archive *says*; the spreadsheet readers (calamine is Rust) do not
    hold a member to them. A member that lies is a zip bomb whatever its declared size.
    """
    with io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb") as handle:  # noqa: SIM115
        for info in infos:
            if info.flag_bits & 0x1:
                raise ArchiveRefused(f"{what} est chiffré : il ne peut pas être lu.", damaged=True)
            if info.compress_type == zipfile.ZIP_STORED or info.is_dir():
                continue
            if info.compress_type != zipfile.ZIP_DEFLATED:
                raise ArchiveRefused(
                    f"{what} utilise une compression inhabituelle : enregistrez-le de nouveau "
                    "avec votre tableur.",
                    damaged=True,
                )
            actual = _inflated_size(handle, info, what)
            if actual > info.file_size:
                raise ArchiveRefused(
                    f"{what} contient « {info.filename} », qui se décompresse en plus de "
                    f"{actual // MIB} Mo quand l'archive annonce {info.file_size // 1024} Ko : il est "
                    "refusé par sécurité (bombe de décompression)."
                )


def _inflated_size(handle: io.BufferedIOBase | io.BytesIO, info: zipfile.ZipInfo, what: str) -> int:
    """Bytes the member's deflate stream really gives, stopping just past its declared size."""
    damaged = ArchiveRefused(f"{what} est tronqué ou endommagé : il ne peut pas être ouvert.", damaged=True)
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise damaged
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise damaged
    handle.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left = info.compress_size
    actual = 0
    try:
        while left > 0 and not inflater.eof and actual <= info.file_size:
            chunk = handle.read(min(left, 64 * 1024))
            if not chunk:
                break
            left -= len(chunk)
            actual += len(inflater.decompress(chunk, _STEP))
            while inflater.unconsumed_tail and actual <= info.file_size:
                actual += len(inflater.decompress(inflater.unconsumed_tail, _STEP))
    except zlib.error as exc:
        raise damaged from exc
    return actual


def _file_size(path: Path, what: str) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise ArchiveRefused(f"{what} est introuvable ou illisible.", damaged=True) from exc
