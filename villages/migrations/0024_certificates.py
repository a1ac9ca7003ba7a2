"""Certificates of Taobao village status: the table, view rights for every role, and a certificate for each
qualified assessment already stored (issued on the day of the migration)."""

import django.db.models.deletion
from django.db import migrations, models

ROLES = ("county_official", "reviewer", "administrator")


def grant_and_issue(apps, schema_editor):
    from django.contrib.auth.management import create_permissions
    from django.utils import timezone

    from villages.services.certificates import certificate_serial, issuing_authority_for

    app_config = apps.get_app_config("villages")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="villages", codename="view_certificate")
    for name in ROLES:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(view)

    Assessment = apps.get_model("villages", "Assessment")
    Certificate = apps.get_model("villages", "Certificate")
    today = timezone.localdate()
    qualified = Assessment.objects.filter(qualified=True).order_by("id").values_list(
        "village_id", "village__code", "year", "criteria_set_id"
    )
    serials = set()
    batch = []
    for village_id, code, year, criteria_set_id in qualified.iterator(chunk_size=2000):
        serial = certificate_serial(year)
        while serial in serials:
            serial = certificate_serial(year)
        serials.add(serial)
        batch.append(
            Certificate(
                serial=serial,
                village_id=village_id,
                year=year,
                criteria_set_id=criteria_set_id,
                issuing_authority=issuing_authority_for(code),
                issued_on=today,
            )
        )
        if len(batch) == 2000:
            Certificate.objects.bulk_create(batch)
            batch = []
    Certificate.objects.bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ('villages', '0023_township_report_timeline_mail'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.CreateModel(
            name='Certificate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('serial', models.CharField(max_length=24, unique=True, verbose_name='serial number')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('issuing_authority', models.CharField(max_length=100, verbose_name='issuing authority')),
                ('issued_on', models.DateField(verbose_name='issued on')),
                ('revoked_on', models.DateField(blank=True, null=True, verbose_name='revoked on')),
                ('revoked_reason', models.CharField(blank=True, choices=[('report_reopened', 'the annual report it rests on was reopened for correction'), ('status_lost', 'a rescoring found that the village no longer qualifies')], max_length=20, verbose_name='reason for revocation')),
                ('criteria_set', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='villages.criteriaset', verbose_name='criteria version')),
                ('village', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='villages.village', verbose_name='village')),
            ],
            options={
                'verbose_name': 'certificate',
                'verbose_name_plural': 'certificates',
                'ordering': ['-year', 'village', '-issued_on', '-id'],
                'indexes': [models.Index(fields=['village', 'year'], name='certificate_village_year')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('revoked_on__isnull', True)), fields=('village', 'year'), name='certificate_one_valid_a_year'), models.CheckConstraint(condition=models.Q(models.Q(('revoked_on__isnull', True), ('revoked_reason', '')), models.Q(('revoked_on__isnull', False), models.Q(('revoked_reason', ''), _negated=True)), _connector='OR'), name='certificate_revoked_with_reason'), models.CheckConstraint(condition=models.Q(('revoked_reason', ''), ('revoked_reason__in', ['report_reopened', 'status_lost']), _connector='OR'), name='certificate_revoked_reason_valid')],
            },
        ),
        migrations.RunPython(grant_and_issue, migrations.RunPython.noop),
    ]
