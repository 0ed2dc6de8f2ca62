"""What the observatory tells the layers above it.

The programme (ETD commitments met when a dataset shows up) sits above the observatory and listens
here, so the observatory never imports it.
"""

from django.dispatch import Signal

# Sent after a snapshot is stored (by the after-harvest pipeline or ``odl snapshot``), with ``snapshot``.
snapshot_taken = Signal()
