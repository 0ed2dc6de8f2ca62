"""French public identifiers: SIREN, SIRET, code INSEE (COG)."""

import re

_COMMUNE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def clean_number(value: str) -> str:
    """Drop the spaces, dots and no-break spaces people type inside SIREN/SIRET."""
    return re.sub(r"[\s.\u00a0\u202f-]", "", value or "")


def siren_problem(value: str) -> str | None:
    """Return a French explanation of what is wrong with a SIREN, or None when it is valid."""
    raw = clean_number(value)
    if not raw:
        return "SIREN vide"
    if not raw.isdigit():
        return f"le SIREN « {value} » ne doit contenir que des chiffres"
    if len(raw) != 9:
        return f"le SIREN « {value} » doit compter 9 chiffres (il en a {len(raw)})"
    if not luhn_ok(raw):
        return f"le SIREN « {value} » a une clé de contrôle invalide (algorithme de Luhn)"
    return None


def is_valid_siren(value: str) -> bool:
    return siren_problem(value) is None


def siret_problem(value: str) -> str | None:
    raw = clean_number(value)
    if not raw.isdigit() or len(raw) != 14:
        return f"le SIRET « {value} » doit compter 14 chiffres"
    if raw.startswith(LA_POSTE_SIREN):
        # La Poste's establishments follow their own rule: the digits sum to a multiple of 5.
        if sum(int(c) for c in raw) % 5 == 0 or luhn_ok(raw):
            return None
        return f"le SIRET « {value} » de La Poste a une clé de contrôle invalide"
    if not luhn_ok(raw):
        return f"le SIRET « {value} » a une clé de contrôle invalide (algorithme de Luhn)"
    return None


def is_valid_siret(value: str) -> bool:
    return siret_problem(value) is None


def is_commune_code(value: str) -> bool:
    return bool(_COMMUNE_CODE.match(value or ""))
