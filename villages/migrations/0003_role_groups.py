"""Create the three roles as groups with their model permissions."""

from django.db import migrations

REGISTRY_MODELS = {
    "villages": ["village", "onlineshop", "shopyear", "annualreport"],
    "rural_services": ["countyoperationcenter", "servicepoint", "serviceactivity"],
}
READ_ONLY_MODELS = {
    "villages": [
        "division",
        "assessment",
        "criteriaset",
        "taobaotown",
        "villagecluster",
        "reviewevent",
        "reportingwindow",
    ],
    "rural_services": ["servicekind"],
}


def codenames(models_by_app, actions):
    return [(app, f"{action}_{model}") for app, models in models_by_app.items() for model in models for action in actions]


ROLES = {
    "county_official": codenames(REGISTRY_MODELS, ["add", "change", "view"])
    + codenames(READ_ONLY_MODELS, ["view"])
    + [("villages", "submit_annualreport"), ("villages", "delete_onlineshop"), ("villages", "delete_shopyear")],
    "reviewer": codenames(REGISTRY_MODELS, ["view"])
    + codenames(READ_ONLY_MODELS, ["view"])
    + [("villages", "review_annualreport")],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, wanted in ROLES.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in wanted]
        )
    administrators, _created = Group.objects.get_or_create(name="administrator")
    administrators.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["villages", "rural_services", "auth", "authtoken"])
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[*ROLES, "administrator"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("villages", "0002_seed_criteria"),
        ("rural_services", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
