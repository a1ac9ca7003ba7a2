"""The API's compiled row representation (taobao_site/api_representation.py) writes exactly what DRF writes.

Every list endpoint whose serializer uses it is read twice over the same rows, as an official, a reviewer, an
administrator and anonymously: once as served, once with DRF's own `Serializer.to_representation`; the two
answers must be equal byte for byte. The rows cover empty and filled optional values (no coordinates, no
assessment, closed shops, reviewed reports, partner details shown and hidden).
"""

import datetime

import pytest
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from rural_services.models import ServiceKind
from taobao_site.api_representation import CompiledRepresentation
from tests.api.conftest import make_assessment
from tests.factories import (
    AnnualReportFactory,
    CountyOperationCenterFactory,
    OnlineShopFactory,
    ServicePointFactory,
    TaobaoTownFactory,
    VillageClusterFactory,
    VillageFactory,
)
from villages.models import ReviewEvent

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/divisions/?page_size=500",
    "/api/v1/villages/?page_size=500",
    "/api/v1/shops/?page_size=500",
    "/api/v1/reports/?page_size=500",
    "/api/v1/assessments/?page_size=500",
    "/api/v1/criteria/",
    "/api/v1/taobao-towns/",
    "/api/v1/clusters/",
    "/api/v1/county-centers/",
    "/api/v1/service-points/?page_size=500",
]


@pytest.fixture
def varied_rows(tree, official, reviewer):
    placed = VillageFactory(township=tree.town, latitude="34.812345", longitude="115.600001", population=None)
    bare = VillageFactory(township=tree.town, latitude=None, longitude=None, households=None, main_products="")
    elsewhere = VillageFactory(township=tree.other_town)
    make_assessment(placed, 2022, qualified=True, status_change="new")
    make_assessment(placed, 2023, qualified=False, status_change="lost")
    make_assessment(elsewhere, 2023, qualified=True)
    # Stored JSON of every shape the nested items take: a key the item lacks (null, or left out), one the
    # serializer does not know, a null item, figures from the platforms.
    odd = make_assessment(bare, 2021, qualified=False)
    odd.checks = [
        {**odd.checks[0], "certified_in": 2019, "unknown": "x"},
        {"key": "sales", "passed": False, "actual": None, "required": 10_000_000, "gap": None},
    ]
    odd.input_sources = {
        "ecommerce_sales": {
            "source": "declared", "check": "checked", "platform": 9_000_000, "difference_percent": 12.5,
            "flagged": True,
        },
        "active_shops": {"source": "declared", "check": "unchecked", "platform": None, "difference_percent": None},
        "households": None,
    }
    odd.save()
    OnlineShopFactory(village=placed, closed_on=None)
    OnlineShopFactory(village=bare, opened_on=datetime.date(2020, 5, 1), closed_on=datetime.date(2023, 1, 31))
    draft = AnnualReportFactory(village=bare, year=2023)
    reviewed = AnnualReportFactory(
        village=placed, year=2024, status="returned", review_comment="请核对销售额", reviewed_by=reviewer,
    )
    ReviewEvent.objects.create(report=reviewed, from_status="submitted", to_status="returned", by=reviewer,
                               comment="请核对销售额")
    ReviewEvent.objects.create(report=draft, from_status="draft", to_status="submitted", by=official)
    TaobaoTownFactory(township=tree.town, year=2022, active_shops=500, ecommerce_sales=50_000_000)
    VillageClusterFactory(year=2022)
    center = CountyOperationCenterFactory(county=tree.county)
    kinds = list(ServiceKind.objects.all()[:2])
    with_services = ServicePointFactory(village=placed, county_center=center, latitude=34.8, longitude=115.6)
    with_services.services.set(kinds)
    ServicePointFactory(village=elsewhere, county_center=None, latitude=None, longitude=None)
    return {"reports": [draft, reviewed]}


def drf_rows(monkeypatch):
    monkeypatch.setattr(
        CompiledRepresentation, "to_representation",
        lambda self, instance: serializers.Serializer.to_representation(self, instance),
    )


@pytest.mark.parametrize("role", ["anonymous", "official", "reviewer", "administrator"])
def test_every_list_reads_as_drf_would_write_it(varied_rows, role, request, monkeypatch):
    client = APIClient()
    if role != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=request.getfixturevalue(role)).key}")
    urls = URLS + [f"/api/v1/reports/{report.pk}/history/" for report in varied_rows["reports"]]
    served = {url: client.get(url) for url in urls}
    drf_rows(monkeypatch)
    by_drf = {url: client.get(url) for url in urls}
    for url in urls:
        assert served[url].status_code == by_drf[url].status_code, url
        assert served[url].content == by_drf[url].content, url
    answered = [url for url in urls if served[url].status_code == 200 and served[url].json().get("results")]
    assert len(answered) >= 8, "the comparison must cover rows of most lists"


def test_each_request_reads_its_own_context_though_the_plan_is_made_once(varied_rows, official):
    """The plan is per class; the method fields that read the request (partner details) are each request's own.

    The official is served first, then an anonymous caller, then the official again, in one process: a method
    field kept from an earlier request would show the partner to the anonymous caller, or hide it from the
    official.
    """
    signed_in = APIClient()
    signed_in.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=official).key}")
    anonymous = APIClient()

    def partners(client):
        rows = client.get("/api/v1/service-points/?page_size=500").json()["results"]
        return sorted(str(row["partner_name"]) for row in rows)

    first, hidden, again = partners(signed_in), partners(anonymous), partners(signed_in)
    assert hidden == ["None"] * len(hidden)
    assert first == again
    assert any(name != "None" for name in first)


class Decimals(serializers.Serializer):
    as_number = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False)
    as_string = serializers.DecimalField(max_digits=9, decimal_places=6)
    rounded = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)
    normalised = serializers.DecimalField(max_digits=9, decimal_places=6, normalize_output=True)


class CompiledDecimals(CompiledRepresentation, Decimals):
    pass


@pytest.mark.parametrize(
    "value",
    ["34.800000", "-0.000000", "115.612345", "1.5", "34.8000001", "999.123456", "0E-6", "12.30", "7", 34.8, 7, "NaN"],
)
def test_a_decimal_is_written_as_drf_writes_it_whether_or_not_it_has_the_fields_places(value):
    from decimal import Decimal, InvalidOperation

    value = Decimal(value) if isinstance(value, str) else value
    row = dict.fromkeys(["as_number", "as_string", "rounded", "normalised"], value)
    for name in row:
        field = Decimals().fields[name]
        try:
            expected = field.to_representation(value)
        except (InvalidOperation, ValueError) as error:
            with pytest.raises(type(error)):
                CompiledDecimals()._compiled_fields()[list(row).index(name)][2](value)
            continue
        convert = CompiledDecimals()._compiled_fields()[list(row).index(name)][2]
        written = convert(value)
        assert (type(written), str(written)) == (type(expected), str(expected)), name
