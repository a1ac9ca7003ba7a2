"""The code parser and the village rule at a few known points (the full boundary suite lives beside it)."""

from fractions import Fraction

from villages import codes
from villages.scoring import VillageCriteria, VillageInputs, assess_village, is_active_shop

CRITERIA_2020 = VillageCriteria(
    eligible_committee_types=("village_committee",),
    min_sales=10_000_000,
    min_active_shops=100,
    min_household_share=Fraction(1, 10),
)


def test_dinglou_code_is_a_village_committee_in_daji_town():
    village = codes.VillageCode("371721121227")
    assert village.committee_type == codes.VILLAGE_COMMITTEE
    assert (village.province, village.prefecture, village.county, village.township) == (
        "370000",
        "371700",
        "371721",
        "371721121",
    )
    assert village.economic_region == "east"


def test_dongfeng_community_is_a_neighbourhood_committee_and_fails_location_from_2020():
    assert codes.committee_type_of("320324109002") == codes.NEIGHBOURHOOD_COMMITTEE
    result = assess_village(
        CRITERIA_2020,
        VillageInputs(codes.NEIGHBOURHOOD_COMMITTEE, ecommerce_sales=50_000_000, active_shops=500, households=900),
    )
    assert not result.qualified
    assert result.score == 0
    assert not result.check("location").passed


def test_sales_gap_is_what_is_missing():
    result = assess_village(
        CRITERIA_2020,
        VillageInputs(codes.VILLAGE_COMMITTEE, ecommerce_sales=8_600_000, active_shops=100, households=2000),
    )
    assert result.check("sales").gap == 1_400_000
    assert result.check("shops").passed
    assert result.score == 93.0


def test_shop_open_45_days_is_active_with_two_orders_but_not_one():
    assert is_active_shop(days_open=45, orders_last_3_months=2)
    assert not is_active_shop(days_open=45, orders_last_3_months=1)
    assert not is_active_shop(days_open=29, orders_last_3_months=50)
