"""The default fiches of the kit's formats (odl/animations/fiches.py), created once by slug."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from odl.animations.fiches import load_defaults

    load_defaults(apps.get_model("animations", "Format"))


class Migration(migrations.Migration):
    dependencies = [("animations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
