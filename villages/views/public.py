"""Public pages (no login, no personal data): the national dashboard of Taobao villages, towns and clusters.

The filters (year, province, prefecture, county) are in the URL; an invalid one answers 400 with the reason
on the page. Every table and chart of the dashboard can be downloaded as CSV, XLSX or JSON.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from villages import dashboard_tables
from villages.criteria_words import criteria_in_words
from villages.exports.tables import TABLE_FORMATS, table_response
from villages.public_filters import public_filter_from
from villages.published import PUBLISHED_SOURCES
from villages.selectors.criteria import criteria_versions
from villages.selectors.data_version import cached_for_version, published_data_version
from villages.selectors.drill_down import area_names, drill_down, drill_down_table
from villages.selectors.open_data import licence_title
from villages.selectors.public_face import public_dashboard
from villages.selectors.public_options import filter_options


def filters_or_refusal(request, template: str, context=None):
    """The request's public filters, or (None, a 400 page saying what is wrong with them)."""
    try:
        return public_filter_from(request.GET), None
    except ValidationError as error:
        page = render(
            request, template, {**(context or {}), "filter_errors": error.messages, "filter_options": None}, status=400
        )
        return None, page


def dashboard(request):
    """The figures part is the same for everybody who reads in one language until the published data change: it
    is rendered once per data version, language and filter and kept in the shared cache; the page around it
    (the header with the user, the filter form, the service network's part) is rendered for each request."""
    filters, refusal = filters_or_refusal(request, "villages/dashboard.html")
    if refusal:
        return refusal
    version = published_data_version()
    body = cached_for_version(
        version,
        "dashboard-html",
        lambda: str(
            render_to_string("villages/dashboard_body.html", _dashboard_figures(filters, version), request=request)
        ),
        key_parts=[get_language(), *filters.key_parts()],
    )
    return render(
        request,
        "villages/dashboard.html",
        {"dashboard_body": mark_safe(body), "filters": filters, "filter_options": filter_options(filters, version)},
    )


def dashboard_table_download(request, table, extension):
    """One of the dashboard's tables, for the same filters, in CSV, XLSX or JSON."""
    builder = dashboard_tables.DASHBOARD_TABLES.get(table)
    if builder is None or extension not in TABLE_FORMATS:
        raise Http404
    filters, refusal = filters_or_refusal(request, "villages/dashboard.html")
    if refusal:
        return refusal
    content = public_dashboard(filters)
    return table_response(builder(content), extension, file_stem=_file_stem(table, filters))


def _certified_list_query(filters, year) -> str | None:
    """The query of the full certified list (its export filters by year, province and county): None where it
    cannot say the same area as the page (a prefecture chosen without a county), or without a year."""
    if year is None or (filters.prefecture and not filters.county):
        return None
    return urlencode(
        {
            "year": year,
            **{level: getattr(filters, level) for level in ("province", "county") if getattr(filters, level)},
        }
    )


def _file_stem(table, filters) -> str:
    return "-".join([table, *(str(part) for part in filters.key_parts() if part)])


def drill_down_page(request):
    """Nation → province → prefecture → county → village: the children of the area chosen, with their counts."""
    filters, refusal = filters_or_refusal(request, "villages/drill_down.html")
    if refusal:
        return refusal
    names = area_names(filters)
    steps = (
        ("province", filters.query(prefecture="", county="")),
        ("prefecture", filters.query(county="")),
        ("county", filters.query()),
    )
    trail = [(names.get(getattr(filters, level), ""), query) for level, query in steps if getattr(filters, level)]
    return render(
        request,
        "villages/drill_down.html",
        {
            "filters": filters,
            "filter_options": filter_options(filters, published_data_version()),
            "drill": drill_down(filters),
            "trail": trail,
            "area_name": names.get(filters.area_code, ""),
            "national_query": filters.query(province="", prefecture="", county=""),
        },
    )


def drill_down_download(request, extension):
    """The drill-down's table for the same filters, in CSV, XLSX or JSON."""
    if extension not in TABLE_FORMATS:
        raise Http404
    filters, refusal = filters_or_refusal(request, "villages/drill_down.html")
    if refusal:
        return refusal
    return table_response(drill_down_table(drill_down(filters)), extension, file_stem=_file_stem("areas", filters))


def criteria_page(request):
    """The certification rules of each year in plain words, and what changed when and why (from the stored rows)."""
    return render(request, "villages/criteria.html", {"versions": criteria_in_words(criteria_versions())})


def _dashboard_figures(filters, version) -> dict:
    content = public_dashboard(filters, version)
    tables = {name.replace("-", "_"): builder(content) for name, builder in dashboard_tables.DASHBOARD_TABLES.items()}
    return {
        "filters": filters,
        "query": filters.query(),
        "area_name": content.area_names.get(filters.area_code, ""),
        "tables": tables,
        "registry_village_chart": dashboard_tables.registry_chart(tables["registry_villages"]),
        "registry_town_chart": dashboard_tables.registry_chart(tables["registry_towns"]),
        "published_village_chart": dashboard_tables.published_villages_chart(tables["published"]),
        "published_town_chart": dashboard_tables.published_towns_chart(tables["published"]),
        "goal": dashboard_tables.TAOBAO_VILLAGE_GOAL_2020,
        "yearly": content.yearly,
        "regions": content.regions,
        "latest_year": content.latest_year,
        "latest_year_text": str(content.latest_year or ""),
        "certified_count": content.certified_count,
        "certified_list_query": _certified_list_query(filters, content.latest_year),
        "certified": content.certified,
        "towns": content.towns,
        "clusters": content.clusters,
        "data_as_of": content.data_as_of,
        "sources": PUBLISHED_SOURCES,
        "licence": settings.OPEN_DATA_LICENSE,
        "licence_title": licence_title(settings.OPEN_DATA_LICENSE),
    }
