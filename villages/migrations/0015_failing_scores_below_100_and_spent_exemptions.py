"""Repair two rows the old rules wrote: failing villages stored at 100.0, and spent reopening exemptions."""

from decimal import Decimal

from django.db import migrations


def repair(apps, schema_editor):
    Assessment = apps.get_model("villages", "Assessment")
    AnnualReport = apps.get_model("villages", "AnnualReport")
    Assessment.objects.filter(qualified=False, score__gte=Decimal("100")).update(score=Decimal("99.9"))
    # A reopened report that was submitted since has used its exemption (the reopening's resubmission).
    AnnualReport.objects.filter(reopened=True, status__in=["submitted", "approved"]).update(reopened=False)
    ReviewEvent = apps.get_model("villages", "ReviewEvent")
    returned_since = ReviewEvent.objects.filter(from_status="submitted", to_status="returned")
    for report in AnnualReport.objects.filter(reopened=True, status="returned").only("pk"):
        last_reopening = (
            ReviewEvent.objects.filter(report_id=report.pk, from_status="approved", to_status="returned")
            .order_by("-at", "-id")
            .first()
        )
        spent = returned_since.filter(report_id=report.pk)
        if last_reopening is not None:
            spent = spent.filter(id__gt=last_reopening.id)
        if spent.exists():
            AnnualReport.objects.filter(pk=report.pk).update(reopened=False)


class Migration(migrations.Migration):

    dependencies = [
        ("villages", "0014_import_messages_as_codes"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop),
    ]
