"""The kit's two national observatories: telecom coverage and the health crisis (the coordinator edits them)."""

from typing import Any

from django.db import migrations

DEFAULTS = [
    {
        "name": "Mon réseau mobile (Arcep)",
        "theme": "couverture et qualité des réseaux mobiles",
        "url": "https://monreseaumobile.arcep.fr/",
        "description": "Cartes de couverture et mesures de qualité des opérateurs mobiles, commune par commune.",
        "position": 10,
    },
    {
        "name": "Géodes (Santé publique France)",
        "theme": "crise sanitaire et indicateurs de santé",
        "url": "https://geodes.santepubliquefrance.fr/",
        "description": "Indicateurs épidémiologiques par territoire, dont ceux suivis pendant la crise sanitaire.",
        "position": 20,
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("reuses", "NationalObservatory")
    for values in DEFAULTS:
        model.objects.get_or_create(url=values["url"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("reuses", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
