"""The parity corpus: official examples plus broken variants generated from them, written to a folder.

Nothing from ../shared is copied into the repository: the files are built at test time from the shared
reference data. Each case names the embedded schema and the official schema file Validata reads.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from odl.core import exports

SCHEMA_FILES = {
    "subventions": "scdl/subventions/schema.json",
    "deliberations": "scdl/deliberations/schema.json",
    "prenoms": "scdl/prenoms/schema.json",
    "stationnement": "scdl/stationnement/schema.json",
    "irve-statique": "scdl/irve/statique/schema-statique.json",
    "decp-dpa": "scdl/decp-dpa/schema.json",
    "budget": "scdl/budget/schema.json",
    "equipements": "scdl/equipements/schema.json",
    "catalogue": "scdl/catalogue/schema.json",
    "menus-collectifs": "scdl/menus-collectifs/schema.json",
    "plats-menus-collectifs": "scdl/plats-menus-collectifs/schema.json",
}

DELIB_HEADER = [
    "COLL_NOM",
    "COLL_SIRET",
    "DELIB_ID",
    "DELIB_DATE",
    "DELIB_MATIERE_CODE",
    "DELIB_MATIERE_NOM",
    "DELIB_OBJET",
    "BUDGET_ANNEE",
    "BUDGET_NOM",
    "PREF_ID",
    "PREF_DATE",
    "VOTE_EFFECTIF",
    "VOTE_REEL",
    "VOTE_POUR",
    "VOTE_CONTRE",
    "VOTE_ABSTENTION",
    "DELIB_URL",
]
DELIB_GOOD = [
    "Ville de Rennes",
    "21350238800019",
    "DEL-2024-001",
    "2024-03-12",
    "7.1",
    "Finances locales/Décisions budgétaires",
    "Vote du budget primitif",
    "2024",
    "Budget principal",
    "035-213502388-20240312-DEL1-DE",
    "2024-03-15",
    "61",
    "55",
    "40",
    "10",
    "5",
    "https://metropole.rennes.fr/deliberations/2024-001.pdf",
]


@dataclass
class Case:
    name: str
    schema: str
    path: Path

    def official_schema(self, shared: Path) -> Path:
        return shared / SCHEMA_FILES[self.schema]


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], [r for r in rows[1:]]


def _write(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    sep: str = ",",
    encoding: str = "utf-8",
    eol: str = "\n",
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator=eol)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _set(rows: list[list[str]], header: list[str], row: int, column: str, value: str) -> None:
    rows[row][header.index(column)] = value


def build(shared: Path, out: Path) -> list[Case]:
    out.mkdir(parents=True, exist_ok=True)
    scdl = shared / "scdl"
    cases: list[Case] = []

    def add(name: str, schema: str, path: Path) -> None:
        cases.append(Case(name, schema, path))

    # Official examples as they are.
    for name, schema, rel in [
        ("subventions-valide", "subventions", "subventions/exemple_valide.csv"),
        ("subventions-erreurs-cellules", "subventions", "subventions/exemple_invalide_erreurs_cellules.csv"),
        ("subventions-erreurs-colonnes", "subventions", "subventions/exemple_invalide_erreurs_colonnes.csv"),
        ("subventions-colonne-double", "subventions", "subventions/exemple-duplicate-column.csv"),
        ("prenoms-valide", "prenoms", "prenoms/prenoms-nouveaux-nes_exemple-valide.csv"),
        ("prenoms-invalide", "prenoms", "prenoms/prenoms-nouveaux-nes_exemple-invalide.csv"),
        ("stationnement-valide", "stationnement", "stationnement/exemple-valide.csv"),
        ("stationnement-invalide", "stationnement", "stationnement/exemple-invalide.csv"),
        ("irve-statique-exemple", "irve-statique", "irve/statique/exemple-valide-statique.csv"),
        ("decp-dpa-valide", "decp-dpa", "decp-dpa/exemple-valide.csv"),
    ]:
        target = out / f"{name}.csv"
        target.write_bytes((scdl / rel).read_bytes())
        add(name, schema, target)

    header, rows = _read(scdl / "subventions/exemple_valide.csv")
    # Encodings and separators.
    add("subventions-point-virgule", "subventions", _write(out / "sub-pv.csv", header, rows, sep=";"))
    add("subventions-tabulation", "subventions", _write(out / "sub-tab.csv", header, rows, sep="\t"))
    add("subventions-latin1", "subventions", _write(out / "sub-latin1.csv", header, rows, encoding="latin-1"))
    add(
        "subventions-cp1252",
        "subventions",
        _write(out / "sub-cp1252.csv", header, rows, sep=";", encoding="cp1252"),
    )
    add("subventions-bom", "subventions", _write(out / "sub-bom.csv", header, rows, encoding="utf-8-sig"))
    add("subventions-crlf", "subventions", _write(out / "sub-crlf.csv", header, rows, eol="\r\n"))
    # Workbooks.
    (out / "sub.xlsx").write_bytes(exports.render("xlsx", header, rows))
    add("subventions-xlsx", "subventions", out / "sub.xlsx")
    # Every cell error kind.
    broken = [list(r) for r in rows]
    _set(broken, header, 0, "dateConvention", "12/03/2024")  # type-error date
    _set(broken, header, 1, "montant", "1 234,50")  # type-error number
    _set(broken, header, 2, "notificationUE", "Oui")  # type-error boolean
    _set(broken, header, 3, "nature", "Aide en numéraire")  # enum
    _set(broken, header, 4, "rnaBeneficiaire", "W12")  # pattern
    _set(broken, header, 5, "objet", "x" * 300)  # maxLength
    _set(broken, header, 6, "pourcentageSubvention", "0")  # minimum
    _set(broken, header, 7, "pourcentageSubvention", "1.5")  # maximum
    _set(broken, header, 8, "nomBeneficiaire", "")  # required
    _set(broken, header, 9, "idAttribuant", "21350238800018")  # siret checksum
    _set(broken, header, 10, "idBeneficiaire", "")  # one-of-required
    _set(broken, header, 10, "rnaBeneficiaire", "")
    _set(broken, header, 11, "idRAE", "123456")  # maxLength 5
    _set(broken, header, 12, "montant", "abc")
    _set(broken, header, 13, "dateConvention", "2024-02-30")
    add("subventions-cellules", "subventions", _write(out / "sub-cells.csv", header, broken))
    # Rows: blank, ragged short and long.
    ragged = [list(r) for r in rows[:6]]
    ragged.insert(2, [""] * len(header))
    ragged[3] = ragged[3][:10]
    ragged[4] = ragged[4] + ["en trop"]
    add("subventions-lignes", "subventions", _write(out / "sub-rows.csv", header, ragged))
    # Header problems.
    missing = [h for h in header if h != "objet"]
    add(
        "subventions-colonne-manquante",
        "subventions",
        _write(
            out / "sub-missing.csv",
            missing,
            [[c for h, c in zip(header, r, strict=True) if h != "objet"] for r in rows[:5]],
        ),
    )
    add(
        "subventions-colonne-en-trop",
        "subventions",
        _write(out / "sub-extra.csv", header + ["commentaire"], [r + ["note"] for r in rows[:5]]),
    )
    misspelled = ["montnt" if h == "montant" else h for h in header]
    add(
        "subventions-colonne-mal-ecrite",
        "subventions",
        _write(out / "sub-misspelled.csv", misspelled, rows[:5]),
    )
    upper = [h.upper() for h in header]
    add("subventions-entete-majuscules", "subventions", _write(out / "sub-upper.csv", upper, rows[:5]))
    reordered = header[1:] + header[:1]
    add(
        "subventions-colonnes-desordre",
        "subventions",
        _write(out / "sub-order.csv", reordered, [r[1:] + r[:1] for r in rows[:5]]),
    )
    # Files that are not tables.
    (out / "vide.csv").write_bytes(b"")
    add("fichier-vide", "subventions", out / "vide.csv")
    add("entete-seul", "subventions", _write(out / "header-only.csv", header, []))
    (out / "document.csv").write_bytes(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    )
    add("pdf-renomme", "subventions", out / "document.csv")
    whole = (out / "sub.xlsx").read_bytes()
    (out / "tronque.xlsx").write_bytes(whole[: len(whole) // 2])
    add("xlsx-tronque", "subventions", out / "tronque.xlsx")

    # Délibérations: no official example is available, so a valid file is written here, then broken.
    good = [list(DELIB_GOOD) for _ in range(8)]
    for i, row in enumerate(good):
        row[2] = f"DEL-2024-{i + 1:03d}"
    add("deliberations-valide", "deliberations", _write(out / "delib-ok.csv", DELIB_HEADER, good))
    bad = [list(r) for r in good]
    h = DELIB_HEADER
    _set(bad, h, 0, "BUDGET_ANNEE", "2024/2023")  # year-interval
    _set(bad, h, 1, "BUDGET_NOM", "")  # cohesive BUDGET_ANNEE/BUDGET_NOM
    _set(bad, h, 2, "PREF_DATE", "2024-03-01")  # compare PREF_DATE >= DELIB_DATE
    _set(bad, h, 3, "VOTE_POUR", "30")  # sum
    _set(bad, h, 4, "DELIB_MATIERE_NOM", "Finances / Budget")  # nomenclature
    _set(bad, h, 5, "COLL_SIRET", "21350238800018")  # siret
    _set(bad, h, 6, "VOTE_EFFECTIF", "")  # cohesive votes
    _set(bad, h, 7, "VOTE_REEL", "70")  # compare effectif >= reel, sum
    add("deliberations-controles", "deliberations", _write(out / "delib-checks.csv", h, bad))
    bad2 = [list(r) for r in good]
    _set(bad2, h, 0, "DELIB_DATE", "12/03/2024")
    _set(bad2, h, 1, "VOTE_REEL", "cinquante")
    _set(bad2, h, 2, "DELIB_MATIERE_CODE", "7")
    _set(bad2, h, 3, "DELIB_URL", "pas une url")
    _set(bad2, h, 4, "BUDGET_ANNEE", "24")
    _set(bad2, h, 5, "DELIB_MATIERE_NOM", "Finances locales")
    _set(bad2, h, 6, "COLL_NOM", "")
    add(
        "deliberations-types",
        "deliberations",
        _write(out / "delib-types.csv", h, bad2, sep=";", encoding="cp1252"),
    )

    # Stationnement: primary key duplicates; decp-dpa: unique.
    sh, srows = _read(scdl / "stationnement/exemple-valide.csv")
    dup = [list(r) for r in srows] + [list(srows[0])]
    add("stationnement-cle-primaire", "stationnement", _write(out / "stat-pk.csv", sh, dup))
    dh, drows = _read_semicolon(scdl / "decp-dpa/exemple-valide.csv")
    add("decp-dpa-unique", "decp-dpa", _write(out / "dpa-unique.csv", dh, drows + [list(drows[0])], sep=";"))
    # Menus: arrays (with arrayItem), datetimes, enums, a %Y-%m-%d date format.
    mh, mgood = menus_row()
    menus = [list(mgood) for _ in range(10)]
    _set(menus, mh, 0, "menuPlatSiqo", '["bio"]')  # array item outside its enum
    _set(menus, mh, 1, "menuPlatAllergene", "lait, oeufs")  # not a JSON array
    _set(menus, mh, 2, "menuPublicationDate", "2020-05-11 14:08")  # datetime
    _set(menus, mh, 3, "menuDate", "15/10/2017")  # date with a format
    _set(menus, mh, 4, "menuPlatTexture", "[]")  # empty array, items required
    _set(menus, mh, 5, "menuRestaurantInsee", "8619")  # pattern
    _set(menus, mh, 6, "menuPlatPrix", "5,35")  # number
    _set(menus, mh, 7, "menuCollSiret", "21330063500018")  # siret
    _set(menus, mh, 8, "menuPublicationDate", "2020-05-11T14:08:32+02:00")  # valid with an offset
    _set(menus, mh, 9, "menuPlatRegime", '["végétarien", 3]')  # item of the wrong type
    add("menus-collectifs", "menus-collectifs", _write(out / "menus.csv", mh, menus))
    return cases


def menus_row() -> tuple[list[str], list[str]]:
    header = [
        "menuCollNom",
        "menuCollSiret",
        "menuEtablissementNom",
        "menuEtablissementSiret",
        "menuRestaurantNom",
        "menuRestaurantInsee",
        "menuRestaurantId",
        "menuRestaurantIdType",
        "menuRestaurantType",
        "menuRestaurantConvive",
        "menuDate",
        "menuRepasType",
        "menuPlatType",
        "menuPlatNom",
        "menuPlatCode",
        "menuPlatSiqo",
        "menuPlatLabel",
        "menuPlatPrecision",
        "menuPlatRegime",
        "menuPlatAllergene",
        "menuPlatTexture",
        "menuPlatNutriscore",
        "menuPlatPrix",
        "menuPublicationDate",
        "menuModificationDate",
        "menuModificationInfo",
    ]
    row = [
        "Grand Poitiers",
        "21330063500017",
        "SIVU de Poitiers",
        "25330618700035",
        "école Flornoy",
        "86194",
        "25330618700017",
        "SIRET",
        "élémentaire",
        "grande section",
        "2017-10-15",
        "déjeuner",
        "entrée",
        "boeuf bourguignon",
        "46657345",
        '["agriculture biologique"]',
        "ferme des Jarouilles",
        "",
        '["végétarien","sans sel"]',
        '["fruits à coques"]',
        '["sans texture modifiée","haché"]',
        "C",
        "5.35",
        "2020-05-11T14:08:32Z",
        "",
        "",
    ]
    return header, row


def _read_semicolon(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter=";"))
    return rows[0], rows[1:]


__all__ = ["Case", "build", "zipfile"]
