"""`GET /api/v1/certificates/`: public, filtered by village, year and serial, the contract's item fields, 400s
for malformed filters, a constant number of queries; both public-record endpoints in the schema."""

import pytest
from django.test import Client, override_settings

from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import AnnualReport, Certificate
from villages.services.certification import report_assess
from villages.services.reports import report_approve, report_create, report_reopen, report_submit

SITE = "https://registry.example.gov.cn"
FIELDS = [
    "serial", "village", "year", "criteria_version", "issued_on", "status", "revoked_on", "revoked_reason",
    "verify_url", "pdf_url",
]


def certified(village, year=2023):
    report_assess(report=AnnualReportFactory(village=village, year=year, status=AnnualReport.Status.APPROVED))
    return Certificate.objects.get(village=village, year=year, revoked_on__isnull=True)


def certificates(**params):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/certificates/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@override_settings(SITE_URL=SITE)
def test_anonymous_callers_read_valid_and_revoked_certificates(tree, official, reviewer):
    village = VillageFactory(township=tree.town)
    report = report_create(
        by=official, village=village, year=2023, ecommerce_sales=12_000_000, active_shops=120, households=800
    )
    report_submit(report=report, by=official)
    report_approve(report=report, by=reviewer)
    serial = Certificate.objects.get().serial

    (item,) = certificates()
    assert list(item) == FIELDS
    assert item == {
        "serial": serial,
        "village": village.code,
        "year": 2023,
        "criteria_version": "AliResearch 2020 onward",
        "issued_on": item["issued_on"],
        "status": "valid",
        "revoked_on": None,
        "revoked_reason": None,
        "verify_url": f"{SITE}/verify/{serial}/",
        "pdf_url": f"{SITE}/certificates/{serial}/certificate.pdf",
    }
    report_reopen(report=report, by=reviewer, comment="check")
    (item,) = certificates(serial=serial)
    assert (item["status"], item["revoked_reason"]) == ("revoked", "report_reopened")
    assert item["revoked_on"] is not None


def test_filters_by_village_year_and_serial(tree):
    first, second = VillageFactory(township=tree.town), VillageFactory(township=tree.other_town)
    one = certified(first, 2022)
    certified(first, 2023)
    certified(second, 2023)
    assert {item["year"] for item in certificates(village=first.code)} == {2022, 2023}
    assert {item["village"] for item in certificates(year=2023)} == {first.code, second.code}
    assert [item["serial"] for item in certificates(serial=one.serial.lower())] == [one.serial]
    assert certificates(serial="TBV-2023-0000-0000") == []


@pytest.mark.parametrize(
    "params", [{"village": "12"}, {"year": "1800"}, {"year": "x"}, {"serial": "ABC"}, {"serial": "x" * 40}]
)
def test_malformed_filters_are_a_400_naming_the_field(db, params):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/certificates/", params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_the_list_costs_the_same_queries_for_few_and_many_certificates(tree, django_assert_num_queries):
    client = Client()
    certified(VillageFactory(township=tree.town))
    with django_assert_num_queries(2):  # the count, the rows with village and criteria version
        client.get("/api/v1/certificates/", {"year": 2023})
    for _ in range(12):
        certified(VillageFactory(township=tree.town))
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/certificates/", {"year": 2023}).json()["results"]) == 13


def test_both_public_records_are_in_the_schema_with_their_filters(db):
    schema = Client().get("/api/v1/schema/?format=json").json()
    for path, names in (
        ("/api/v1/certificates/", {"village", "year", "serial"}),
        ("/api/v1/status-changes/", {"year", "province", "county", "change"}),
    ):
        operation = schema["paths"][path]["get"]
        assert names <= {parameter["name"] for parameter in operation["parameters"]}
        assert {"200", "400"} <= set(operation["responses"])
    assert "certificates" in Client().get("/api/v1/").json()["resources"]
