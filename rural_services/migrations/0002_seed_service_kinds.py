"""Seed the services a Rural Taobao village point offers (DOMAIN.md)."""

from django.db import migrations

SERVICE_KINDS = [
    ("assisted_buying", "代买 assisted buying"),
    ("assisted_selling", "代卖 assisted selling of farm produce"),
    ("bill_payment", "缴费充值 bill payment and top-up"),
    ("parcel_pickup", "快递收发 parcel pickup"),
    ("financial_services", "金融服务 financial services"),
    ("training", "培训 training"),
    ("travel_booking", "出行预订 travel booking"),
]


def seed(apps, schema_editor):
    ServiceKind = apps.get_model("rural_services", "ServiceKind")
    for code, name in SERVICE_KINDS:
        ServiceKind.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("rural_services", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
