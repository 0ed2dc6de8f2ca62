"""Reports stored before the bound kept every error and every correction (a 10 MB file made a 122 MB
row). They are cut to the bound the doors now keep; counts, groups and their examples stay as they were.
One row at a time, so that the migration itself never holds more than one large report; running it
on rows already within the bound changes nothing."""

from typing import Any

from django.db import migrations

MAX_ERRORS = 1000
MAX_CORRECTIONS = 1000
EXAMPLES_PER_GROUP = 5


def bound(report: Any) -> bool:
    """Cut ``report`` in place; whether anything changed."""
    if not isinstance(report, dict):
        return False
    changed = False
    errors = report.get("erreurs")
    if isinstance(errors, list) and len(errors) > MAX_ERRORS:
        report["erreurs"] = errors[:MAX_ERRORS]
        report["tronque"] = True
        changed = True
    corrections = report.get("corrections")
    if isinstance(corrections, list) and len(corrections) > MAX_CORRECTIONS:
        report.setdefault("corrections_total", len(corrections))
        report["corrections"] = corrections[:MAX_CORRECTIONS]
        changed = True
    for group in report.get("groupes") or []:
        examples = group.get("exemples") if isinstance(group, dict) else None
        if isinstance(examples, list) and len(examples) > EXAMPLES_PER_GROUP:
            group["exemples"] = examples[:EXAMPLES_PER_GROUP]
            changed = True
    return changed


def bound_reports(apps: Any, schema_editor: Any) -> None:
    ValidationRun = apps.get_model("schemas", "ValidationRun")
    for pk in list(ValidationRun.objects.values_list("pk", flat=True)):
        run = ValidationRun.objects.filter(pk=pk).only("report").first()
        if run is not None and bound(run.report):
            run.save(update_fields=["report"])


class Migration(migrations.Migration):
    dependencies = [("schemas", "0001_initial")]

    operations = [migrations.RunPython(bound_reports, migrations.RunPython.noop, elidable=True)]
