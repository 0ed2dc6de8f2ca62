"""What the harvest tells the rest of the platform.

The harvest only stores what the sources say; what follows (deduplication across sources, SCDL
resource checks, the day's snapshot) belongs to whoever measures, which listens here. So the harvest
never imports the observatory.
"""

from django.dispatch import Signal

# Sent once after one or several sources were harvested and stored (in-process or on Celery workers).
harvest_finished = Signal()
