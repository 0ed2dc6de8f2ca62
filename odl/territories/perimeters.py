"""Perimeters in memory: the twin of ``Territory.objects.inside`` over rows of values.

The rule itself is written once, in :class:`odl.territories.models.Area`; this module answers the same
question without a query, for the loops that see every collectivité once (name matching, the
indicators of every perimeter of France). ``tests/territories/test_perimeters.py`` checks that both agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from odl.territories.models import Area, Kind, Located


class PlacedRow(Located, Protocol):
    """A territory as plain values (a ``values_list`` row, a NamedTuple, a dataclass)."""

    @property
    def region_code(self) -> str: ...
    @property
    def departement_code(self) -> str: ...
    @property
    def epci_id(self) -> int | None: ...


class Places:
    """Where each territory lies: keys ``R:<code>``, ``D:<code>``, ``E:<siren>`` (the rule of ``Area``).

    Built from the *active* territories, as ``Area.q`` looks at active communes only to place an EPCI.
    """

    def __init__(self, rows: Iterable[PlacedRow] = ()) -> None:
        self.epci_codes: dict[int, str] = {}
        # Ordered and without repeats: the indicators create one accumulator per key, in this order.
        self.epci_places: dict[int, dict[str, None]] = {}
        for row in rows:
            self.add(row)

    def add(self, row: PlacedRow) -> None:
        if row.kind == Kind.EPCI:
            self.epci_codes[row.id] = row.code
        elif row.kind == Kind.COMMUNE and row.epci_id is not None:
            places = self.epci_places.setdefault(row.epci_id, {})
            places["R:" + row.region_code] = None
            places["D:" + row.departement_code] = None

    def of(self, row: PlacedRow) -> list[str]:
        """Every région, département and EPCI this territory lies in."""
        kind = row.kind
        if kind == Kind.REGION:
            return ["R:" + row.code]
        if kind == Kind.DEPARTEMENT:
            return ["D:" + row.code, "R:" + row.region_code]
        if kind == Kind.EPCI:
            return ["E:" + row.code, *self.epci_places.get(row.id, ())]
        keys = ["R:" + row.region_code, "D:" + row.departement_code]
        if row.epci_id is not None and row.epci_id in self.epci_codes:
            keys.append("E:" + self.epci_codes[row.epci_id])
        return keys

    def inside(self, row: PlacedRow, area: Area) -> bool:
        if area.everywhere or row.id in area.territories:
            return True
        keys = area.keys
        return any(key in keys for key in self.of(row))
