"""Start-up of the read-only commands: Django's app registry is filled when a model is first needed.

``odl validate`` and ``odl schemas`` (odl/cli.py) run without ``django.setup()``: reading a file and a
schema needs settings, never a model. The référentiel check is the one place of the engine that queries
the database; it calls ``models_ready()`` first, so that only a file whose schema names a collectivité
pays for importing the models, and only once. Under the web server, the tests and ``manage.py``, the
registry is already full and this costs nothing.
"""

from __future__ import annotations


def models_ready() -> None:
    """Imports the installed apps and their models if nobody did (as ``django.setup()`` would)."""
    from django.apps import apps

    if not apps.ready:
        from django.conf import settings

        apps.populate(settings.INSTALLED_APPS)
