"""Existing databases get the SIREN of départements and régions without reloading the référentiel."""

from django.db import migrations


def fill(apps, schema_editor):
    from odl.territories.sirens import facts

    Territory = apps.get_model("territories", "Territory")
    for fact in facts():
        Territory.objects.filter(kind=fact.kind, code=fact.code, siren="").update(siren=fact.siren)


class Migration(migrations.Migration):
    dependencies = [("territories", "0004_sirene_bands")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
