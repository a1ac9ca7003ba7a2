"""The pure village rule and the active-shop rule at every boundary the issue names (no database)."""

import random
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest

from villages import codes
from villages.scoring import (
    VillageCriteria,
    VillageInputs,
    _score_of,
    assess_village,
    is_active_shop,
    status_change,
    village_qualifies,
)

RULES_2019 = VillageCriteria(
    eligible_committee_types=(codes.VILLAGE_COMMITTEE, codes.NEIGHBOURHOOD_COMMITTEE),
    min_sales=10_000_000,
    min_active_shops=100,
    min_household_share=Fraction(1, 10),
)
RULES_2020 = VillageCriteria(
    eligible_committee_types=(codes.VILLAGE_COMMITTEE,),
    min_sales=10_000_000,
    min_active_shops=100,
    min_household_share=Fraction(1, 10),
)


def village(sales=10_000_000, shops=100, households=5000, committee_type=codes.VILLAGE_COMMITTEE):
    return VillageInputs(committee_type, ecommerce_sales=sales, active_shops=shops, households=households)


def test_sales_exactly_at_the_threshold_pass():
    result = assess_village(RULES_2020, village(sales=10_000_000))
    assert result.check("sales").passed
    assert result.check("sales").gap == 0
    assert result.qualified


def test_sales_one_yuan_under_the_threshold_fail_with_a_gap_of_one_yuan():
    result = assess_village(RULES_2020, village(sales=9_999_999))
    assert not result.check("sales").passed
    assert result.check("sales").gap == 1
    assert not result.qualified


def test_100_active_shops_pass_by_count_and_99_fail_when_the_share_is_short():
    assert assess_village(RULES_2020, village(shops=100)).check("shops").passed
    assert assess_village(RULES_2020, village(shops=100)).check("shops").details["route"] == "count"
    short = assess_village(RULES_2020, village(shops=99, households=5000))
    assert not short.check("shops").passed
    assert short.check("shops").gap == 1


def test_99_shops_in_990_households_is_exactly_ten_percent_and_passes_by_share():
    shops = assess_village(RULES_2020, village(shops=99, households=990)).check("shops")
    assert shops.passed
    assert shops.details["route"] == "share"
    assert shops.details["share_actual"] == 10.0


def test_99_shops_in_991_households_is_just_under_ten_percent_and_fails():
    shops = assess_village(RULES_2020, village(shops=99, households=991)).check("shops")
    assert not shops.passed
    # One more shop reaches both the count (100) and the share (ceil(99.1) = 100).
    assert shops.gap == 1
    assert shops.details["shops_for_share"] == 100
    assert shops.details["share_gap"] == pytest.approx(0.01, abs=0.005)


def test_a_neighbourhood_committee_counts_in_2019_but_not_from_2020():
    community = village(sales=50_000_000, shops=500, committee_type=codes.NEIGHBOURHOOD_COMMITTEE)
    assert assess_village(RULES_2019, community).qualified
    in_2020 = assess_village(RULES_2020, community)
    assert not in_2020.qualified
    assert not in_2020.check("location").passed
    assert in_2020.score == 0


def test_gaps_are_what_is_missing_in_yuan_shops_and_percentage_points():
    result = assess_village(RULES_2020, village(sales=8_600_000, shops=88, households=1000))
    assert result.check("sales").gap == 1_400_000
    shops = result.check("shops")
    # 12 more shops reach 100; 12 more also reach 10 % of 1,000 households: the smaller gap is 12.
    assert shops.gap == 12
    assert shops.details["share_gap"] == 1.2
    assert shops.details["share_required"] == 10.0


def test_the_shop_gap_is_the_cheaper_route():
    # 2,000 households: the share route needs 200 shops, the count route 100, so 40 more by count.
    assert assess_village(RULES_2020, village(shops=60, households=2000)).check("shops").gap == 40
    # 300 households: the share route needs 30 shops, so 5 more by share.
    assert assess_village(RULES_2020, village(shops=25, households=300)).check("shops").gap == 5


def test_the_readiness_score_weighs_sales_and_breadth_half_each():
    assert assess_village(RULES_2020, village(sales=8_600_000, shops=100)).score == Decimal("93.0")
    assert assess_village(RULES_2020, village(sales=5_000_000, shops=50, households=5000)).score == Decimal("50.0")
    # Breadth by share: 45 shops in 500 households is 9 %, 0.9 of the 10 % bar (better than 45/100 by count).
    assert assess_village(RULES_2020, village(sales=20_000_000, shops=45, households=500)).score == Decimal("95.0")
    assert assess_village(RULES_2020, village(sales=50_000_000, shops=900)).score == Decimal("100.0")


def test_the_score_rounds_half_up_to_a_tenth():
    # 50 · 1,234,567 / 10,000,000 = 6.172835; breadth 50 · 1/100 = 0.5 -> 6.672835 -> 6.7
    assert assess_village(RULES_2020, village(sales=1_234_567, shops=1)).score == Decimal("6.7")
    # 50 · 1,001,000 / 10,000,000 = 5.005; + 0 -> 5.0 (5.005 rounds to 5.0 in tenths)
    assert assess_village(RULES_2020, village(sales=1_001_000, shops=0)).score == Decimal("5.0")
    # 50 · 1,010,000 / 10,000,000 = 5.05 -> 5.1 (half up, not half even)
    assert assess_village(RULES_2020, village(sales=1_010_000, shops=0)).score == Decimal("5.1")


def test_a_village_that_misses_a_threshold_by_a_hair_scores_below_100():
    # 50 · 9,999,999 / 10,000,000 = 49.9999995, + 50 for 150 shops: 99.9999995 would round half up to 100.0.
    result = assess_village(RULES_2020, village(sales=9_999_999, shops=150, households=800))
    assert not result.qualified
    assert result.score == Decimal("99.9")
    # 99 of 100 shops in 10,000 households, sales far over the bar: 99.5 rounds to 99.5, not capped wrongly.
    assert assess_village(RULES_2020, village(sales=50_000_000, shops=99, households=10_000)).score == Decimal("99.5")
    # The same by the shop breadth: 99.99 % of the count bar (with share unused) stays below 100 too.
    near = VillageCriteria(
        eligible_committee_types=(codes.VILLAGE_COMMITTEE,),
        min_sales=10_000_000,
        min_active_shops=100_000,
        min_household_share=Fraction(1, 10),
    )
    assert assess_village(near, village(sales=10_000_000, shops=99_999, households=10_000_000)).score == Decimal("99.9")


def test_checks_serialise_to_plain_dicts_with_key_passed_actual_required_gap():
    checks = assess_village(RULES_2020, village()).checks_as_dicts()
    assert [check["key"] for check in checks] == ["location", "sales", "shops"]
    for check in checks:
        assert {"key", "passed", "actual", "required", "gap"} <= set(check)


def test_criteria_are_read_off_a_criteria_set_shaped_object_exactly():
    criteria = VillageCriteria.of(
        SimpleNamespace(
            eligible_committee_types=["village_committee"],
            village_min_sales=10_000_000,
            village_min_active_shops=100,
            village_min_household_share=Decimal("0.1000"),
        )
    )
    assert criteria.min_household_share == Fraction(1, 10)


@pytest.mark.parametrize(
    "inputs",
    [
        village(),
        village(sales=9_999_999),
        village(shops=99, households=990),
        village(shops=99, households=991),
        village(committee_type=codes.NEIGHBOURHOOD_COMMITTEE),
    ],
)
def test_village_qualifies_agrees_with_assess_village(inputs):
    assert village_qualifies(RULES_2020, inputs) == assess_village(RULES_2020, inputs).qualified


def test_village_qualifies_agrees_with_assess_village_over_random_villages():
    randomness = random.Random(20261201)
    for _ in range(2000):
        inputs = village(
            sales=randomness.choice([9_999_999, 10_000_000, randomness.randrange(20_000_000)]),
            shops=randomness.choice([99, 100, randomness.randrange(200)]),
            households=randomness.choice([0, 990, 991, randomness.randrange(1, 3000)]),
            committee_type=randomness.choice([codes.VILLAGE_COMMITTEE, codes.NEIGHBOURHOOD_COMMITTEE]),
        )
        criteria = randomness.choice([RULES_2019, RULES_2020])
        assert village_qualifies(criteria, inputs) == assess_village(criteria, inputs).qualified, inputs


def test_a_shop_open_three_months_or_more_needs_three_orders():
    assert is_active_shop(days_open=365, orders_last_3_months=3)
    assert not is_active_shop(days_open=365, orders_last_3_months=2)
    assert is_active_shop(days_open=90, orders_last_3_months=3)


def test_a_shop_open_between_30_days_and_3_months_is_prorated():
    assert is_active_shop(days_open=30, orders_last_3_months=1)
    assert not is_active_shop(days_open=30, orders_last_3_months=0)
    assert is_active_shop(days_open=60, orders_last_3_months=2)
    assert not is_active_shop(days_open=61, orders_last_3_months=2)  # 61 days is 2.03 months
    assert is_active_shop(days_open=45, orders_last_3_months=2)
    assert not is_active_shop(days_open=45, orders_last_3_months=1)


def test_a_shop_open_under_30_days_is_never_active():
    assert not is_active_shop(days_open=29, orders_last_3_months=100)


@pytest.mark.parametrize(
    ("previous", "qualified", "expected"),
    [(None, True, "new"), (False, True, "new"), (True, True, "retained"), (True, False, "lost"),
     (False, False, "none"), (None, False, "none")],
)
def test_status_change_against_the_previous_year(previous, qualified, expected):
    assert status_change(previous_qualified=previous, qualified=qualified) == expected


def test_scores_come_from_exact_tenths_even_out_of_the_usual_range():
    assert _score_of(0) == Decimal("0.0") and _score_of(1000) == Decimal("100.0") and _score_of(67) == Decimal("6.7")
    assert _score_of(1001) == Decimal("100.1") and _score_of(-15) == Decimal("-1.5")
