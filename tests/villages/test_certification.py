"""The certification services: assessing approved reports, withdrawing them, status changes across years."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import AnnualReport, Assessment, CriteriaSet, TaobaoTown, VillageCluster
from villages.services.certification import report_assess, report_assessment_withdraw
from villages.services.criteria import criteria_set_create, criteria_set_update
from villages.services.errors import ConflictError

APPROVED = AnnualReport.Status.APPROVED
QUALIFYING = {"ecommerce_sales": 12_000_000, "active_shops": 120, "households": 800}
FAILING = {"ecommerce_sales": 8_600_000, "active_shops": 100, "households": 2000}


def approved_report(village, year, **figures):
    return AnnualReportFactory(village=village, year=year, status=APPROVED, **(figures or QUALIFYING))


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, code="371721121227", name="丁楼村")


def test_assessing_an_approved_report_records_inputs_checks_score_and_the_version_of_its_year(village):
    report = approved_report(village, 2023, **FAILING)

    assessment = report_assess(report=report)

    assert assessment.report == report
    assert assessment.criteria_set.name == "AliResearch 2020 onward"
    assert assessment.inputs == {
        "committee_type": "village_committee",
        "ecommerce_sales": 8_600_000,
        "active_shops": 100,
        "households": 2000,
    }
    assert [check["key"] for check in assessment.checks] == ["location", "sales", "shops"]
    sales = assessment.checks[1]
    assert sales == {
        "key": "sales", "passed": False, "actual": 8_600_000, "required": 10_000_000, "gap": 1_400_000
    }
    assert assessment.qualified is False
    assert assessment.score == Decimal("93.0")
    assert assessment.status_change == Assessment.StatusChange.NONE


def test_assessing_twice_updates_the_one_assessment_of_the_village_and_year(village):
    report = approved_report(village, 2023, **FAILING)
    report_assess(report=report)
    report.ecommerce_sales = 10_000_000
    report.save()

    report_assess(report=report)

    assessment = Assessment.objects.get(village=village, year=2023)
    assert assessment.qualified is True
    assert assessment.status_change == Assessment.StatusChange.NEW
    assert Assessment.objects.count() == 1


def test_a_report_that_is_not_approved_cannot_be_assessed(village):
    report = AnnualReportFactory(village=village, year=2023, status=AnnualReport.Status.SUBMITTED)

    with pytest.raises(ValidationError):
        report_assess(report=report)

    assert not Assessment.objects.exists()


def test_a_year_no_criteria_version_covers_is_refused_clearly(village):
    CriteriaSet.objects.filter(first_year=2020).update(last_year=2022)
    report = approved_report(village, 2023)

    with pytest.raises(ValidationError, match="No criteria version covers the year 2023"):
        report_assess(report=report)


def test_status_changes_follow_the_previous_year(village):
    assert report_assess(report=approved_report(village, 2020)).status_change == "new"
    assert report_assess(report=approved_report(village, 2021)).status_change == "retained"
    assert report_assess(report=approved_report(village, 2022, **FAILING)).status_change == "lost"
    assert report_assess(report=approved_report(village, 2023, **FAILING)).status_change == "none"


def test_a_year_without_an_assessment_breaks_the_chain(village):
    report_assess(report=approved_report(village, 2020))

    assert report_assess(report=approved_report(village, 2022)).status_change == "new"


def test_assessing_an_earlier_year_later_corrects_the_next_years_status(village):
    later = report_assess(report=approved_report(village, 2022))
    assert later.status_change == "new"

    report_assess(report=approved_report(village, 2021))

    later.refresh_from_db()
    assert later.status_change == "retained"


def test_withdrawing_removes_the_assessment_and_corrects_the_next_years_status(village):
    earlier_report = approved_report(village, 2021)
    report_assess(report=earlier_report)
    later = report_assess(report=approved_report(village, 2022, **FAILING))
    assert later.status_change == "lost"

    report_assessment_withdraw(report=earlier_report)

    assert not Assessment.objects.filter(year=2021).exists()
    later.refresh_from_db()
    assert later.status_change == "none"


def strict_neighbourhood_committee_reading():
    """The 2020 version read strictly: every neighbourhood committee out, certified before or not."""
    criteria_set_update(
        criteria_set=CriteriaSet.objects.get(first_year=2020),
        neighbourhood_committee_rule=CriteriaSet.NeighbourhoodCommitteeRule.EXCLUDED,
    )


def test_the_seeded_2020_version_keeps_the_neighbourhood_committees_certified_before(tree):
    assert CriteriaSet.objects.get(first_year=2020).neighbourhood_committee_rule == "keep_certified"


def test_a_neighbourhood_committee_certified_in_2019_stays_eligible_in_2020_as_the_source_reads(tree):
    community = VillageFactory(township=tree.other_town, code="320324109002", name="东风社区居委会")

    in_2019 = report_assess(report=approved_report(community, 2019))
    in_2020 = report_assess(report=approved_report(community, 2020))

    assert in_2019.qualified is True and "certified_in" not in in_2019.checks[0]
    assert in_2020.qualified is True
    assert in_2020.checks[0] == {
        "key": "location",
        "passed": True,
        "actual": "neighbourhood_committee",
        "required": ["village_committee"],
        "gap": None,
        "certified_in": 2019,
    }
    assert in_2020.status_change == "retained"


def test_a_neighbourhood_committee_never_certified_before_2020_is_not_admitted(tree):
    community = VillageFactory(township=tree.other_town, code="320324109002", name="东风社区居委会")
    report_assess(report=approved_report(community, 2019, **FAILING))

    in_2020 = report_assess(report=approved_report(community, 2020))

    assert in_2020.qualified is False and in_2020.checks[0]["passed"] is False
    assert in_2020.score == 0


def test_under_the_strict_reading_a_neighbourhood_committee_qualifies_in_2019_but_not_in_2020(tree):
    strict_neighbourhood_committee_reading()
    community = VillageFactory(township=tree.other_town, code="320324109002", name="东风社区居委会")

    in_2019 = report_assess(report=approved_report(community, 2019))
    in_2020 = report_assess(report=approved_report(community, 2020))

    assert in_2019.qualified is True
    assert in_2020.qualified is False
    assert in_2020.checks[0]["passed"] is False and "certified_in" not in in_2020.checks[0]
    assert in_2020.score == 0
    assert in_2020.status_change == "lost"


def test_rescoring_reads_the_neighbourhood_committee_rule_of_the_version_like_the_approval(tree):
    from villages.services.certification import assessments_rescore

    community = VillageFactory(township=tree.other_town, code="320324109002", name="东风社区居委会")
    report_assess(report=approved_report(community, 2019))
    report_assess(report=approved_report(community, 2020))
    approved = {a.year: (a.qualified, a.checks, str(a.score)) for a in Assessment.objects.all()}

    assessments_rescore(years=[2019, 2020])
    assert {a.year: (a.qualified, a.checks, str(a.score)) for a in Assessment.objects.all()} == approved

    Assessment.objects.filter(year=2020).delete()
    strict_neighbourhood_committee_reading()
    assessments_rescore(years=[2020])
    assert Assessment.objects.get(year=2020).qualified is False


def test_approving_the_third_taobao_village_of_a_town_makes_it_a_taobao_town_and_withdrawing_undoes_it(tree):
    villages = [VillageFactory(township=tree.town) for _ in range(3)]
    reports = [approved_report(v, 2023) for v in villages]
    for report in reports[:2]:
        report_assess(report=report)
    assert not TaobaoTown.objects.exists()

    report_assess(report=reports[2])

    town = TaobaoTown.objects.get()
    assert (town.township_id, town.year, town.route) == (tree.town.code, 2023, "villages")
    assert town.taobao_villages == 3
    assert town.ecommerce_sales == 3 * QUALIFYING["ecommerce_sales"]
    assert town.active_shops == 3 * QUALIFYING["active_shops"]

    report_assessment_withdraw(report=reports[0])

    assert not TaobaoTown.objects.exists()


def test_an_approval_rebuilds_only_its_own_townships_town(tree):
    other_town_villages = [VillageFactory(township=tree.second_county_town) for _ in range(3)]
    for village in other_town_villages:
        report_assess(report=approved_report(village, 2023))
    other_town = TaobaoTown.objects.get(township=tree.second_county_town)

    for village in [VillageFactory(township=tree.town) for _ in range(3)]:
        report_assess(report=approved_report(village, 2023))

    assert set(TaobaoTown.objects.values_list("township_id", flat=True)) == {tree.town.code, other_town.township_id}
    assert TaobaoTown.objects.get(township=tree.second_county_town).pk == other_town.pk


def test_the_tenth_taobao_village_of_a_township_forms_a_cluster(tree):
    villages = [VillageFactory(township=tree.town) for _ in range(10)]
    reports = [approved_report(v, 2023) for v in villages]
    for report in reports[:9]:
        report_assess(report=report)
    assert not VillageCluster.objects.exists()

    report_assess(report=reports[9])

    cluster = VillageCluster.objects.get()
    assert (cluster.year, cluster.size_class, cluster.village_count, cluster.counties) == (
        2023,
        "cluster",
        10,
        ["371721"],
    )
    assert set(cluster.villages.all()) == set(villages)


# --- criteria versions ------------------------------------------------------------------------------------

NEW_VERSION = {
    "name": "Trial 2030",
    "first_year": 2030,
    "last_year": None,
    "eligible_committee_types": ["village_committee"],
    "village_min_sales": 20_000_000,
    "village_min_active_shops": 150,
    "village_min_household_share": Decimal("0.1500"),
    "town_min_taobao_villages": 3,
    "town_scale_route": True,
    "town_min_sales": 30_000_000,
    "town_min_active_shops": 300,
    "subdistricts_can_be_towns": False,
}


def test_a_version_may_not_cover_a_year_another_version_covers(db):
    with pytest.raises(ValidationError, match="overlap"):
        criteria_set_create(**NEW_VERSION)
    assert not CriteriaSet.objects.filter(name="Trial 2030").exists()


def test_a_new_version_takes_over_once_the_version_in_force_is_closed(village, administrator):
    report_assess(report=approved_report(village, 2023))
    in_force = CriteriaSet.objects.get(first_year=2020)

    criteria_set_update(criteria_set=in_force, by=administrator, last_year=2029)
    created = criteria_set_create(by=administrator, **NEW_VERSION)

    assert created.pk is not None
    assert CriteriaSet.objects.get(first_year=2020).last_year == 2029


def test_a_version_with_assessments_keeps_its_thresholds(village, administrator):
    report_assess(report=approved_report(village, 2023))
    in_force = CriteriaSet.objects.get(first_year=2020)

    with pytest.raises(ConflictError):
        criteria_set_update(criteria_set=in_force, by=administrator, village_min_sales=5_000_000)

    in_force.refresh_from_db()
    assert in_force.village_min_sales == 10_000_000


def test_a_version_with_assessments_keeps_its_first_year_but_may_be_closed(village, administrator):
    report_assess(report=approved_report(village, 2023))
    in_force = CriteriaSet.objects.get(first_year=2020)

    with pytest.raises(ConflictError):
        criteria_set_update(criteria_set=in_force, by=administrator, first_year=2021)
    criteria_set_update(criteria_set=in_force, by=administrator, last_year=2022)

    assert Assessment.objects.get().criteria_set == in_force


def test_the_model_refuses_threshold_edits_of_a_used_version_for_the_admin_form_too(village):
    report_assess(report=approved_report(village, 2023))
    in_force = CriteriaSet.objects.get(first_year=2020)
    in_force.village_min_active_shops = 50

    with pytest.raises(ValidationError, match="has assessments"):
        in_force.full_clean()


def test_a_version_without_assessments_can_still_be_corrected(administrator):
    unused = CriteriaSet.objects.get(first_year=2019)

    criteria_set_update(criteria_set=unused, by=administrator, town_min_active_shops=299)

    assert CriteriaSet.objects.get(first_year=2019).town_min_active_shops == 299


def test_only_administrators_change_criteria(official):
    with pytest.raises(PermissionDenied):
        criteria_set_update(criteria_set=CriteriaSet.objects.get(first_year=2019), by=official, name="x")


def test_the_village_page_says_a_neighbourhood_committee_certified_before_is_still_eligible(tree, client):
    community = VillageFactory(township=tree.other_town, code="320324109002", name="东风社区居委会")
    report_assess(report=approved_report(community, 2019))
    report_assess(report=approved_report(community, 2020))

    english = client.get(f"/villages/{community.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(f"/villages/{community.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "neighbourhood committee, certified in 2019: still eligible" in english
    assert "居委会，2019 年已认定：仍符合条件" in chinese


def test_the_api_gives_the_year_of_the_earlier_certification_in_the_location_check(tree, client):
    community = VillageFactory(township=tree.other_town, code="320324109002", name="东风社区居委会")
    report_assess(report=approved_report(community, 2019))
    report_assess(report=approved_report(community, 2020))

    rows = client.get("/api/v1/assessments/", {"village": community.code}).json()["results"]

    location = {row["year"]: row["checks"][0] for row in rows}
    assert location[2020]["certified_in"] == 2019 and location[2019]["certified_in"] is None
    criteria = client.get("/api/v1/criteria/").json()
    versions = criteria["results"] if isinstance(criteria, dict) else criteria
    assert {v["first_year"]: v["neighbourhood_committee_rule"] for v in versions}[2020] == "keep_certified"
