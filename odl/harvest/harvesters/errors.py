"""The errors a harvest raises; their messages are French and shown to users as they are."""


class HarvestError(Exception):
    """A source failed as a whole; the message is French and shown to users as is."""


class SourceUrlError(HarvestError):
    """The declared URL cannot be a source of this kind."""


class BudgetExceeded(HarvestError):
    """The source used up its wall-clock budget (``ODL_HARVEST_SOURCE_BUDGET``): this run fails alone."""
