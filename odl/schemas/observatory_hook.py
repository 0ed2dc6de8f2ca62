"""The schemas app's answer to the observatory's SCDL validity hook.

The observatory downloads and validates SCDL resources after each harvest (``scdl_checks``) and stores
the outcome on the dataset; this only reads it, so a snapshot never touches the network.
"""

from __future__ import annotations

from typing import Any


def stored_verdict(dataset: dict[str, Any], schema_id: str) -> bool | None:
    """True/False for the resource asked about when the validator checked it, None otherwise."""
    resource = dataset.get("resource")
    if not isinstance(resource, dict) or not resource.get("url"):
        return None
    for entry in dataset.get("scdl_validation") or []:
        if (
            isinstance(entry, dict)
            and entry.get("schema") == schema_id
            and entry.get("url") == resource["url"]
            and isinstance(entry.get("valid"), bool)
        ):
            return bool(entry["valid"])
    return None
