"""Each ATD member of the first platform becomes an ATD admin of an ATD with the same perimeter.

Before ATDs had a model of their own, a user was bound to one territory (``territories.AtdMember``).
Every such binding becomes an ATD (named after ``atd_name`` or the territory, its structure and single
area that territory) and an admin membership, so accounts, harvest sources and review rights carry on.
Members named the same ATD share it.
"""

from django.db import migrations
from django.utils.text import slugify

KINDS = {"departement": "departement", "region": "region", "epci": "epci"}


def forwards(apps, schema_editor):
    AtdMember = apps.get_model("territories", "AtdMember")
    Atd = apps.get_model("atds", "Atd")
    AtdMembership = apps.get_model("atds", "AtdMembership")
    by_key = {}
    for member in AtdMember.objects.select_related("territory").order_by("pk"):
        territory = member.territory
        name = member.atd_name or territory.nom
        key = (name, territory.pk)
        atd = by_key.get(key)
        if atd is None:
            base = slugify(name)[:200] or "atd"
            slug, n = base, 1
            while Atd.objects.filter(slug=slug).exists():
                n += 1
                slug = f"{base}-{n}"
            atd = Atd.objects.create(
                name=name, slug=slug, kind=KINDS.get(territory.kind, "autre"), structure=territory
            )
            atd.areas.add(territory)
            by_key[key] = atd
        AtdMembership.objects.get_or_create(user_id=member.user_id, atd=atd, defaults={"role": "admin"})


class Migration(migrations.Migration):
    dependencies = [
        ("atds", "0001_initial"),
        ("territories", "0002_atdmember"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
