"""Geography of the map: the tile grids the project ships, and the official contours synced on demand.

Offline (embedded default) the map draws départements and régions as a tile grid: one square per
collectivité, placed by hand below to keep France's shape recognisable (a cartogram: every
département weighs the same, which suits a count of collectivités better than areas would).

``odl geo sync`` downloads the official open contours of communes and EPCI (Etalab's "contours
administratifs", Licence Ouverte, derived from IGN's Admin Express), caches them on disk under
``DATA_DIR/geo`` split per département, and the map then shows communes and EPCI too.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings

from odl.territories.models import Kind, Territory

# Row by row, north to south; each string lists the département codes of the row at the given columns.
_DEPARTEMENT_ROWS: list[list[tuple[int, str]]] = [
    [(6, "62"), (7, "59")],
    [(5, "76"), (6, "80"), (7, "02"), (8, "08")],
    [(3, "50"), (4, "14"), (5, "27"), (6, "60"), (7, "95"), (8, "51"), (9, "55"), (10, "57"), (11, "67")],
    [
        (0, "29"),
        (1, "22"),
        (2, "35"),
        (3, "61"),
        (4, "28"),
        (5, "78"),
        (6, "92"),
        (7, "75"),
        (8, "93"),
        (9, "54"),
        (10, "88"),
        (11, "68"),
    ],
    [
        (1, "56"),
        (2, "53"),
        (3, "72"),
        (4, "41"),
        (5, "91"),
        (6, "94"),
        (7, "77"),
        (8, "10"),
        (9, "52"),
        (10, "70"),
        (11, "90"),
    ],
    [(1, "44"), (2, "49"), (3, "37"), (4, "45"), (5, "89"), (6, "58"), (7, "21"), (8, "39"), (9, "25")],
    [(1, "85"), (2, "79"), (3, "86"), (4, "36"), (5, "18"), (6, "03"), (7, "71"), (8, "01"), (9, "74")],
    [(1, "17"), (2, "16"), (3, "87"), (4, "23"), (5, "63"), (6, "42"), (7, "69"), (8, "38"), (9, "73")],
    [(1, "33"), (2, "24"), (3, "19"), (4, "46"), (5, "15"), (6, "43"), (7, "07"), (8, "26"), (9, "05")],
    [(1, "40"), (2, "47"), (3, "82"), (4, "12"), (5, "48"), (6, "30"), (7, "84"), (8, "04"), (9, "06")],
    [(1, "64"), (2, "32"), (3, "31"), (4, "81"), (5, "34"), (6, "13"), (7, "83"), (10, "2B")],
    [(2, "65"), (3, "09"), (4, "11"), (5, "66"), (10, "2A")],
    [],
    [(0, "971"), (1, "972"), (2, "973"), (3, "974"), (4, "976")],
]
_REGION_ROWS: list[list[tuple[int, str]]] = [
    [(3, "32")],
    [(2, "28"), (3, "11"), (4, "44")],
    [(0, "53"), (1, "52"), (2, "24"), (3, "27")],
    [(2, "75"), (3, "84")],
    [(2, "76"), (3, "93"), (4, "94")],
    [],
    [(0, "01"), (1, "02"), (2, "03"), (3, "04"), (4, "06")],
]


def _positions(rows: list[list[tuple[int, str]]]) -> dict[str, tuple[int, int]]:
    return {code: (col, row) for row, cells in enumerate(rows) for col, code in cells}


DEPARTEMENT_GRID = _positions(_DEPARTEMENT_ROWS)
REGION_GRID = _positions(_REGION_ROWS)
LEVELS = {"departement": DEPARTEMENT_GRID, "region": REGION_GRID}


def grid_cells(level: str) -> list[dict[str, Any]]:
    """Every département (or région) of the référentiel with its tile; the unplaced ones (COM) go last."""
    grid = LEVELS[level]
    rows = list(
        Territory.objects.filter(kind=level, active=True).order_by("code").values("id", "code", "nom", "zone")
    )
    bottom = max(y for _, y in grid.values()) + 2
    extra = 0
    cells = []
    for row in rows:
        position = grid.get(row["code"])
        if position is None:
            position = (extra, bottom)
            extra += 1
        cells.append({**row, "x": position[0], "y": position[1]})
    return cells


# --- Contours synced from the official source -------------------------------------------------

DEFAULT_CONTOURS_BASE = "https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/latest/geojson/"
CONTOUR_FILES = {"communes": "communes-1000m.geojson.gz", "epci": "epci-1000m.geojson.gz"}
LAYERS = tuple(CONTOUR_FILES)
MAX_DOWNLOAD_BYTES = 400 * 1024 * 1024


class GeoSyncError(RuntimeError):
    """The contours could not be fetched or read; the message is in French."""


def geo_dir() -> Path:
    return Path(settings.DATA_DIR) / "geo"


def manifest() -> dict[str, Any] | None:
    path = geo_dir() / "manifest.json"
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def contours_path(layer: str, departement: str) -> Path | None:
    if layer not in LAYERS or not departement.isalnum() or len(departement) > 3:
        return None
    path = geo_dir() / layer / f"{departement.upper()}.geojson"
    return path if path.is_file() else None


@dataclass
class SyncReport:
    layer: str
    url: str
    features: int
    matched: int
    unmatched: list[str]
    departements: int


def _download(client: httpx.Client, url: str) -> bytes:
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise GeoSyncError(f"{url} a répondu {response.status_code} : contours non téléchargés.")
            chunks = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise GeoSyncError(f"{url} dépasse {MAX_DOWNLOAD_BYTES // 1024 // 1024} Mo : abandon.")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise GeoSyncError(f"Téléchargement impossible de {url} : {exc}.") from exc
    data = b"".join(chunks)
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise GeoSyncError(f"{url} : archive gzip endommagée.") from exc
    return data


def _features(data: bytes, url: str) -> list[dict[str, Any]]:
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise GeoSyncError(f"{url} n'est pas un GeoJSON lisible : {exc}.") from exc
    if not isinstance(payload, dict) or payload.get("type") != "FeatureCollection":
        raise GeoSyncError(f"{url} n'est pas une FeatureCollection GeoJSON.")
    features = payload.get("features")
    if not isinstance(features, list):
        raise GeoSyncError(f"{url} : la FeatureCollection n'a pas de liste « features ».")
    return features


def _round(coords: Any, digits: int = 4) -> Any:
    # 4 decimals ≈ 10 m: plenty for a 1000 m simplification, and it halves the file size.
    if isinstance(coords, float):
        return round(coords, digits)
    if isinstance(coords, list):
        return [_round(c, digits) for c in coords]
    return coords


def sync(base_url: str = DEFAULT_CONTOURS_BASE, timeout: float = 120.0) -> list[SyncReport]:
    """Download the contours, split them per département, and write the manifest last (atomic enough:
    a failed sync leaves the previous cache in place)."""
    target = geo_dir()
    reports: list[SyncReport] = []
    staged: dict[str, dict[str, list[dict[str, Any]]]] = {}
    communes = {
        code: dep
        for code, dep in Territory.objects.filter(kind=Kind.COMMUNE, active=True).values_list(
            "code", "departement_code"
        )
    }
    epcis = {
        code: dep
        for code, dep in Territory.objects.filter(kind=Kind.EPCI, active=True).values_list(
            "code", "departement_code"
        )
    }
    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        for layer, filename in CONTOUR_FILES.items():
            url = base_url.rstrip("/") + "/" + filename
            features = _features(_download(client, url), url)
            index = communes if layer == "communes" else epcis
            by_dep: dict[str, list[dict[str, Any]]] = defaultdict(list)
            unmatched = []
            for feature in features:
                props = feature.get("properties") or {}
                code = str(props.get("code", ""))
                dep = index.get(code)
                if dep is None or not isinstance(feature.get("geometry"), dict):
                    unmatched.append(code)
                    continue
                geometry = feature["geometry"]
                by_dep[dep].append(
                    {
                        "type": "Feature",
                        "properties": {"code": code, "nom": str(props.get("nom", ""))},
                        "geometry": {
                            "type": geometry.get("type"),
                            "coordinates": _round(geometry.get("coordinates")),
                        },
                    }
                )
            staged[layer] = by_dep
            reports.append(
                SyncReport(
                    layer, url, len(features), len(features) - len(unmatched), unmatched[:50], len(by_dep)
                )
            )
    for layer, by_dep in staged.items():
        folder = target / layer
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.geojson"):
            old.unlink()
        for dep, features in by_dep.items():
            (folder / f"{dep}.geojson").write_text(
                json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")),
                encoding="utf-8",
            )
    (target / "manifest.json").write_text(
        json.dumps(
            {
                "synced_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "source": base_url,
                "licence": "Licence Ouverte 2.0 (Etalab, d'après IGN Admin Express)",
                "layers": {
                    r.layer: {"url": r.url, "features": r.features, "matched": r.matched} for r in reports
                },
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return reports
