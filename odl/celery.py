"""The Celery application: harvests in parallel, and large validations, on Redis workers when CELERY_BROKER_URL is set.

Without a broker (the embedded default) nothing here runs a worker: ``odl.harvest.tasks`` calls the
same code in-process. Start workers with ``celery -A odl.celery worker --concurrency 4``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "odl.settings")

app = Celery("odl")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live in each app's tasks.py.
app.autodiscover_tasks(["odl.harvest", "odl.schemas"])
