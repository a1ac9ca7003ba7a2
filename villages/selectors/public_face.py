"""The public face: the dashboard's figures and lists and the yearly statistics, once per published data version.

The aggregates behind them read every assessment of every year, so they are computed on the first request
after a change (approve, reopen, rescore bump the version) and served from the shared cache until the next
one. What is cached is plain values; the page's objects are rebuilt from them without a query.
"""

from dataclasses import dataclass
from datetime import datetime

from villages.models import Assessment, Division, PublishedDataVersion, TaobaoTown, Village, VillageCluster
from villages.selectors.data_version import cached_for_version, published_data_version
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
    """What the dashboard shows; `data_as_of` is when the published data last changed (None: never since install)."""

    yearly: list[dict]
    regions: list[dict]
    latest_year: int | None
    certified: list[Assessment]
    towns: list[TaobaoTown]
    clusters: list[VillageCluster]
    data_as_of: datetime | None


def public_dashboard(version: PublishedDataVersion | None = NOT_READ) -> PublicDashboard:
    """The dashboard's figures for the current data version (`version` when the caller has read it already)."""
    if version is NOT_READ:
        version = published_data_version()
    figures = cached_for_version(version, "dashboard", _dashboard_figures)
    return PublicDashboard(
        yearly=figures["yearly"],
        regions=figures["regions"],
        latest_year=figures["latest_year"],
        certified=[_certified_assessment(*row) for row in figures["certified"]],
        towns=[_town(*row) for row in figures["towns"]],
        clusters=[
            VillageCluster(year=year, size_class=size_class, village_count=count)
            for year, size_class, count in figures["clusters"]
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


def _dashboard_figures() -> dict:
    """Two aggregates (villages and towns per year and province) feed the series, the regions and the latest year."""
    villages = villages_by_year_and_province()
    towns = towns_by_year_and_province()
    latest_year = max((year for year, _prefix in villages), default=None)
    certified = []
    regions = []
    if latest_year is not None:
        certified = list(
            Assessment.objects.filter(qualified=True, year=latest_year)
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
            {key: count for key, count in villages.items() if key[0] == latest_year},
            {key: count for key, count in towns.items() if key[0] == latest_year},
        )
    return {
        "yearly": yearly_statistics_of(villages, towns),
        "regions": regions,
        "latest_year": latest_year,
        "certified": certified,
        "towns": list(
            TaobaoTown.objects.order_by("-year", "township").values_list(
                "year", "route", "township__name", "township__parent__name"
            )[:TOWNS_LISTED]
        ),
        "clusters": list(
            VillageCluster.objects.order_by("-year", "-village_count").values_list(
                "year", "size_class", "village_count"
            )[:CLUSTERS_LISTED]
        ),
    }


def _certified_assessment(code, name, township_name, county_name, score) -> Assessment:
    township = Division(name=township_name, parent=Division(name=county_name))
    return Assessment(village=Village(code=code, name=name, township=township), score=score)


def _town(year, route, township_name, county_name) -> TaobaoTown:
    return TaobaoTown(year=year, route=route, township=Division(name=township_name, parent=Division(name=county_name)))
