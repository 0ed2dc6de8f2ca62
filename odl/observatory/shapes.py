"""The real shapes of départements and régions, read from the npm package ``@gouvfr/dsfr-chart``.

The Système de Design de l'État's chart components (MIT licence, checked in the package's own
``package.json`` and ``LICENSE``) draw France as SVG paths keyed by INSEE code (``FR-35``) for the
départements of metropolitan France, by région abbreviation (``FR-BRE``) for its régions, and as five
separate drawings for Guadeloupe, Martinique, Guyane, La Réunion and Mayotte. The paths are read once
from the package's built file (``dist/MapChart/MapChart.js``) and served by the platform: nothing is
fetched from a third party. The collectivités d'outre-mer are not drawn: the grid and the table have them.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

PACKAGE = "@gouvfr/dsfr-chart"
BUILT_FILE = Path("dist") / "MapChart" / "MapChart.js"
# The package's région abbreviations → codes of the COG.
REGION_CODES = {
    "PAC": "93",
    "OCC": "76",
    "ARA": "84",
    "NAQ": "75",
    "BRE": "53",
    "PDL": "52",
    "CVL": "24",
    "NOR": "28",
    "HDF": "32",
    "IDF": "11",
    "GES": "44",
    "BFC": "27",
    "20R": "94",
}
# Each overseas département is also its région (or, for Mayotte, exercises its competences).
OVERSEAS_REGIONS = {"971": "01", "972": "02", "973": "03", "974": "04", "976": "06"}
_PATH = re.compile(r'class: "FR-([0-9A-Z]+)",\s*(?:style: [^\n]*\n\s*)?d: "([^"]+)"')
_VIEWBOX = re.compile(r'viewBox: "([0-9. ]+)"')


class ShapesUnavailable(Exception):
    """The package is missing or its file is not what this reader expects; the message is in French."""


def package_dir() -> Path:
    return Path(settings.NODE_MODULES_DIR) / "@gouvfr" / "dsfr-chart"


@lru_cache(maxsize=1)
def shapes() -> dict[str, Any]:
    """``{"package", "version", "licence", "departements", "regions", "outremer"}``; paths are SVG ``d``."""
    directory = package_dir()
    try:
        meta = json.loads((directory / "package.json").read_text(encoding="utf-8"))
        text = (directory / BUILT_FILE).read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise ShapesUnavailable(
            f"Formes des départements indisponibles : paquet npm {PACKAGE} absent ou illisible "
            f"({exc}). Lancez « npm ci »."
        ) from exc
    departements: dict[str, str] = {}
    regions: dict[str, str] = {}
    outremer: list[dict[str, str]] = []
    for match in _PATH.finditer(text):
        code, path = match.group(1), match.group(2)
        if code in REGION_CODES:
            regions.setdefault(REGION_CODES[code], path)
        elif code in OVERSEAS_REGIONS:
            boxes = _VIEWBOX.findall(text, 0, match.start())
            outremer.append(
                {
                    "code": code,
                    "region": OVERSEAS_REGIONS[code],
                    "viewBox": boxes[-1] if boxes else "",
                    "d": path,
                }
            )
        elif re.fullmatch(r"\d{2}|2A|2B", code):
            departements.setdefault(code, path)
    if len(departements) < 96 or len(regions) < 13 or len(outremer) < 5:
        raise ShapesUnavailable(
            f"Formes des départements illisibles dans {PACKAGE} {meta.get('version', '?')} : "
            f"{len(departements)} départements, {len(regions)} régions, {len(outremer)} outre-mer trouvés."
        )
    return {
        "package": PACKAGE,
        "version": str(meta.get("version", "")),
        "licence": str(meta.get("license", "")),
        "departements": departements,
        "regions": regions,
        "outremer": outremer,
    }
