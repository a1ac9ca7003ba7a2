"""A township conversion to a new code re-codes the Division row and the township's villages, keeping old → new."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import make_user
from tests.factories import AnnualReportFactory, DivisionFactory, VillageFactory
from villages.models import (
    AnnualReport,
    Division,
    JurisdictionAssignment,
    TaobaoTown,
    TownshipConversion,
    TownshipPoint,
    TownshipReport,
    Village,
    VillageConversion,
)
from villages.selectors.conversions import township_kinds_in_year
from villages.selectors.jurisdiction import may_edit_registry
from villages.services.certification import assessments_rescore, report_assess
from villages.services.conversions import township_recode
from villages.services.reports import township_report_create
from villages.services.township_points import township_point_set

pytestmark = pytest.mark.django_db
QUALIFYING = {"ecommerce_sales": 12_000_000, "active_shops": 120, "households": 800}
OLD, NEW = "371721104", "371721004"


def approved(village, year):
    report = AnnualReportFactory(village=village, year=year, status=AnnualReport.Status.APPROVED, **QUALIFYING)
    report_assess(report=report)
    return report


@pytest.fixture
def yanzhuang(tree):
    """阎庄镇, a town with three Taobao villages in 2020 and 2021, its row still under the town's code."""
    township = DivisionFactory(code=OLD, name="阎庄镇", level="township", parent=tree.county)
    for unit in (201, 202, 203):
        village = VillageFactory(township=township, code=f"{OLD}{unit}", name=f"村{unit}")
        for year in (2020, 2021):
            approved(village, year)
    return township


def recode(township, by, **extra):
    return township_recode(
        by=by,
        township=township,
        effective_on=datetime.date(2021, 1, 1),
        new_code=NEW,
        new_name="阎庄街道",
        note="镇改街道",
        **extra,
    )


def test_the_township_row_takes_the_new_code_and_kind_and_the_conversion_keeps_old_to_new(
    tree, yanzhuang, official, administrator
):
    township_report_create(by=official, township=yanzhuang, year=2020, ecommerce_sales=1, active_shops=1)
    township_point_set(by=official, township=yanzhuang, latitude=Decimal("35.5"), longitude=Decimal("118.8"))
    assert TaobaoTown.objects.filter(township=yanzhuang, year=2020).exists()

    conversion = recode(yanzhuang, administrator)

    assert not Division.objects.filter(code=OLD).exists()
    row = Division.objects.get(code=NEW)
    assert (row.name, row.level, row.parent_id) == ("阎庄街道", "township", tree.county.code)
    assert (conversion.township_id, conversion.old_code, conversion.new_code) == (NEW, OLD, NEW)
    assert (conversion.old_kind, conversion.new_kind) == ("town", "subdistrict")
    assert TownshipReport.objects.get().township_id == NEW
    assert TownshipPoint.objects.get().township_id == NEW
    assert township_kinds_in_year(2020, township_codes=[NEW]).get(NEW, "subdistrict") == "town"
    assert township_kinds_in_year(2021, township_codes=[NEW]).get(NEW, "subdistrict") == "subdistrict"
    # Judged by its type of each year: still a town in 2020, and rescoring keeps it so.
    assert set(TaobaoTown.objects.values_list("township", "year")) == {(NEW, 2020)}
    assessments_rescore(years=[2020, 2021])
    assert set(TaobaoTown.objects.values_list("township", "year")) == {(NEW, 2020)}


def test_its_villages_take_the_new_township_code_and_keep_their_reports(yanzhuang, administrator):
    reports_before = dict(AnnualReport.objects.values_list("pk", "village_id"))

    recode(yanzhuang, administrator)

    villages = Village.objects.order_by("code")
    assert [village.code for village in villages] == [f"{NEW}201", f"{NEW}202", f"{NEW}203"]
    assert {village.township_id for village in villages} == {NEW}
    assert {village.committee_type for village in villages} == {"village_committee"}
    assert dict(AnnualReport.objects.values_list("pk", "village_id")) == reports_before
    assert sorted(VillageConversion.objects.values_list("old_code", "new_code")) == [
        (f"{OLD}{unit}", f"{NEW}{unit}") for unit in (201, 202, 203)
    ]
    village = villages.first()
    assert village.history.first().code == village.code and village.history.first().history_user == administrator
    assert village.version == 2


def test_jurisdiction_and_pickers_follow_the_new_code(tree, yanzhuang, official, other_official, administrator,
                                                     client_for):
    recode(yanzhuang, administrator)
    village = Village.objects.order_by("code").first()

    assert may_edit_registry(official, village.code) and not may_edit_registry(other_official, village.code)
    client = client_for(official)
    assert client.get(reverse("villages:village_detail", args=[village.code])).status_code == 200
    options = client.get(reverse("villages:division_options"), {"parent": tree.county.code, "level": "township"})
    codes = {option["code"] for option in options.json()["results"]}
    assert NEW in codes and OLD not in codes
    assert client.get(reverse("villages:township_point", args=[NEW])).status_code == 200


def test_an_assignment_to_the_township_moves_with_it(yanzhuang, administrator):
    make_user("township_clerk", "county_official", [yanzhuang])
    recode(yanzhuang, administrator)
    assert JurisdictionAssignment.objects.get(user__username="township_clerk").division_id == NEW


@pytest.mark.parametrize(
    "new_code, field",
    [
        ("371721121", "new_code"),  # another township has it
        ("371722004", "new_code"),  # another county
        (OLD, "new_code"),  # unchanged
        ("3717210", "new_code"),
    ],
)
def test_a_bad_new_code_is_refused_and_nothing_changes(tree, yanzhuang, administrator, new_code, field):
    with pytest.raises(ValidationError) as error:
        township_recode(by=administrator, township=yanzhuang, effective_on=datetime.date(2021, 1, 1),
                        new_code=new_code)
    assert field in error.value.message_dict
    assert Division.objects.filter(code=OLD).exists()
    assert set(Village.objects.values_list("township_id", flat=True)) == {OLD}
    assert not TownshipConversion.objects.exists() and not VillageConversion.objects.exists()


def test_a_future_date_is_refused(yanzhuang, administrator):
    with pytest.raises(ValidationError) as error:
        township_recode(by=administrator, township=yanzhuang, effective_on=datetime.date(2999, 1, 1), new_code=NEW)
    assert "effective_on" in error.value.message_dict
    assert Division.objects.filter(code=OLD).exists()


def test_only_administrators_recode(yanzhuang, official, reviewer):
    for user in (official, reviewer):
        with pytest.raises(PermissionDenied):
            recode(yanzhuang, user)
    assert Division.objects.filter(code=OLD).exists() and not Division.objects.filter(code=NEW).exists()


def test_the_api_recodes_with_a_new_code_and_refuses_both_codes_at_once(yanzhuang, administrator):
    api = APIClient()
    api.force_authenticate(administrator)
    body = {"township": OLD, "effective_on": "2021-01-01", "new_code": NEW, "new_name": "阎庄街道"}

    both = api.post("/api/v1/township-conversions/", {**body, "old_code": "371721105"}, format="json")
    assert both.status_code == 400 and "old_code" in str(both.json())
    assert Division.objects.filter(code=OLD).exists()
    neither = {key: value for key, value in body.items() if key not in ("new_code", "new_name")}
    assert api.post("/api/v1/township-conversions/", neither, format="json").status_code == 400

    created = api.post("/api/v1/township-conversions/", body, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["township"], created.json()["old_code"], created.json()["new_code"]) == (NEW, OLD, NEW)
    assert Division.objects.get(code=NEW).name == "阎庄街道"


def test_the_admin_recodes_a_township_given_its_new_code(yanzhuang, administrator, client_for):
    administrator.is_staff = True
    administrator.save()
    client = client_for(administrator)
    url = reverse("admin:villages_townshipconversion_add")
    form = {"township": OLD, "effective_on": "2021-01-01", "new_code": NEW, "new_name": "阎庄街道", "note": "镇改街道"}

    both = client.post(url, {**form, "old_code": "371721105"})
    assert both.status_code == 200 and both.context["adminform"].form.errors
    assert Division.objects.filter(code=OLD).exists()

    taken = client.post(url, {**form, "new_code": "371721121"})
    assert taken.status_code == 200 and "371721121" in taken.content.decode()
    assert Division.objects.filter(code=OLD).exists()

    done = client.post(url, form)
    assert done.status_code == 302, done.content.decode()[:2000]
    assert Division.objects.get(code=NEW).name == "阎庄街道" and not Division.objects.filter(code=OLD).exists()
    assert TownshipConversion.objects.get().old_code == OLD


def test_the_admin_still_records_an_old_code_for_a_township_listed_under_its_new_one(tree, administrator, client_for):
    township = DivisionFactory(code=NEW, name="阎庄街道", level="township", parent=tree.county)
    administrator.is_staff = True
    administrator.save()
    response = client_for(administrator).post(
        reverse("admin:villages_townshipconversion_add"),
        {"township": NEW, "effective_on": "2021-01-01", "old_code": OLD, "note": ""},
    )
    assert response.status_code == 302
    assert TownshipConversion.objects.get().township == township
    assert Division.objects.filter(code=NEW).exists() and not Division.objects.filter(code=OLD).exists()
