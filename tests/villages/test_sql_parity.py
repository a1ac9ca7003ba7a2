"""SQL that mirrors a pure rule, pinned to it on generated cases: status changes and the near-miss watchlist."""

import math
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from tests.factories import criteria_for
from villages import codes
from villages.models import Assessment, CriteriaSet, Village
from villages.scoring import VillageCriteria, VillageInputs, assess_village, status_change, village_qualifies
from villages.selectors.certification import near_miss_assessments
from villages.services.certification import status_changes_refresh
from villages.services.criteria import criteria_set_create, criteria_set_update

StatusChange = Assessment.StatusChange


def villages_in(tree, units):
    """One village per unit number (001-199 neighbourhood committees, 200-399 village committees) in each of
    the tree's two towns."""
    rows = []
    for township in (tree.town, tree.other_town):
        for unit in units:
            code = f"{township.code}{unit:03d}"
            rows.append(
                Village(code=code, name=f"村{code}", township=township, committee_type=codes.committee_type_of(code))
            )
    return Village.objects.bulk_create(rows)


def test_status_changes_refresh_gives_the_pure_status_change_of_every_history(tree):
    randomness = random.Random(20261201)
    years = (2021, 2022, 2023)
    refreshed = years[1:]
    criteria_sets = {year: criteria_for(year) for year in years}
    verdicts = {}
    rows = []
    for village in villages_in(tree, range(200, 260)):
        for year in years:
            verdict = randomness.choice([None, False, True])  # None: no assessment that year
            if verdict is None:
                continue
            verdicts[village.pk, year] = verdict
            rows.append(
                Assessment(
                    village=village,
                    year=year,
                    criteria_set=criteria_sets[year],
                    qualified=verdict,
                    score=0,
                    status_change=randomness.choice(StatusChange.values),
                )
            )
    Assessment.objects.bulk_create(rows)
    untouched = dict(Assessment.objects.filter(year=years[0]).values_list("village_id", "status_change"))
    expected = {
        key: status_change(previous_qualified=verdicts.get((key[0], key[1] - 1)), qualified=verdict)
        for key, verdict in verdicts.items()
        if key[1] in refreshed
    }
    histories = {(verdicts.get((key[0], key[1] - 1)), verdicts[key]) for key in expected}
    assert histories == {(previous, now) for previous in (None, False, True) for now in (False, True)}

    status_changes_refresh(years=refreshed)

    stored = Assessment.objects.filter(year__in=refreshed).values_list("village_id", "year", "status_change")
    assert {(village_id, year): status for village_id, year, status in stored} == expected
    assert dict(Assessment.objects.filter(year=years[0]).values_list("village_id", "status_change")) == untouched


MARGINS = (0.05, 0.1, 0.15, 0.2, 0.3)


@pytest.fixture
def odd_versions(tree):
    """Beside the seeded 2020 version (closed after 2023): thresholds whose margins fall between integers."""
    criteria_set_update(criteria_set=CriteriaSet.objects.get(first_year=2020), last_year=2023)
    town_rules = {"town_min_taobao_villages": 3, "town_scale_route": False, "subdistricts_can_be_towns": False}
    criteria_set_create(
        name="Odd thresholds 2024",
        first_year=2024,
        last_year=2024,
        eligible_committee_types=[codes.VILLAGE_COMMITTEE],
        village_min_sales=7_777_777,
        village_min_active_shops=33,
        village_min_household_share=Decimal("0.0700"),
        **town_rules,
    )
    criteria_set_create(
        name="Odd thresholds 2025",
        first_year=2025,
        eligible_committee_types=[codes.VILLAGE_COMMITTEE, codes.NEIGHBOURHOOD_COMMITTEE],
        village_min_sales=1_000_003,
        village_min_active_shops=7,
        village_min_household_share=Decimal("0.3333"),
        **town_rules,
    )
    return tree


def relaxed(criteria: VillageCriteria, margin: float) -> VillageCriteria:
    """The same rule with every threshold lowered by the margin, exactly (figures are integers, so a count
    threshold rounds up)."""
    keep = 1 - Fraction(str(margin))
    return VillageCriteria(
        eligible_committee_types=criteria.eligible_committee_types,
        min_sales=math.ceil(criteria.min_sales * keep),
        min_active_shops=math.ceil(criteria.min_active_shops * keep),
        min_household_share=criteria.min_household_share * keep,
    )


def is_near_miss(criteria: VillageCriteria, inputs: VillageInputs, margin: float) -> bool:
    """The watchlist's rule in Python: failed, location passed with some score, and within the margin of
    every threshold, i.e. the relaxed rule passes."""
    result = assess_village(criteria, inputs)
    return not result.qualified and result.score > 0 and village_qualifies(relaxed(criteria, margin), inputs)


def figures_around_the_thresholds(randomness, criteria: VillageCriteria, margin: float) -> tuple[int, int, int]:
    """Sales, active shops and households on, just under and just over the thresholds and their margins."""
    keep = 1 - Fraction(str(margin))
    sales_floor = math.ceil(criteria.min_sales * keep)
    sales = randomness.choice(
        [sales_floor - 1, sales_floor, sales_floor + 1, criteria.min_sales - 1, criteria.min_sales]
        + [randomness.randrange(2 * criteria.min_sales)]
    )
    relaxed_share = criteria.min_household_share * keep
    if randomness.random() < 0.3:
        # Exactly on the relaxed share (a/b of the households): where a float product lands a hair above.
        times = randomness.randrange(1, 20)
        return sales, relaxed_share.numerator * times, relaxed_share.denominator * times
    shops_floor = math.ceil(criteria.min_active_shops * keep)
    shops = max(0, randomness.choice(
        [shops_floor - 1, shops_floor, criteria.min_active_shops - 1, criteria.min_active_shops]
        + [randomness.randrange(2 * criteria.min_active_shops)]
    ))
    # The most households `shops` can serve at the relaxed share, and one more.
    most_households = math.floor(shops / relaxed_share)
    households = max(1, randomness.choice(
        [most_households, most_households + 1, most_households - 1, randomness.randrange(1, 5000)]
    ))
    return sales, shops, households


def test_the_near_miss_sql_picks_the_villages_the_pure_rule_picks(odd_versions):
    randomness = random.Random(20261202)
    years = (2023, 2024, 2025)
    criteria_sets = {year: criteria_for(year) for year in (2022, *years)}
    criteria = {year: VillageCriteria.of(criteria_set) for year, criteria_set in criteria_sets.items()}
    rows = []
    for village in villages_in(odd_versions, [*range(1, 21), *range(200, 400)]):
        year = randomness.choice(years)
        # One village in four also has an earlier assessment: only the latest counts.
        for assessed_year in (year - 1, year) if randomness.random() < 0.25 else (year,):
            sales, shops, households = figures_around_the_thresholds(
                randomness, criteria[assessed_year], randomness.choice(MARGINS)
            )
            inputs = VillageInputs(village.committee_type, sales, shops, households)
            result = assess_village(criteria[assessed_year], inputs)
            rows.append(
                Assessment(
                    village=village,
                    year=assessed_year,
                    criteria_set=criteria_sets[assessed_year],
                    inputs=inputs.as_dict(),
                    checks=result.checks_as_dicts(),
                    qualified=result.qualified,
                    score=result.score,
                )
            )
    Assessment.objects.bulk_create(rows)
    latest = {row.village_id: row for row in sorted(rows, key=lambda row: row.year)}

    for margin in MARGINS:
        expected = {
            row.pk
            for row in latest.values()
            if is_near_miss(criteria[row.year], VillageInputs.from_dict(row.inputs), margin)
        }
        failed_with_a_score = {row.pk for row in latest.values() if not row.qualified and row.score > 0}
        assert 0 < len(expected) < len(failed_with_a_score), margin

        assert set(near_miss_assessments(margin=margin).values_list("pk", flat=True)) == expected, margin


def test_a_village_short_by_one_yuan_is_a_near_miss_below_100_and_below_every_qualified_score(tree):
    criteria_set = criteria_for(2023)
    criteria = VillageCriteria.of(criteria_set)
    short, far = villages_in(tree, [201])
    rows = []
    for village, sales in ((short, 9_999_999), (far, 9_000_000)):
        inputs = VillageInputs(village.committee_type, sales, 150, 800)
        result = assess_village(criteria, inputs)
        rows.append(
            Assessment(
                village=village,
                year=2023,
                criteria_set=criteria_set,
                inputs=inputs.as_dict(),
                checks=result.checks_as_dicts(),
                qualified=result.qualified,
                score=result.score,
            )
        )
    Assessment.objects.bulk_create(rows)

    near_misses = list(near_miss_assessments(margin=0.2).values_list("village__code", "score"))

    assert near_misses == [(short.code, Decimal("99.9")), (far.code, Decimal("95.0"))]
