"""Writes of the reconciliation: record the sources of an assessment's inputs, register a shop from the feed.

Scoring stays on the approved declaration (the county certifies); an assessment records beside each
input the platform's figure and the difference (`report_input_sources`, set-based: one query for any number
of reports; `certification.report_assess` stores it with the assessment, in the same write). "Register
from the feed" creates the shop the platform lists and its figures for the year through the registry's own
services, so jurisdiction and validation are theirs.
"""

from typing import NamedTuple

from django.db import transaction

from villages import reconciliation
from villages.models import AnnualReport, OnlineShop, PlatformShopYear
from villages.selectors.jurisdiction import may_edit_registry
from villages.selectors.reconciliation import platform_figures, reconciliation_of, tolerance_percent

from .recording import require
from .registry import NOT_YOUR_AREA, shop_create, shop_year_create


def report_input_sources(*, report_ids) -> dict[int, dict]:
    """What the assessments of these reports record as the sources of their inputs, by report id (one query)."""
    tolerance = tolerance_percent()
    return {
        report.pk: reconciliation.input_sources(reconciliation_of(report, tolerance))
        for report in platform_figures(AnnualReport.objects.filter(pk__in=report_ids))
    }


def report_input_sources_of(report) -> dict:
    """The sources of one report's inputs: from the platform figures `platform_figures` annotated on the
    row in hand (no query), else read (one query)."""
    if hasattr(report, "platform_sales"):
        return reconciliation.input_sources(reconciliation_of(report))
    return report_input_sources(report_ids=[report.pk])[report.pk]


class FeedRegistration(NamedTuple):
    shop: OnlineShop
    created: bool


@transaction.atomic
def shop_register_from_feed(*, by, platform_shop_year: PlatformShopYear) -> FeedRegistration:
    """Register the shop a platform lists in a village, with its figures for the year the platform gave.

    A shop already registered under the same platform and shop ID is left as it is (`created` False): a
    second click, or two at once, registers nothing twice.
    """
    # The platform's row is locked first, so that two clicks at once wait for each other here.
    fed = PlatformShopYear.objects.select_for_update().select_related("village").get(pk=platform_shop_year.pk)
    require(may_edit_registry(by, fed.village.code), NOT_YOUR_AREA)
    existing = OnlineShop.objects.filter(platform=fed.platform, platform_shop_id=fed.platform_shop_id).first()
    if existing is not None:
        return FeedRegistration(existing, False)
    shop = shop_create(
        by=by,
        village=fed.village,
        platform=fed.platform,
        platform_shop_id=fed.platform_shop_id,
        name=fed.shop_name or fed.platform_shop_id,
    )
    shop_year_create(
        by=by,
        shop=shop,
        year=fed.year,
        sales=fed.sales,
        orders_last_3_months=fed.orders_last_3_months,
        days_open=fed.days_open,
    )
    return FeedRegistration(shop, True)

