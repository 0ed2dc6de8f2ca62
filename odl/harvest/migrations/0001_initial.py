"""The harvest models move here from the observatory app: only Django's state changes, the tables and
their rows stay (each model keeps its ``observatory_`` table name)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('observatory', '0004_scdl_validation'),
        ('territories', '0002_atdmember'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HarvestSource',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='nom')),
                        ('kind', models.CharField(choices=[('datagouv', 'data.gouv.fr'), ('ckan', 'CKAN'), ('opendatasoft', 'Opendatasoft'), ('dcat', 'Catalogue DCAT')], max_length=20)),
                        ('url', models.URLField(max_length=500)),
                        ('filters', models.JSONField(blank=True, default=dict, help_text='organisation, éditeur, mots-clés…')),
                        ('technology', models.CharField(blank=True, max_length=60, verbose_name='technologie')),
                        ('schedule', models.CharField(default='weekly', max_length=20)),
                        ('active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('owner', models.ForeignKey(blank=True, help_text='ATD propriétaire ; vide pour une source nationale', null=True, on_delete=django.db.models.deletion.SET_NULL, to='territories.territory')),
                    ],
                    options={
                        'verbose_name': 'source de moissonnage',
                        'db_table': 'observatory_harvestsource',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='HarvestRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('started_at', models.DateTimeField(auto_now_add=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('status', models.CharField(default='running', max_length=20)),
                        ('items_seen', models.PositiveIntegerField(default=0)),
                        ('items_new', models.PositiveIntegerField(default=0)),
                        ('items_updated', models.PositiveIntegerField(default=0)),
                        ('items_archived', models.PositiveIntegerField(default=0)),
                        ('items_failed', models.PositiveIntegerField(default=0)),
                        ('errors', models.JSONField(blank=True, default=list)),
                        ('message', models.TextField(blank=True)),
                        ('trigger', models.CharField(default='cli', help_text='cli, web, celery, schedule', max_length=20)),
                        ('pages', models.PositiveIntegerField(default=0)),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='runs', to='harvest.harvestsource')),
                    ],
                    options={
                        'db_table': 'observatory_harvestrun',
                        'ordering': ['-started_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Publisher',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('remote_id', models.CharField(max_length=300)),
                        ('name', models.CharField(max_length=500)),
                        ('business_number', models.CharField(blank=True, help_text='SIRET ou SIREN déclaré', max_length=20)),
                        ('extras', models.JSONField(blank=True, default=dict)),
                        ('match_method', models.CharField(blank=True, max_length=20)),
                        ('match_status', models.CharField(default='unmatched', max_length=20)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('match_note', models.CharField(blank=True, help_text='pourquoi ce rapprochement', max_length=300)),
                        ('first_seen', models.DateTimeField(blank=True, null=True)),
                        ('last_seen', models.DateTimeField(blank=True, null=True)),
                        ('candidate', models.ForeignKey(blank=True, help_text='collectivité proposée quand le rapprochement est à vérifier', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='candidate_publishers', to='territories.territory')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                        ('on_behalf_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='published_for', to='territories.territory')),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='publishers', to='harvest.harvestsource')),
                        ('territory', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='publishers', to='territories.territory')),
                    ],
                    options={
                        'db_table': 'observatory_publisher',
                    },
                ),
                migrations.CreateModel(
                    name='HarvestedDataset',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('remote_id', models.CharField(max_length=300)),
                        ('url', models.URLField(blank=True, max_length=1000)),
                        ('title', models.CharField(max_length=500)),
                        ('description', models.TextField(blank=True)),
                        ('license', models.CharField(blank=True, max_length=200)),
                        ('remote_created', models.DateTimeField(blank=True, null=True)),
                        ('remote_modified', models.DateTimeField(blank=True, null=True)),
                        ('tags', models.JSONField(blank=True, default=list)),
                        ('resources', models.JSONField(blank=True, default=list)),
                        ('schemas', models.JSONField(blank=True, default=list, help_text='schémas SCDL détectés')),
                        ('dedup_key', models.CharField(blank=True, db_index=True, max_length=300)),
                        ('first_seen', models.DateTimeField(auto_now_add=True)),
                        ('last_seen', models.DateTimeField(auto_now_add=True)),
                        ('archived_at', models.DateTimeField(blank=True, null=True)),
                        ('title_key', models.CharField(blank=True, db_index=True, help_text='titre et éditeur normalisés (dédoublonnage)', max_length=300)),
                        ('content_hash', models.CharField(blank=True, editable=False, max_length=32)),
                        ('scdl_validation', models.JSONField(blank=True, default=list, help_text='contrôle des ressources SCDL par le validateur de la plateforme, une entrée par ressource')),
                        ('scdl_checked_hash', models.CharField(blank=True, editable=False, help_text='empreinte du jeu quand ses ressources ont été contrôlées', max_length=32)),
                        ('duplicate_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='harvest.harvesteddataset')),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='datasets', to='harvest.harvestsource')),
                        ('publisher', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='datasets', to='harvest.publisher')),
                    ],
                    options={
                        'db_table': 'observatory_harvesteddataset',
                    },
                ),
                migrations.AddConstraint(
                    model_name='publisher',
                    constraint=models.UniqueConstraint(fields=('source', 'remote_id'), name='publisher_source_remote_unique'),
                ),
                migrations.AddConstraint(
                    model_name='harvesteddataset',
                    constraint=models.UniqueConstraint(fields=('source', 'remote_id'), name='dataset_source_remote_unique'),
                ),
            ],
            database_operations=[],
        ),
    ]
