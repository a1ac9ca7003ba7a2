"""The registry's active-shop rule (`scoring.is_active_shop`) as a filter, for counting active shops in SQL.

Registered shops (`ShopYear`) and the platforms' own shop figures (`PlatformShopYear`) carry the same two
columns, so one filter serves both; tests/villages/test_report_warnings.py and test_reconciliation.py pin it
to the pure rule on a grid of its boundaries.
"""

from django.db.models import F, Q

from villages.scoring import ACTIVE_SHOP_DAYS_PER_MONTH, ACTIVE_SHOP_FULL_WINDOW_DAYS, ACTIVE_SHOP_MIN_DAYS

FULL_WINDOW_MIN_ORDERS = ACTIVE_SHOP_FULL_WINDOW_DAYS // ACTIVE_SHOP_DAYS_PER_MONTH


def active_shop_year_q(path: str = "") -> Q:
    """`scoring.is_active_shop` as a filter on shop-year rows (reached through `path`), for counting in SQL.

    Open at least 90 days: at least 3 orders in the last 3 months. Open 30 to 89 days: at least one order per
    30 days open, i.e. 30 × orders ≥ days open.
    """
    days, orders = f"{path}days_open", f"{path}orders_last_3_months"
    return Q(**{f"{days}__gte": ACTIVE_SHOP_FULL_WINDOW_DAYS, f"{orders}__gte": FULL_WINDOW_MIN_ORDERS}) | Q(
        **{
            f"{days}__gte": ACTIVE_SHOP_MIN_DAYS,
            f"{days}__lt": ACTIVE_SHOP_FULL_WINDOW_DAYS,
            f"{days}__lte": F(orders) * ACTIVE_SHOP_DAYS_PER_MONTH,
        }
    )
