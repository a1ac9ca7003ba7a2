"""A small registry for API fuzzing: divisions, villages, shops, reports, assessments, service points, and
an administrator with an API token. `load()` returns that token; run_schemathesis.sh calls it."""

import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.authtoken.models import Token

from rural_services.models import ServiceKind
from tests.factories import (
    AnnualReportFactory,
    CountyOperationCenterFactory,
    DivisionTreeFactory,
    OnlineShopFactory,
    ServicePointFactory,
    TaobaoTownFactory,
    UserFactory,
    VillageClusterFactory,
    VillageFactory,
)
from villages.models import ADMINISTRATORS, AnnualReport
from villages.services.certification import report_assess


@transaction.atomic
def load() -> str:
    tree = DivisionTreeFactory.build_tree()
    center = CountyOperationCenterFactory(county=tree.county)
    kinds = list(ServiceKind.objects.all()[:3])
    for number, township in enumerate([tree.town, tree.town, tree.second_county_town, tree.other_town]):
        village = VillageFactory(
            township=township, code=f"{township.code}{210 + number}", latitude=34.8, longitude=115.6
        )
        OnlineShopFactory(village=village)
        AnnualReportFactory(village=village, year=2023)
        approved = AnnualReportFactory(
            village=village, year=2022, status=AnnualReport.Status.APPROVED, ecommerce_sales=(number + 1) * 5_000_000
        )
        report_assess(report=approved)
        point = ServicePointFactory(
            village=village,
            code=f"FUZZ-{number}",
            latitude=34.8,
            longitude=115.6,
            county_center=center if township.code.startswith(tree.county.code) else None,
            opened_on=datetime.date(2017, 6, 1),
        )
        point.services.set(kinds)
    TaobaoTownFactory(township=tree.town, year=2021, ecommerce_sales=50_000_000, active_shops=400)
    VillageClusterFactory(year=2021, counties=[tree.county.code])
    administrator = UserFactory(username="fuzz-admin", is_staff=True)
    administrator.groups.add(Group.objects.get(name=ADMINISTRATORS))
    return Token.objects.create(user=administrator).key
