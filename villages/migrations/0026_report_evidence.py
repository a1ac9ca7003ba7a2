"""Report evidence and discussion: attachments and comments, and every role's right to view them in the admin."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

VIEW_PERMISSIONS = [("villages", "view_reportattachment"), ("villages", "view_reportcomment")]
ROLES = ("county_official", "reviewer", "administrator")


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("villages")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in VIEW_PERMISSIONS
    ]
    for name in ROLES:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("villages", "0025_reporting_season"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportAttachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.FileField(max_length=255, upload_to="evidence/%Y/%m/", verbose_name="file")),
                ("name", models.CharField(max_length=255, verbose_name="file name")),
                (
                    "content_type",
                    models.CharField(
                        choices=[
                            ("application/pdf", "PDF"),
                            ("image/png", "PNG"),
                            ("image/jpeg", "JPEG"),
                            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
                        ],
                        max_length=100,
                        verbose_name="type",
                    ),
                ),
                ("size", models.PositiveBigIntegerField(verbose_name="size (bytes)")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded at")),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attachments",
                        to="villages.annualreport",
                        verbose_name="report",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "report attachment",
                "verbose_name_plural": "report attachments",
                "ordering": ["report", "uploaded_at", "id"],
                "indexes": [models.Index(fields=["report", "uploaded_at"], name="attachment_report_uploaded")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "content_type__in",
                                [
                                    "application/pdf",
                                    "image/png",
                                    "image/jpeg",
                                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                ],
                            )
                        ),
                        name="attachment_content_type_valid",
                    ),
                    models.CheckConstraint(condition=models.Q(("size__gt", 0)), name="attachment_size_positive"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ReportComment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.TextField(max_length=2000, verbose_name="text")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="at")),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="villages.annualreport",
                        verbose_name="report",
                    ),
                ),
            ],
            options={
                "verbose_name": "report comment",
                "verbose_name_plural": "report comments",
                "ordering": ["report", "at", "id"],
                "indexes": [models.Index(fields=["report", "at"], name="comment_report_at")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("text", ""), _negated=True), name="comment_text_not_empty"
                    )
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
