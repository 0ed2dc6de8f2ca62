"""AtdMember gives way to the ATDs of their own app (atds.0002 copied every membership first)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('atds', '0002_from_atd_members'),
        ('territories', '0002_atdmember'),
    ]

    operations = [
        migrations.DeleteModel(
            name='AtdMember',
        ),
    ]
