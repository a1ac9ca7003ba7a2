"""Give the roles their permissions on the models added since: township reports and points, conversions, targets."""

from django.db import migrations

COUNTY_OFFICIAL = [
    ("villages", "add_townshipreport"),
    ("villages", "change_townshipreport"),
    ("villages", "view_townshipreport"),
    ("villages", "add_townshippoint"),
    ("villages", "change_townshippoint"),
    ("villages", "view_townshippoint"),
]
REVIEWER = [("villages", "view_townshipreport"), ("villages", "view_townshippoint")]
NEW_MODELS = {
    "villages": ["townshipreport", "townshippoint", "villageconversion", "townshipconversion"],
    "rural_services": ["networktarget"],
}


def _permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    return [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in pairs]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for label in NEW_MODELS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, pairs in (("county_official", COUNTY_OFFICIAL), ("reviewer", REVIEWER)):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, pairs))
    administrators, _created = Group.objects.get_or_create(name="administrator")
    for app, models in NEW_MODELS.items():
        administrators.permissions.add(
            *Permission.objects.filter(content_type__app_label=app, content_type__model__in=models)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("villages", "0019_township_reports"),
        ("rural_services", "0004_seed_network_targets"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
