"""The public face: the dashboard's figures and lists and the yearly statistics, once per published data version.

Everything here reads only approved data: qualified assessments exist only for approved reports (a reopening
withdraws them), and Taobao towns and clusters are derived from them. The aggregates are computed on the
first request after a change (approve, reopen, rescore bump the version) for each filter combination, and
served from the shared cache until the next one. What is cached is plain values; the page's objects and
tables are rebuilt from them without a query.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef

from villages.models import Assessment, Division, PublishedDataVersion, TaobaoTown, Village, VillageCluster
from villages.public_filters import NATION, PublicFilter
from villages.selectors.data_version import cached_for_version, published_data_version
from villages.selectors.jurisdiction import code_prefix_q
from villages.selectors.statistics import (
    towns_by_year_and_province,
    villages_by_year_and_province,
    yearly_statistics_by_region_of,
    yearly_statistics_of,
)

CERTIFIED_LIST_SIZE = 50
# "The caller did not read the version row": None is a version of its own (nothing published has changed yet).
NOT_READ = object()
TOWNS_LISTED = 20
CLUSTERS_LISTED = 20


@dataclass(frozen=True)
class PublicDashboard:
    """What the dashboard shows for one filter; `data_as_of` is when the published data last changed."""

    filters: PublicFilter
    area_names: dict[str, str]
    yearly: list[dict]
    regions: list[dict]
    latest_year: int | None
    certified_count: int
    certified: list[Assessment]
    towns: list[TaobaoTown]
    clusters: list[VillageCluster]
    data_as_of: datetime | None


def public_dashboard(
    filters: PublicFilter = NATION, version: PublishedDataVersion | None = NOT_READ
) -> PublicDashboard:
    """The dashboard's figures for the filter and the current data version (`version` when already read)."""
    if version is NOT_READ:
        version = published_data_version()
    figures = cached_for_version(
        version, "dashboard", lambda: _dashboard_figures(filters), key_parts=filters.key_parts()
    )
    return PublicDashboard(
        filters=filters,
        area_names=figures["area_names"],
        yearly=figures["yearly"],
        regions=figures["regions"],
        latest_year=figures["latest_year"],
        certified_count=figures["certified_count"],
        certified=[_certified_assessment(*row) for row in figures["certified"]],
        towns=[_town(*row) for row in figures["towns"]],
        clusters=[
            VillageCluster(year=year, size_class=size_class, village_count=count, counties=counties)
            for year, size_class, count, counties in figures["clusters"]
        ],
        data_as_of=version.changed_at if version else None,
    )


def published_yearly_statistics(version: PublishedDataVersion | None = None) -> list[dict]:
    """`yearly_statistics()` for the current data version (the version row is read when not given)."""
    if version is None:
        version = published_data_version()
    return cached_for_version(
        version,
        "yearly-statistics",
        lambda: yearly_statistics_of(villages_by_year_and_province(), towns_by_year_and_province()),
    )


def _dashboard_figures(filters: PublicFilter) -> dict:
    """Two aggregates (villages and towns per year and province inside the area) feed the series, the regions
    and the year shown; the lists of that year take one query each, whatever the filter."""
    prefix = filters.prefix
    assessments = Assessment.objects.filter(qualified=True)
    towns_in_area = TaobaoTown.objects.all()
    clusters_in_area = VillageCluster.objects.all()
    if prefix:
        assessments = assessments.filter(code_prefix_q("village__code", prefix))
        towns_in_area = towns_in_area.filter(code_prefix_q("township_id", prefix))
        members = VillageCluster.villages.through.objects.filter(villagecluster=OuterRef("pk")).filter(
            code_prefix_q("village__code", prefix)
        )
        clusters_in_area = clusters_in_area.filter(Exists(members))
    villages = villages_by_year_and_province(area_prefix=prefix)
    towns = towns_by_year_and_province(area_prefix=prefix)
    year = filters.year or max((row_year for row_year, _prefix in set(villages) | set(towns)), default=None)
    certified, regions, town_rows, cluster_rows = [], [], [], []
    if year is not None:
        certified = list(
            assessments.filter(year=year)
            .order_by("village__code")
            .values_list(
                "village__code",
                "village__name",
                "village__township__name",
                "village__township__parent__name",
                "score",
            )[:CERTIFIED_LIST_SIZE]
        )
        regions = yearly_statistics_by_region_of(
            {key: count for key, count in villages.items() if key[0] == year},
            {key: count for key, count in towns.items() if key[0] == year},
        )
        town_rows = list(
            towns_in_area.filter(year=year)
            .order_by("township")
            .values_list("year", "route", "township__name", "township__parent__name")[:TOWNS_LISTED]
        )
        cluster_rows = list(
            clusters_in_area.filter(year=year)
            .order_by("-village_count", "pk")
            .values_list("year", "size_class", "village_count", "counties")[:CLUSTERS_LISTED]
        )
    area_codes = [code for code in (filters.province, filters.prefecture, filters.county) if code]
    return {
        "area_names": dict(Division.objects.filter(code__in=area_codes).values_list("code", "name"))
        if area_codes
        else {},
        "yearly": yearly_statistics_of(villages, towns),
        "regions": regions,
        "latest_year": year,
        "certified_count": sum(count for (row_year, _prefix), count in villages.items() if row_year == year),
        "certified": [(*row[:4], str(row[4])) for row in certified],
        "towns": town_rows,
        "clusters": cluster_rows,
    }


def _certified_assessment(code, name, township_name, county_name, score) -> Assessment:
    township = Division(name=township_name, parent=Division(name=county_name))
    return Assessment(village=Village(code=code, name=name, township=township), score=score)


def _town(year, route, township_name, county_name) -> TaobaoTown:
    return TaobaoTown(year=year, route=route, township=Division(name=township_name, parent=Division(name=county_name)))
