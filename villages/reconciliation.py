"""The county's declaration beside the platform's own figures: differences, the tolerance, the input sources (pure).

Plain values in, plain values out: no ORM, no settings. The selector (`villages.selectors.reconciliation`)
loads the figures in a few set-based queries (and mirrors `beyond_tolerance` in SQL to filter and order by
it; `tests/villages/test_reconciliation.py` pins the two together) and passes the tolerance in.

Which platform figure counts:

- **Sales**: per platform, the village total the platform posted (`PlatformVillageYear`) when there is one,
  else the sum of that platform's shop figures attributed to the village; summed over the platforms. A
  platform's own total also covers shops it does not list one by one, so it wins over the sum of its shops.
- **Active shops**: always counted from the platform's shop figures with the registry's own rule
  (`scoring.is_active_shop`), never the platform's own count, so that both sides are judged by one rule.
- A figure the platform did not send at all (no rows for the village and year) is unknown (None), not 0, and
  is never flagged.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from villages.scoring import is_active_shop

DECLARED = "declared"
PLATFORM_CHECKED = "checked"
NO_PLATFORM_FIGURES = "unchecked"


@dataclass(frozen=True)
class PlatformShopFigures:
    """One shop's figures for a year as a platform posted them."""

    days_open: int
    orders_last_3_months: int


def active_shop_count(shops) -> int:
    """How many of the platform's shops count as active under the registry's rule."""
    return sum(
        1 for shop in shops if is_active_shop(days_open=shop.days_open, orders_last_3_months=shop.orders_last_3_months)
    )


def difference_percent(declared: int, platform: int | None) -> Decimal | None:
    """(declared − platform) as a percentage of the platform's figure, to one decimal; None when it has none.

    A platform figure of 0 has no percentage (None) unless the declaration is 0 too (0 %).
    """
    if platform is None:
        return None
    if platform == 0:
        return Decimal(0) if declared == 0 else None
    return (Decimal(declared - platform) * 100 / Decimal(platform)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def beyond_tolerance(declared: int, platform: int | None, tolerance_percent: int) -> bool:
    """Whether the declaration differs from the platform's figure by more than `tolerance_percent` of it.

    Exactly at the tolerance is within it. Against a platform figure of 0, any declaration above 0 is beyond.
    In integers: |declared − platform| × 100 > tolerance × platform.
    """
    if platform is None:
        return False
    return abs(declared - platform) * 100 > tolerance_percent * platform


@dataclass(frozen=True)
class FigureComparison:
    """One figure of a report: what the county declared, what the platform's data give, and how far apart."""

    key: str
    declared: int
    platform: int | None
    tolerance_percent: int

    @property
    def known(self) -> bool:
        return self.platform is not None

    @property
    def difference(self) -> int | None:
        return None if self.platform is None else self.declared - self.platform

    @property
    def difference_percent(self) -> Decimal | None:
        return difference_percent(self.declared, self.platform)

    @property
    def flagged(self) -> bool:
        return beyond_tolerance(self.declared, self.platform, self.tolerance_percent)


@dataclass(frozen=True)
class Reconciliation:
    """A report's declaration against the platform's figures for its village and year."""

    sales: FigureComparison
    active_shops: FigureComparison
    unregistered_shops: int
    unknown_registered_shops: int

    @property
    def has_platform_figures(self) -> bool:
        return self.sales.known or self.active_shops.known

    @property
    def flagged(self) -> bool:
        return self.sales.flagged or self.active_shops.flagged

    @property
    def flagged_figures(self) -> list[FigureComparison]:
        return [figure for figure in (self.sales, self.active_shops) if figure.flagged]


def reconcile(
    *,
    declared_sales: int,
    declared_active_shops: int,
    platform_sales: int | None,
    platform_active_shops: int | None,
    unregistered_shops: int = 0,
    unknown_registered_shops: int = 0,
    tolerance_percent: int,
) -> Reconciliation:
    return Reconciliation(
        sales=FigureComparison("ecommerce_sales", declared_sales, platform_sales, tolerance_percent),
        active_shops=FigureComparison("active_shops", declared_active_shops, platform_active_shops, tolerance_percent),
        unregistered_shops=unregistered_shops,
        unknown_registered_shops=unknown_registered_shops,
    )


def _source(figure: FigureComparison) -> dict:
    if not figure.known:
        return {"source": DECLARED, "check": NO_PLATFORM_FIGURES, "platform": None, "difference_percent": None}
    percent = figure.difference_percent
    return {
        "source": DECLARED,
        "check": PLATFORM_CHECKED,
        "platform": figure.platform,
        "difference_percent": None if percent is None else float(percent),
        "flagged": figure.flagged,
    }


def input_sources(reconciliation: Reconciliation) -> dict:
    """What an assessment records about where its inputs came from: the approved declaration scores, and the
    platform's figure stands beside each input it has one for."""
    return {
        "ecommerce_sales": _source(reconciliation.sales),
        "active_shops": _source(reconciliation.active_shops),
        "households": {"source": DECLARED, "check": NO_PLATFORM_FIGURES, "platform": None, "difference_percent": None},
    }
