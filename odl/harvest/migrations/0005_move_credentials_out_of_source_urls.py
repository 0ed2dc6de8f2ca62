"""Move the credentials of existing source URLs into the encrypted field, and mask them in past runs."""

from typing import Any

from django.db import migrations

from odl.harvest.secrets import join_secrets, redact, redact_errors, split_secrets


def move_out(apps: Any, schema_editor: Any) -> None:
    HarvestSource = apps.get_model("harvest", "HarvestSource")
    HarvestRun = apps.get_model("harvest", "HarvestRun")
    for source in HarvestSource.objects.all():
        public, found = split_secrets(source.url)
        if not found:
            continue
        source.url, source.secret = public, {**(source.secret or {}), **found}
        source.save(update_fields=["url", "secret"])
        for run in HarvestRun.objects.filter(source=source):
            run.message = redact(run.message, source.secret)
            run.errors = redact_errors(run.errors or [], source.secret)
            run.save(update_fields=["message", "errors"])


def put_back(apps: Any, schema_editor: Any) -> None:
    # Going back puts the credentials into the URL again; masked run messages stay masked.
    HarvestSource = apps.get_model("harvest", "HarvestSource")
    for source in HarvestSource.objects.all():
        if source.secret:
            source.url, source.secret = join_secrets(source.url, source.secret)[:500], {}
            source.save(update_fields=["url", "secret"])


class Migration(migrations.Migration):
    dependencies = [("harvest", "0004_source_secret")]

    operations = [migrations.RunPython(move_out, put_back)]
