"""AtdMember moves here from the observatory app: only Django's state changes, the table and its rows stay."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('observatory', '0004_scdl_validation'),
        ('territories', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AtdMember',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('atd_name', models.CharField(blank=True, max_length=200, verbose_name="nom de l'ATD")),
                        ('territory', models.ForeignKey(help_text="périmètre de l'ATD", on_delete=django.db.models.deletion.CASCADE, related_name='atd_members', to='territories.territory')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='atd_member', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': "membre d'un ATD",
                        'db_table': 'observatory_atdmember',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
