"""`manage.py rescore`: set-based recomputation after a criteria change, with a query count that stays flat."""

import io
import json
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.management import CommandError, call_command

from tests.factories import AnnualReportFactory, VillageFactory
from tests.villages.test_scoring import RULES_2019, RULES_2020, village
from villages import codes
from villages.models import AnnualReport, Assessment, CriteriaSet, TaobaoTown, VillageCluster
from villages.scoring import VillageCriteria, assess_village
from villages.services.certification import (
    AssessmentRowText,
    assessments_rescore,
    report_assess,
    taobao_towns_refresh,
)
from villages.services.criteria import criteria_set_create, criteria_set_update

APPROVED = AnnualReport.Status.APPROVED


def approved_reports(township, count, year=2023, **figures):
    return [
        AnnualReportFactory(village=VillageFactory(township=township), year=year, status=APPROVED, **figures)
        for _ in range(count)
    ]


def stricter_version_from(year):
    criteria_set_update(criteria_set=CriteriaSet.objects.get(first_year=2020), last_year=year - 1)
    return criteria_set_create(
        name=f"Stricter from {year}",
        first_year=year,
        eligible_committee_types=["village_committee"],
        village_min_sales=11_000_000,
        village_min_active_shops=100,
        village_min_household_share=Decimal("0.1"),
        town_min_taobao_villages=3,
        town_scale_route=True,
        town_min_sales=30_000_000,
        town_min_active_shops=300,
        subdistricts_can_be_towns=False,
    )


def test_rescore_applies_a_new_version_and_reports_how_many_changed_status(tree):
    for report in approved_reports(tree.town, 3, ecommerce_sales=10_500_000):
        report_assess(report=report)
    for report in approved_reports(tree.town, 2, ecommerce_sales=12_000_000):
        report_assess(report=report)
    assert TaobaoTown.objects.get(year=2023).route == "villages"
    stricter = stricter_version_from(2023)

    output = io.StringIO()
    call_command("rescore", "--year", "2023", stdout=output)

    assert "3 changed qualified status (0 gained, 3 lost)" in output.getvalue()
    assert set(Assessment.objects.values_list("criteria_set", flat=True)) == {stricter.pk}
    assert Assessment.objects.filter(qualified=True).count() == 2
    # Two Taobao villages are too few for the villages route; the town stays one by scale (RMB 55.5M, 600 shops).
    assert TaobaoTown.objects.get(year=2023).route == "scale"
    failed = Assessment.objects.filter(qualified=False).first()
    assert failed.checks[1]["gap"] == 500_000
    assert failed.status_change == "none"


def test_rescore_gives_the_same_assessments_as_assessing_one_by_one(tree):
    reports = approved_reports(tree.town, 4) + approved_reports(tree.town, 2, ecommerce_sales=9_000_000)
    for report in reports:
        report_assess(report=report)
    before = {
        a.village_id: (a.qualified, a.score, a.checks, a.inputs, a.status_change)
        for a in Assessment.objects.all()
    }
    Assessment.objects.update(qualified=False, score=0, checks=[], status_change="none")

    summary = assessments_rescore()

    after = {
        a.village_id: (a.qualified, a.score, a.checks, a.inputs, a.status_change)
        for a in Assessment.objects.all()
    }
    assert after == before
    assert (summary.assessed, summary.gained, summary.lost) == (6, 4, 0)


def test_rescore_removes_assessments_of_reports_no_longer_approved(tree):
    report = approved_reports(tree.town, 1)[0]
    report_assess(report=report)
    AnnualReport.objects.filter(pk=report.pk).update(status=AnnualReport.Status.RETURNED)

    summary = assessments_rescore(years=[2023])

    assert summary.removed == 1
    assert not Assessment.objects.exists()


def test_rescoring_a_year_corrects_the_next_years_status_changes(tree):
    village = VillageFactory(township=tree.town)
    earlier = AnnualReportFactory(village=village, year=2022, status=APPROVED, ecommerce_sales=10_500_000)
    report_assess(report=earlier)
    later = report_assess(
        report=AnnualReportFactory(village=village, year=2023, status=APPROVED, ecommerce_sales=12_000_000)
    )
    assert later.status_change == "retained"
    criteria_set_update(criteria_set=CriteriaSet.objects.get(first_year=2020), last_year=2023)
    CriteriaSet.objects.filter(first_year=2020).update(village_min_sales=11_000_000)  # a correction of 2022

    assessments_rescore(years=[2022])

    later.refresh_from_db()
    assert later.status_change == "new"


def test_rescore_of_a_year_without_criteria_fails_clearly(tree):
    AnnualReportFactory(village=VillageFactory(township=tree.town), year=2023, status=APPROVED)
    CriteriaSet.objects.filter(first_year=2020).update(last_year=2022)

    with pytest.raises(CommandError, match="No criteria version covers the year 2023"):
        call_command("rescore", stdout=io.StringIO())


def test_the_towns_summed_during_the_pass_are_the_towns_the_assessments_give(tree):
    """The rescore sums each township's villages, sales and shops while it scores (no second aggregate);
    rebuilding the towns from the stored assessments afterwards must give the very same towns."""
    for report in approved_reports(tree.town, 3):  # three Taobao villages: the villages route
        report_assess(report=report)
    for report in approved_reports(tree.second_county_town, 2, ecommerce_sales=16_000_000, active_shops=160):
        report_assess(report=report)  # two Taobao villages, RMB 32M and 320 shops
    approved_reports(tree.other_town, 2, ecommerce_sales=5_000_000)  # assessed by the rescore only
    version = CriteriaSet.objects.get(first_year=2020)
    snapshot_only = VillageFactory(township=tree.second_county_town)
    Assessment.objects.create(
        village=snapshot_only, year=2023, criteria_set=version, qualified=False, score=0,
        inputs={"committee_type": "village_committee", "ecommerce_sales": 9_000_000, "active_shops": 100,
                "households": 900},
    )

    def towns():
        return set(
            TaobaoTown.objects.values_list("township_id", "route", "taobao_villages", "ecommerce_sales", "active_shops")
        )

    summary = assessments_rescore(years=[2023])
    summed_in_the_pass = towns()
    taobao_towns_refresh(year=2023, criteria_set=version)

    assert summary.assessed == 8
    assert summed_in_the_pass == towns() == {
        (tree.town.code, "villages", 3, 36_000_000, 360),
        # the snapshot-only village does not qualify, but its sales and shops count: RMB 41M > 30M, 420 > 300
        (tree.second_county_town.code, "scale", 2, 41_000_000, 420),
    }


# Reads: years' criteria, qualified before, previous year, reports (one cursor, with the townships),
# snapshots; writes: a staging table (create, one insert per batch, one upsert, drop), stale removal, next
# year's statuses, towns (2: the townships were summed in the pass), clusters (4); and the savepoint around
# it all; the facts of the year: committee types and township types changed by later conversions, and the
# neighbourhood committees certified before (3); the townships' own approved reports (1); the township
# points of Taobao villages without coordinates (2); the certificates (revoke, what to issue, one insert, the
# check that none is left: 4). The same for 10 or 10,000 villages.
RESCORE_QUERY_BUDGET = 29


@pytest.mark.parametrize("count", [10, 200])
def test_rescore_query_count_does_not_grow_with_the_number_of_villages(tree, count, django_assert_max_num_queries):
    version = CriteriaSet.objects.get(first_year=2020)
    for report in approved_reports(tree.town, count):
        Assessment.objects.create(
            village_id=report.village_id, year=2023, criteria_set=version, report=report, qualified=False, score=0
        )

    with django_assert_max_num_queries(RESCORE_QUERY_BUDGET):
        summary = assessments_rescore(years=[2023])

    assert (summary.assessed, summary.gained) == (count, count)
    assert VillageCluster.objects.get(year=2023).village_count == count


def test_the_rescore_benchmark_runs_at_smoke_size(tmp_path, monkeypatch):
    """The benchmark script itself, on 200 villages, so that it cannot rot."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "bench/bench_rescore.py", "--villages", "200", "--rounds", "1", "--no-write",
         "--database-url", ""],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Engine vs naive loop" in result.stdout


ODD_SHARE = VillageCriteria(
    eligible_committee_types=(codes.VILLAGE_COMMITTEE,),
    min_sales=0,
    min_active_shops=0,
    min_household_share=Fraction(0),
)



@pytest.mark.parametrize("criteria", [RULES_2019, RULES_2020, ODD_SHARE])
@pytest.mark.parametrize(
    "inputs",
    [
        village(),
        village(sales=9_999_999),
        village(sales=0, shops=0, households=0),
        village(shops=99, households=990),
        village(shops=99, households=991),
        village(shops=7, households=3),
        village(sales=1_234_567, shops=1, households=7),
        village(committee_type=codes.NEIGHBOURHOOD_COMMITTEE, shops=40, households=333),
        village(committee_type='odd "quoted" type \\ 村'),
    ],
)
def test_a_staged_row_is_exactly_the_assessment(criteria, inputs):
    result = assess_village(criteria, inputs)
    qualified, score, inputs_json, checks_json = AssessmentRowText(criteria).row(
        inputs.committee_type, inputs.ecommerce_sales, inputs.active_shops, inputs.households
    )
    assert json.loads(checks_json) == result.checks_as_dicts()
    assert json.loads(inputs_json) == inputs.as_dict()
    assert (qualified, score) == (result.qualified, result.score)


def test_staged_rows_match_the_assessment_over_thousands_of_random_villages():
    """The rescoring stages `row`; the approval writes `assess`: they must agree everywhere, not only at the
    boundaries above (both read the scorer's `outcome`, so this holds the JSON templates to it)."""
    randomness = random.Random(20261129)
    row_texts = [AssessmentRowText(criteria) for criteria in (RULES_2019, RULES_2020, ODD_SHARE)]
    criteria_of = dict(zip(row_texts, (RULES_2019, RULES_2020, ODD_SHARE), strict=True))
    types = [codes.VILLAGE_COMMITTEE, codes.NEIGHBOURHOOD_COMMITTEE]
    for _ in range(3000):
        inputs = village(
            sales=randomness.choice([0, 9_999_999, 10_000_000, randomness.randrange(30_000_000)]),
            shops=randomness.choice([0, 99, 100, randomness.randrange(400)]),
            households=randomness.choice([0, 1, 990, 991, randomness.randrange(1, 6000)]),
            committee_type=randomness.choice(types),
        )
        row_text = randomness.choice(row_texts)
        result = assess_village(criteria_of[row_text], inputs)
        qualified, score, inputs_json, checks_json = row_text.row(
            inputs.committee_type, inputs.ecommerce_sales, inputs.active_shops, inputs.households
        )
        assert json.loads(checks_json) == result.checks_as_dicts(), inputs
        assert json.loads(inputs_json) == inputs.as_dict()
        assert (qualified, score) == (result.qualified, result.score)
