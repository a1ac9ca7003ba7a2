"""What a bulk review reads: the reports a reviewer picked from the queue, each with its warnings, in one query."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from villages.models import AnnualReport, OnlineShop, ShopYear

from .active_shops import active_shop_year_q
from .reconciliation import attach_reconciliations, platform_figures
from .review import PreviousApproval, figure_warnings, reconciliation_warnings, review_queue
from .visibility import reports_in_scope_of


def review_queue_ids(user, limit: int) -> tuple[list[int], int]:
    """The ids of the user's review queue in its order, at most `limit` of them, and how many the queue holds."""
    queue = review_queue(user)
    ids = list(queue.values_list("pk", flat=True)[:limit])
    return ids, queue.count() if len(ids) == limit else len(ids)


def reports_in_review_scope(user, report_ids):
    """The reports among `report_ids` that lie in the user's area, whatever their status; an id of another area
    is simply not among them."""
    return reports_in_scope_of(user).filter(pk__in=report_ids).select_related("village")


def reports_for_bulk_review(user, report_ids) -> list[AnnualReport]:
    """The reports among `report_ids` in the user's area, oldest submission first, each with its `warnings`.

    The warnings are those of the report's page (`review.report_warnings`), with what they compare with loaded
    for all the reports at once as subqueries, so the query count does not grow with the selection.
    """
    previous = AnnualReport.objects.filter(
        village_id=OuterRef("village_id"), year__lt=OuterRef("year"), status=AnnualReport.Status.APPROVED
    ).order_by("-year")
    shops = OnlineShop.objects.filter(village_id=OuterRef("village_id")).order_by().values("village_id")
    active_shop_years = (
        ShopYear.objects.filter(shop__village_id=OuterRef("village_id"), year=OuterRef("year"))
        .filter(active_shop_year_q())
        .order_by()
        .values("shop__village_id")
    )
    integer = IntegerField()
    rows = (
        platform_figures(reports_in_scope_of(user).filter(pk__in=report_ids))
        .annotate(
            previous_year=Subquery(previous.values("year")[:1]),
            previous_sales=Subquery(previous.values("ecommerce_sales")[:1]),
            registered_shops=Coalesce(
                Subquery(shops.annotate(total=Count("pk")).values("total")[:1], output_field=integer), 0
            ),
            registered_active_shops=Coalesce(
                Subquery(active_shop_years.annotate(total=Count("pk")).values("total")[:1], output_field=integer),
                0,
            ),
        )
        .select_related("village", "village__township")
        .order_by("submitted_at", "pk")
    )
    reports = attach_reconciliations(rows)
    for report in reports:
        previous_approval = (
            None if report.previous_year is None else PreviousApproval(report.previous_year, report.previous_sales)
        )
        report.warnings = figure_warnings(
            report,
            previous=previous_approval,
            registered_shops=report.registered_shops,
            registered_active_shops=report.registered_active_shops,
        ) + reconciliation_warnings(report.reconciliation)
    return reports
