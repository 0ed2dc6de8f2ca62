"""Every check the validator runs, one module each, in one registry (``registry``).

Importing the package imports every module below, which registers its checks. Field rules and table
checks run in their ``order`` (the order of a row's errors in the report), whatever the import order.
Adding a Validata custom check is one new module here (a ``CustomCheck`` subclass decorated with
``@registry.register``) and its import below.
"""

from odl.schemas.checks import (  # noqa: F401 - imported for their registration
    array_items,
    bounds,
    cohesive_columns,
    compare_columns,
    enum,
    french_siret,
    labels,
    length,
    nomenclature_actes,
    one_of_required,
    pattern,
    primary_key,
    referentiel,
    required,
    rows,
    sum_columns,
    types,
    unique,
    year_interval,
)
from odl.schemas.checks.base import Explained, registry

__all__ = ["Explained", "registry"]
