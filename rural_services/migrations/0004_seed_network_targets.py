"""Seed the published targets of the Rural Taobao network (DOMAIN.md), with their sources."""

import datetime

from django.db import migrations

TARGETS = [
    {
        "name": "千县万村 2014",
        "announced_on": datetime.date(2014, 10, 13),
        # "in 3–5 years": the seed's "100,000 by 2020" reads the upper end.
        "target_year": 2019,
        "counties": 1_000,
        "villages": 100_000,
        "source": "Alibaba, October 2014: 1,000 county operation centres and 100,000 village service stations "
        "in three to five years (千县万村); DOMAIN.md.",
    },
    {
        "name": "Rural Taobao 2018",
        "announced_on": datetime.date(2018, 6, 1),
        "target_year": 2021,
        "counties": 1_000,
        "villages": 150_000,
        "source": "Alibaba, June 2018: 1,000 counties and 150,000 villages in three years; "
        "postandparcel.info/97003.",
    },
]


def seed(apps, schema_editor):
    NetworkTarget = apps.get_model("rural_services", "NetworkTarget")
    for target in TARGETS:
        NetworkTarget.objects.update_or_create(name=target["name"], defaults=target)


class Migration(migrations.Migration):

    dependencies = [
        ("rural_services", "0003_network_targets"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
