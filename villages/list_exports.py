"""Which rows an export of a list holds: the visibility selector and the list's FilterSet, shared by web and API.

Each exportable list names the selector that scopes it to a user, the FilterSet the API and the list page
filter it with, and its order. `filtered_export` runs the FilterSet over the query string exactly as the list
does (an invalid filter is a ValidationError, never an empty or unfiltered file) and streams the rows.
The service network registers its own list from `rural_services`, so this app never imports that one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from villages.exports import export_response
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


EXPORT_SOURCES: dict[str, ExportSource] = {}


def register_export_source(name: str, source: ExportSource) -> ExportSource:
    EXPORT_SOURCES[name] = source
    return source


register_export_source("villages", ExportSource(villages_visible_to, VillageFilter, ("code",)))
register_export_source("shops", ExportSource(shops_visible_to, OnlineShopFilter, ("village__code", "pk")))
register_export_source("reports", ExportSource(reports_visible_to, AnnualReportFilter, ("village__code", "year")))
register_export_source(
    "assessments", ExportSource(assessments_visible_to, AssessmentFilter, ("village__code", "year"))
)
register_export_source(
    "certified",
    ExportSource(
        lambda user: assessments_visible_to(user).filter(qualified=True), AssessmentFilter, ("village__code", "year")
    ),
)


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
    return export_response(rows, list_name=list_name, file_format=file_format)
