"""The registered lists that can be downloaded: the rows (visibility selector, FilterSet, order) and columns.

Each exportable list names the selector that scopes it to a user, the FilterSet the API and the list page
filter it with, and its order. `filtered_export` runs the FilterSet over the query string exactly as the list
does (an invalid filter is a ValidationError, never an empty or unfiltered file) and streams the rows.
The service network registers its own list from `rural_services`, so this app never imports that one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from villages.exports.formats import ExportColumn, export_columns, export_response
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


register_export_source("villages", ExportSource(villages_visible_to, VillageFilter, ("code",), export_columns(
    ("code", "Village code", "村代码"),
    ("name", "Name", "名称"),
    ("township_id", "Township code", "乡镇代码"),
    ("township__name", "Township", "乡镇"),
    ("committee_type", "Committee type", "村级单位类型"),
    ("households", "Households", "户数"),
    ("population", "Population", "人口"),
    ("urban_rural_code", "Urban-rural code", "城乡分类代码"),
    ("latitude", "Latitude", "纬度"),
    ("longitude", "Longitude", "经度"),
    ("main_products", "Main products", "主要产品"),
)))
register_export_source("shops", ExportSource(
    shops_visible_to, OnlineShopFilter, ("village__code", "pk"), export_columns(
    ("village__code", "Village code", "村代码"),
    ("platform", "Platform", "平台"),
    ("platform_shop_id", "Shop ID", "店铺ID"),
    ("name", "Shop name", "店铺名称"),
    ("category", "Category", "类目"),
    ("opened_on", "Opened on", "开店日期"),
    ("closed_on", "Closed on", "关店日期"),
    ),
))
register_export_source("reports", ExportSource(
    reports_visible_to, AnnualReportFilter, ("village__code", "year"), export_columns(
        ("village__code", "Village code", "村代码"),
        ("village__name", "Village", "村名"),
        ("year", "Year", "年份"),
        ("ecommerce_sales", "E-commerce sales (RMB yuan)", "电商销售额（元）"),
        ("active_shops", "Active shops", "活跃网店数"),
        ("households", "Households", "户数"),
        ("status", "Status", "状态"),
        ("submitted_at", "Submitted at", "提交时间"),
        ("reviewed_at", "Reviewed at", "审核时间"),
    ),
))
register_export_source("assessments", ExportSource(
    assessments_visible_to, AssessmentFilter, ("village__code", "year"), export_columns(
        ("village__code", "Village code", "村代码"),
        ("village__name", "Village", "村名"),
        ("year", "Year", "年份"),
        ("qualified", "Qualified", "是否达标"),
        ("score", "Score", "得分"),
    ),
))
register_export_source("certified", ExportSource(
    lambda user: assessments_visible_to(user).filter(qualified=True), AssessmentFilter, ("village__code", "year"),
    export_columns(
        ("village__code", "Village code", "村代码"),
        ("village__name", "Village", "村名"),
        ("village__township__name", "Township", "乡镇"),
        ("year", "Year", "年份"),
        ("score", "Score", "得分"),
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
