"""village-conversions/ and township-conversions/: administrators record and read them; nobody else."""

import pytest

from tests.api.conftest import list_rows
from tests.factories import VillageFactory
from villages.models import TownshipConversion, VillageConversion


@pytest.fixture
def dinglou(tree):
    return VillageFactory(township=tree.town, code="371721121227", name="丁楼村")


BODY = {"village": "371721121227", "effective_on": "2021-06-01", "new_code": "371721121001", "note": "村改居"}


def test_an_administrator_records_a_village_conversion_and_reads_it_back(dinglou, administrator, api_for):
    api = api_for(administrator)

    response = api.post("/api/v1/village-conversions/", BODY, format="json")

    assert response.status_code == 201, response.content
    assert response.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "village": "371721121001",
        "effective_on": "2021-06-01",
        "old_code": "371721121227",
        "new_code": "371721121001",
        "old_committee_type": "village_committee",
        "new_committee_type": "neighbourhood_committee",
        "note": "村改居",
        "recorded_by": "administrator",
        "created_at": "",
    }
    assert [row["new_code"] for row in list_rows(api.get("/api/v1/village-conversions/"))] == ["371721121001"]
    assert api.get("/api/v1/villages/371721121001/").json()["committee_type"] == "neighbourhood_committee"


def test_an_administrator_records_a_township_conversion(tree, administrator, api_for):
    body = {"township": "371721001", "effective_on": "2021-01-01", "old_code": "371721104"}
    response = api_for(administrator).post("/api/v1/township-conversions/", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["old_kind"], response.json()["new_kind"]) == ("town", "subdistrict")


@pytest.mark.parametrize("role", ["official", "reviewer"])
def test_officials_and_reviewers_may_neither_record_nor_read_conversions(request, dinglou, api_for, role):
    api = api_for(request.getfixturevalue(role))
    assert api.post("/api/v1/village-conversions/", BODY, format="json").status_code == 403
    assert api.get("/api/v1/village-conversions/").status_code == 403
    body = {"township": "371721001", "effective_on": "2021-01-01", "old_code": "371721104"}
    assert api.post("/api/v1/township-conversions/", body, format="json").status_code == 403
    assert not VillageConversion.objects.exists() and not TownshipConversion.objects.exists()


def test_anonymous_callers_must_log_in(dinglou, anonymous_api):
    assert anonymous_api.get("/api/v1/village-conversions/").status_code == 401
    assert anonymous_api.post("/api/v1/township-conversions/", {}, format="json").status_code == 401


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"new_code": "3717211210"}, "new_code"),
        ({"new_code": "371721999001"}, "new_code"),
        ({"effective_on": "2021-13-01"}, "effective_on"),
        ({"village": "371721121999"}, "village"),
    ],
)
def test_bad_conversions_are_400s_that_name_the_field(dinglou, administrator, api_for, changes, field):
    response = api_for(administrator).post("/api/v1/village-conversions/", BODY | changes, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not VillageConversion.objects.exists()


def test_the_conversion_list_costs_the_same_for_one_row_or_many(tree, administrator, api_for,
                                                                django_assert_max_num_queries):
    from datetime import date

    from villages.services.conversions import village_conversion_record

    for unit in range(5):
        village = VillageFactory(township=tree.town, code=f"371721121{201 + unit}")
        village_conversion_record(
            by=administrator, village=village, effective_on=date(2021, 1, 1), new_code=f"371721121{101 + unit:03d}"
        )
    api = api_for(administrator)
    with django_assert_max_num_queries(4):
        assert len(list_rows(api.get("/api/v1/village-conversions/"))) == 5
