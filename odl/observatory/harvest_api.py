"""API of harvest sources and harvested datasets."""

from ninja import Router

router = Router(tags=["Observatoire : moissonnage"])
