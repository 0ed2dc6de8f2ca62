"""One guard for every ZIP-based file users send (XLSX, ODS, DOCX, ODT), before anything is inflated.

Office files are ZIP archives, so a few kilobytes can declare gigabytes of XML (a zip bomb). The sizes
in the central directory are read and checked here; zipfile then refuses to inflate past them, so a
file that lies about its sizes fails while being read instead of filling the memory.
"""

from __future__ import annotations

import io
import zipfile
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
    return frozenset(info.filename for info in infos)


def _file_size(path: Path, what: str) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise ArchiveRefused(f"{what} est introuvable ou illisible.", damaged=True) from exc
