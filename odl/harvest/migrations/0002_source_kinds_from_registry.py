"""The kinds of source come from the harvester registry (a callable): adding a kind needs no migration."""

import odl.harvest.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('harvest', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='harvestsource',
            name='kind',
            field=models.CharField(choices=odl.harvest.models.source_kinds, max_length=20),
        ),
    ]
