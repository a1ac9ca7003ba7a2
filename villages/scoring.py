"""Pure certification rules: the active-shop rule and the Taobao-village test, over plain values (no ORM)."""

import math
from dataclasses import dataclass, field
from fractions import Fraction

ACTIVE_SHOP_MIN_DAYS = 30
ACTIVE_SHOP_FULL_WINDOW_DAYS = 90
ACTIVE_SHOP_DAYS_PER_MONTH = 30

LOCATION = "location"
SALES = "sales"
SHOPS = "shops"


def is_active_shop(*, days_open: int, orders_last_3_months: int) -> bool:
    """Open at least 30 days and on average one order a month over the last 3 months.

    A shop open between 30 days and 3 months is judged on the months it was actually open (2022 wording).
    """
    if days_open < ACTIVE_SHOP_MIN_DAYS:
        return False
    months_open = Fraction(min(days_open, ACTIVE_SHOP_FULL_WINDOW_DAYS), ACTIVE_SHOP_DAYS_PER_MONTH)
    return orders_last_3_months >= months_open


@dataclass(frozen=True)
class VillageCriteria:
    """The village thresholds of one criteria version, as plain values."""

    eligible_committee_types: tuple[str, ...]
    min_sales: int
    min_active_shops: int
    min_household_share: Fraction

    @classmethod
    def of(cls, criteria_set) -> "VillageCriteria":
        """Read the thresholds off anything shaped like a CriteriaSet (a model instance or a plain object)."""
        return cls(
            eligible_committee_types=tuple(criteria_set.eligible_committee_types),
            min_sales=int(criteria_set.village_min_sales),
            min_active_shops=int(criteria_set.village_min_active_shops),
            min_household_share=Fraction(str(criteria_set.village_min_household_share)),
        )


@dataclass(frozen=True)
class VillageInputs:
    committee_type: str
    ecommerce_sales: int
    active_shops: int
    households: int


@dataclass(frozen=True)
class Check:
    """One criterion: whether it passed, the figure, the threshold and what is missing (0 when passed)."""

    key: str
    passed: bool
    actual: object
    required: object
    gap: object
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "passed": self.passed,
            "actual": self.actual,
            "required": self.required,
            "gap": self.gap,
            **self.details,
        }


@dataclass(frozen=True)
class VillageResult:
    qualified: bool
    score: float
    checks: tuple[Check, ...]

    def check(self, key: str) -> Check:
        return next(check for check in self.checks if check.key == key)


def _percentage_points(share: Fraction) -> float:
    return round(float(share * 100), 2)


def assess_village(criteria: VillageCriteria, inputs: VillageInputs) -> VillageResult:
    """Score one village for one year: location, sales and shop breadth, each with its gap."""
    location_passed = inputs.committee_type in criteria.eligible_committee_types
    location = Check(
        key=LOCATION,
        passed=location_passed,
        actual=inputs.committee_type,
        required=list(criteria.eligible_committee_types),
        gap=None,
    )

    sales_passed = inputs.ecommerce_sales >= criteria.min_sales
    sales = Check(
        key=SALES,
        passed=sales_passed,
        actual=inputs.ecommerce_sales,
        required=criteria.min_sales,
        gap=0 if sales_passed else criteria.min_sales - inputs.ecommerce_sales,
    )

    share = Fraction(inputs.active_shops, inputs.households) if inputs.households > 0 else Fraction(0)
    by_count = inputs.active_shops >= criteria.min_active_shops
    by_share = inputs.households > 0 and share >= criteria.min_household_share
    shops_passed = by_count or by_share
    shops_for_share = (
        math.ceil(criteria.min_household_share * inputs.households) if inputs.households > 0 else None
    )
    count_gap = max(0, criteria.min_active_shops - inputs.active_shops)
    share_gap_shops = max(0, shops_for_share - inputs.active_shops) if shops_for_share is not None else None
    shop_gap = 0 if shops_passed else min(g for g in (count_gap, share_gap_shops) if g is not None)
    shops = Check(
        key=SHOPS,
        passed=shops_passed,
        actual=inputs.active_shops,
        required=criteria.min_active_shops,
        gap=shop_gap,
        details={
            "route": "count" if by_count else ("share" if by_share else None),
            "share_actual": _percentage_points(share),
            "share_required": _percentage_points(criteria.min_household_share),
            "share_gap": 0 if shops_passed else _percentage_points(max(Fraction(0), criteria.min_household_share - share)),
            "shops_for_share": shops_for_share,
        },
    )

    score = 0.0
    if location_passed:
        sales_part = min(Fraction(1), Fraction(inputs.ecommerce_sales, criteria.min_sales)) if criteria.min_sales else 1
        count_part = (
            Fraction(inputs.active_shops, criteria.min_active_shops) if criteria.min_active_shops else Fraction(1)
        )
        share_part = share / criteria.min_household_share if criteria.min_household_share else Fraction(1)
        breadth_part = min(Fraction(1), max(count_part, share_part))
        score = round(float(50 * sales_part + 50 * breadth_part), 1)

    return VillageResult(
        qualified=location_passed and sales_passed and shops_passed,
        score=score,
        checks=(location, sales, shops),
    )
