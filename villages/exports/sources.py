"""The registered lists that can be downloaded: the rows (visibility selector, FilterSet, order) and columns.

Each exportable list names the selector that scopes it to a user, the FilterSet the API and the list page
filter it with, and its order. `filtered_export` runs the FilterSet over the query string exactly as the list
does (an invalid filter is a ValidationError, never an empty or unfiltered file) and streams the rows.
The service network registers its own list from `rural_services`, so this app never imports that one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from villages import headers
from villages.exports.formats import ExportColumn, export_response
from villages.filters import AnnualReportFilter, AssessmentFilter, OnlineShopFilter, VillageFilter
from villages.selectors.visibility import (
    assessments_visible_to,
    reports_visible_to,
    shops_visible_to,
    villages_visible_to,
)


@dataclass(frozen=True)
class ExportSource:
    rows_visible_to: Callable
    filterset_class: type
    ordering: tuple[str, ...]
    columns: tuple[ExportColumn, ...]


EXPORT_SOURCES: dict[str, ExportSource] = {}


def register_export_source(name: str, source: ExportSource) -> ExportSource:
    EXPORT_SOURCES[name] = source
    return source


register_export_source("villages", ExportSource(villages_visible_to, VillageFilter, ("code",), (
    ExportColumn("code", headers.VILLAGE_CODE),
    ExportColumn("name", headers.NAME),
    ExportColumn("township_id", headers.TOWNSHIP_CODE),
    ExportColumn("township__name", headers.TOWNSHIP),
    ExportColumn("committee_type", headers.COMMITTEE_TYPE),
    ExportColumn("households", headers.HOUSEHOLDS),
    ExportColumn("population", headers.POPULATION),
    ExportColumn("urban_rural_code", headers.URBAN_RURAL_CODE),
    ExportColumn("latitude", headers.LATITUDE),
    ExportColumn("longitude", headers.LONGITUDE),
    ExportColumn("main_products", headers.MAIN_PRODUCTS),
)))
register_export_source("shops", ExportSource(shops_visible_to, OnlineShopFilter, ("village__code", "pk"), (
    ExportColumn("village__code", headers.VILLAGE_CODE),
    ExportColumn("platform", headers.PLATFORM),
    ExportColumn("platform_shop_id", headers.SHOP_ID),
    ExportColumn("name", headers.SHOP_NAME),
    ExportColumn("category", headers.CATEGORY),
    ExportColumn("opened_on", headers.SHOP_OPENED_ON),
    ExportColumn("closed_on", headers.SHOP_CLOSED_ON),
)))
register_export_source("reports", ExportSource(reports_visible_to, AnnualReportFilter, ("village__code", "year"), (
    ExportColumn("village__code", headers.VILLAGE_CODE),
    ExportColumn("village__name", headers.VILLAGE_NAME),
    ExportColumn("year", headers.YEAR),
    ExportColumn("ecommerce_sales", headers.ECOMMERCE_SALES),
    ExportColumn("active_shops", headers.ACTIVE_SHOPS),
    ExportColumn("households", headers.HOUSEHOLDS),
    ExportColumn("status", headers.STATUS),
    ExportColumn("submitted_at", headers.SUBMITTED_AT),
    ExportColumn("reviewed_at", headers.REVIEWED_AT),
)))
register_export_source("assessments", ExportSource(
    assessments_visible_to, AssessmentFilter, ("village__code", "year"), (
        ExportColumn("village__code", headers.VILLAGE_CODE),
        ExportColumn("village__name", headers.VILLAGE_NAME),
        ExportColumn("year", headers.YEAR),
        ExportColumn("qualified", headers.QUALIFIED),
        ExportColumn("score", headers.SCORE),
    ),
))
register_export_source("certified", ExportSource(
    lambda user: assessments_visible_to(user).filter(qualified=True), AssessmentFilter, ("village__code", "year"), (
        ExportColumn("village__code", headers.VILLAGE_CODE),
        ExportColumn("village__name", headers.VILLAGE_NAME),
        ExportColumn("village__township__name", headers.TOWNSHIP),
        ExportColumn("year", headers.YEAR),
        ExportColumn("score", headers.SCORE),
    ),
))


def filtered_rows(list_name: str, params, *, queryset=None, user=None, request=None):
    """The rows of a list narrowed by its FilterSet; `queryset` defaults to what `user` may see."""
    source = EXPORT_SOURCES[list_name]
    if queryset is None:
        queryset = source.rows_visible_to(user)
    row_filter = source.filterset_class(params, queryset=queryset, request=request)
    if not row_filter.is_valid():
        problems = row_filter.errors.get_json_data()
        raise ValidationError({field: [error["message"] for error in errors] for field, errors in problems.items()})
    return row_filter.qs.order_by(*source.ordering)


def filtered_export(request, list_name: str, file_format: str, *, queryset=None):
    """A CSV/XLSX download of the rows a list page shows for this query string (without its pagination)."""
    params = request.GET.copy()
    params.pop("page", None)
    rows = filtered_rows(list_name, params, queryset=queryset, user=request.user, request=request)
    columns = EXPORT_SOURCES[list_name].columns
    return export_response(rows, columns=columns, file_format=file_format, file_stem=list_name)
