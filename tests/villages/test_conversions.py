"""Effective-dated division facts: a conversion governs the year it took effect and later; earlier years keep
the old facts, also when they are scored again."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import AnnualReportFactory, DivisionFactory, VillageFactory
from villages.models import AnnualReport, Assessment, CriteriaSet, TaobaoTown, VillageConversion
from villages.services.certification import assessments_rescore, report_assess
from villages.services.conversions import township_conversion_record, village_conversion_record
from villages.services.criteria import criteria_set_update

QUALIFYING = {"ecommerce_sales": 12_000_000, "active_shops": 120, "households": 800}


def approved(village, year, **figures):
    report = AnnualReportFactory(
        village=village, year=year, status=AnnualReport.Status.APPROVED, **(figures or QUALIFYING)
    )
    report_assess(report=report)
    return report


def facts(village):
    """{year: (committee type the assessment read, qualified, certified_in of its location check)}."""
    return {
        assessment.year: (
            assessment.inputs["committee_type"],
            assessment.qualified,
            assessment.checks[0].get("certified_in"),
        )
        for assessment in Assessment.objects.filter(village=village)
    }


@pytest.fixture
def dinglou(tree):
    """丁楼村, a Taobao village with approved reports for 2019, 2020 and 2021."""
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    for year in (2019, 2020, 2021):
        approved(village, year)
    return village


def convert_in_2021(village, administrator):
    return village_conversion_record(
        by=administrator,
        village=village,
        effective_on=datetime.date(2021, 6, 1),
        new_code="371721121001",
        note="村改居, 曹县人民政府 2021",
    )


def test_a_village_converted_in_2021_is_a_village_committee_until_2020_and_a_neighbourhood_committee_from_2021(
    dinglou, administrator
):
    reports_before = set(AnnualReport.objects.filter(village=dinglou).values_list("pk", flat=True))

    conversion = convert_in_2021(dinglou, administrator)

    dinglou.refresh_from_db()
    assert (dinglou.code, dinglou.committee_type) == ("371721121001", "neighbourhood_committee")
    assert (conversion.old_code, conversion.old_committee_type, conversion.new_committee_type) == (
        "371721121227", "village_committee", "neighbourhood_committee"
    )
    # The same village: its reports and assessments stayed with it across the code change.
    assert set(AnnualReport.objects.filter(village=dinglou).values_list("pk", flat=True)) == reports_before
    # 2021 is read as a neighbourhood committee; as the 2020 source reads, one certified before stays in.
    assert facts(dinglou) == {
        2019: ("village_committee", True, None),
        2020: ("village_committee", True, None),
        2021: ("neighbourhood_committee", True, 2020),
    }
    assert dinglou.history.first().history_change_reason == "conversion"
    assert conversion.history.get().history_user == administrator


def test_under_the_strict_reading_the_converted_village_loses_2021_only(tree, administrator):
    criteria_set_update(
        criteria_set=CriteriaSet.objects.get(first_year=2020),
        neighbourhood_committee_rule=CriteriaSet.NeighbourhoodCommitteeRule.EXCLUDED,
    )
    dinglou = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    for year in (2019, 2020, 2021):
        approved(dinglou, year)
    convert_in_2021(dinglou, administrator)

    assert facts(dinglou) == {
        2019: ("village_committee", True, None),
        2020: ("village_committee", True, None),
        2021: ("neighbourhood_committee", False, None),
    }


def test_rescoring_2019_after_the_conversion_does_not_change_the_2019_result(dinglou, administrator):
    convert_in_2021(dinglou, administrator)
    before = Assessment.objects.filter(village=dinglou, year=2019).values("inputs", "checks", "qualified", "score")
    before = list(before)

    assessments_rescore(years=[2019])

    after = Assessment.objects.filter(village=dinglou, year=2019).values("inputs", "checks", "qualified", "score")
    assert list(after) == before
    assert before[0]["inputs"]["committee_type"] == "village_committee"


def test_rescoring_every_year_gives_what_the_approvals_gave(dinglou, administrator):
    convert_in_2021(dinglou, administrator)
    approved_facts = facts(dinglou)

    assessments_rescore()

    assert facts(dinglou) == approved_facts


def test_a_new_approval_of_an_earlier_year_reads_the_facts_of_that_year(tree, administrator):
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    approved(village, 2021)
    convert_in_2021(village, administrator)

    approved(village, 2020)

    assert facts(village)[2020] == ("village_committee", True, None)


def test_a_township_converted_to_a_subdistrict_in_2021_stays_a_town_in_2020(tree, administrator):
    yanzhuang = DivisionFactory(code="371721004", name="阎庄街道", level="township", parent=tree.county)
    villages = [VillageFactory(township=yanzhuang, code=f"371721004{unit}") for unit in (201, 202, 203)]
    for village in villages:
        for year in (2020, 2021):
            approved(village, year)
    # Judged by today's code alone, a subdistrict is no Taobao town from 2020 on.
    assert not TaobaoTown.objects.filter(township=yanzhuang).exists()

    conversion = township_conversion_record(
        by=administrator,
        township=yanzhuang,
        effective_on=datetime.date(2021, 1, 1),
        old_code="371721104",
        note="阎庄镇 → 阎庄街道",
    )

    assert (conversion.old_kind, conversion.new_kind) == ("town", "subdistrict")
    assert set(TaobaoTown.objects.filter(township=yanzhuang).values_list("year", "route")) == {(2020, "villages")}
    assessments_rescore(years=[2020, 2021])
    assert set(TaobaoTown.objects.filter(township=yanzhuang).values_list("year", "route")) == {(2020, "villages")}
    # A later approval in the township rebuilds its town of that year with the type of that year too.
    approved(VillageFactory(township=yanzhuang, code="371721004204"), 2020)
    assert TaobaoTown.objects.get(township=yanzhuang, year=2020).taobao_villages == 4


@pytest.mark.parametrize("role", ["official", "reviewer"])
def test_only_administrators_record_conversions(request, dinglou, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        convert_in_2021(dinglou, user)
    with pytest.raises(PermissionDenied):
        township_conversion_record(
            by=user, township=dinglou.township, effective_on=datetime.date(2021, 1, 1), old_code="371721001"
        )
    assert not VillageConversion.objects.exists()


def test_a_conversion_to_a_code_in_use_or_outside_a_registered_township_is_refused(dinglou, administrator):
    VillageFactory(township=dinglou.township, code="371721121001")
    for new_code, field in (("371721121001", "new_code"), ("371721999001", "new_code"), ("12345", "new_code")):
        with pytest.raises(ValidationError) as error:
            village_conversion_record(
                by=administrator, village=dinglou, effective_on=datetime.date(2021, 6, 1), new_code=new_code
            )
        assert field in error.value.message_dict
    dinglou.refresh_from_db()
    assert dinglou.code == "371721121227" and not VillageConversion.objects.exists()


def test_conversions_are_recorded_in_their_order(dinglou, administrator):
    convert_in_2021(dinglou, administrator)
    with pytest.raises(ValidationError) as error:
        village_conversion_record(
            by=administrator, village=dinglou, effective_on=datetime.date(2020, 1, 1), new_code="371721121002"
        )
    assert "effective_on" in error.value.message_dict


def test_the_admin_records_a_conversion_through_the_service(dinglou, superuser, client):
    client.force_login(superuser)
    response = client.post(
        "/admin/villages/villageconversion/add/",
        {"village": dinglou.pk, "effective_on": "2021-06-01", "new_code": "371721121001", "note": "村改居"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    dinglou.refresh_from_db()
    assert dinglou.code == "371721121001"
    assert facts(dinglou)[2021] == ("neighbourhood_committee", True, 2020)

    refused = client.post(
        "/admin/villages/villageconversion/add/",
        {"village": dinglou.pk, "effective_on": "2020-06-01", "new_code": "371721121002"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 200
    assert "record the conversions in their order" in refused.content.decode()
    assert VillageConversion.objects.count() == 1
