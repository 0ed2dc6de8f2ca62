"""The one check a reuse's image passes, uploaded by hand or downloaded from data.gouv.fr.

Pillow reads the header and verifies the file: only PNG, JPEG, GIF and WebP are kept (an SVG can
carry a script), within a size in bytes and in pixels, so a small file that unpacks into gigabytes
(a "decompression bomb") is refused before it is decoded. The file is served back with the type
Pillow found, never the one the uploader claimed.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, UnidentifiedImageError

FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}


class ImageProblem(ValueError):
    """What is wrong with the image, in French."""


@dataclass(frozen=True)
class CheckedImage:
    extension: str
    content_type: str
    width: int
    height: int


def max_bytes() -> int:
    return int(settings.ODL_REUSE_IMAGE_MAX_BYTES)


def check(data: bytes) -> CheckedImage:
    limit = max_bytes()
    if len(data) > limit:
        raise ImageProblem(
            f"Image trop volumineuse : {len(data) / 1e6:.1f} Mo pour {limit / 1e6:.1f} Mo au plus.".replace(
                ".", ","
            )
        )
    if not data:
        raise ImageProblem("Le fichier d'image est vide.")
    max_pixels = int(settings.ODL_REUSE_IMAGE_MAX_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or ""
                width, height = image.size
                if fmt not in FORMATS:
                    raise ImageProblem(
                        f"Format d'image refusé ({fmt or 'inconnu'}) : envoyez un PNG, un JPEG, un GIF ou un WebP."
                    )
                if width * height > max_pixels:
                    raise ImageProblem(
                        f"Image trop grande : {width} × {height} pixels, {max_pixels:,} pixels au plus.".replace(
                            ",", "\u202f"
                        )
                    )
                image.verify()
    except ImageProblem:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageProblem("Image refusée : ses dimensions annoncées sont démesurées.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageProblem(
            "Ce fichier n'est pas une image lisible (PNG, JPEG, GIF ou WebP attendu)."
        ) from None
    extension, content_type = FORMATS[fmt]
    return CheckedImage(extension, content_type, width, height)
