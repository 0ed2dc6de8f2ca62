"""API of indicators and history."""

from ninja import Router

router = Router(tags=["Observatoire : indicateurs"])
