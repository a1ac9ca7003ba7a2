"""Let administrators see login attempts and lockouts (django-axes) and unlock them by deleting the attempt."""

from django.db import migrations

LOCKOUT_PERMISSIONS = [
    "view_accessattempt",
    "delete_accessattempt",
    "view_accesslog",
    "view_accessfailurelog",
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    axes = apps.get_app_config("axes")
    axes.models_module = True
    create_permissions(axes, apps=apps, verbosity=0)
    axes.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    administrators, _created = Group.objects.get_or_create(name="administrator")
    administrators.permissions.add(
        *Permission.objects.filter(content_type__app_label="axes", codename__in=LOCKOUT_PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for administrators in Group.objects.filter(name="administrator"):
        administrators.permissions.remove(
            *Permission.objects.filter(content_type__app_label="axes", codename__in=LOCKOUT_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("villages", "0006_history_of_assignments_and_windows"),
        ("axes", "0010_accessattemptexpiration"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
