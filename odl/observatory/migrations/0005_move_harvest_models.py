"""The harvest models leave for the harvest app and AtdMember for territories: state only, the tables stay.

Their content types follow them, so permissions given in the admin survive the move."""

from django.db import migrations

MOVED = {
    "harvestsource": "harvest",
    "harvestrun": "harvest",
    "publisher": "harvest",
    "harvesteddataset": "harvest",
    "atdmember": "territories",
}


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        old = ContentType.objects.filter(app_label="observatory", model=model).first()
        if old is None:
            continue
        # A new, empty one may exist already (created by a post_migrate run): the old one carries the
        # permissions people were given, so it wins.
        ContentType.objects.filter(app_label=app_label, model=model).delete()
        old.app_label = app_label
        old.save(update_fields=["app_label"])


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('territories', '0002_atdmember'),
        ('harvest', '0001_initial'),
        ('observatory', '0004_scdl_validation'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='harvesteddataset',
                    name='duplicate_of',
                ),
                migrations.RemoveField(
                    model_name='harvesteddataset',
                    name='publisher',
                ),
                migrations.RemoveField(
                    model_name='harvesteddataset',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='harvestrun',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='harvestsource',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='harvestsource',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='publisher',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='publisher',
                    name='candidate',
                ),
                migrations.RemoveField(
                    model_name='publisher',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='publisher',
                    name='on_behalf_of',
                ),
                migrations.RemoveField(
                    model_name='publisher',
                    name='territory',
                ),
                migrations.DeleteModel(
                    name='AtdMember',
                ),
                migrations.DeleteModel(
                    name='HarvestedDataset',
                ),
                migrations.DeleteModel(
                    name='HarvestRun',
                ),
                migrations.DeleteModel(
                    name='HarvestSource',
                ),
                migrations.DeleteModel(
                    name='Publisher',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
