"""Observatory models: harvesting (sources, runs, publishers, datasets) and history (snapshots)."""

from odl.observatory.models.harvest import HarvestedDataset, HarvestRun, HarvestSource, Publisher, SourceKind
from odl.observatory.models.history import Snapshot, SnapshotEntry

__all__ = [
    "HarvestRun",
    "HarvestSource",
    "HarvestedDataset",
    "Publisher",
    "Snapshot",
    "SnapshotEntry",
    "SourceKind",
]
