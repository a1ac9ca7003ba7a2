"""Writes of the reconciliation: record the sources of an assessment's inputs, register a shop from the feed.

Scoring stays on the approved declaration (the county certifies); an assessment records beside each input
the platform's figure and the difference (`assessment_input_sources_record`, set-based: one read and one
write for any number of assessments). "Register from the feed" creates the shop the platform lists and its
figures for the year through the registry's own services, so jurisdiction and validation are theirs.
"""

from typing import NamedTuple

from django.db import transaction

from villages import reconciliation
from villages.models import AnnualReport, Assessment, OnlineShop, PlatformShopYear
from villages.selectors.jurisdiction import may_edit_registry
from villages.selectors.reconciliation import reconciliation_of, tolerance_percent, with_platform_figures

from .recording import require
from .registry import NOT_YOUR_AREA, shop_create, shop_year_create


def assessment_input_sources_record(*, assessments) -> None:
    """Fill `input_sources` of the assessments (of reports) from the platform's figures of their year."""
    by_report = {assessment.report_id: assessment for assessment in assessments if assessment.report_id}
    if not by_report:
        return
    tolerance = tolerance_percent()
    for report in with_platform_figures(AnnualReport.objects.filter(pk__in=by_report), tolerance):
        by_report[report.pk].input_sources = reconciliation.input_sources(reconciliation_of(report, tolerance))
    Assessment.objects.bulk_update(list(by_report.values()), ["input_sources"])


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

