"""The dashboard's charts and tables, built from its figures (plain values, no ORM): what is drawn is downloadable.

Each chart has its table (shown under it for screen readers and people who want the numbers) and both come
from one builder here, as does every list; the download view asks for a table by name and gets the same rows.
The registry's counts and AliResearch's national series are separate charts, each on its own scale: the
registry holds tens of villages where the published series holds thousands.
"""

from django.utils.translation import gettext_lazy as _

from villages.charts import consecutive_years, grouped_bar_chart
from villages.exports.tables import Column, Table
from villages.published import PUBLISHED_BY_YEAR, published_axis_years
from villages.selectors.public_face import PublicDashboard

# The 2018 national plan: more than 5,000 Taobao villages by 2020 (DOMAIN.md).
TAOBAO_VILLAGE_GOAL_2020 = 5_000
REGISTRY_SERIES = (("registry", "bar-registry"),)
PUBLISHED_SERIES = (("published", "bar-published"),)

YEAR = Column("year", _("Year"))


def registry_villages_table(dashboard: PublicDashboard) -> Table:
    rows = consecutive_years(
        {row["year"]: row["taobao_villages"] for row in dashboard.yearly if row["taobao_villages"]}
    )
    return Table(
        "registry-villages",
        _("Taobao villages certified in this registry, per year"),
        (YEAR, Column("taobao_villages", _("Taobao villages (registry)"), numeric=True)),
        [(year, values["registry"]) for year, values in rows],
    )


def registry_towns_table(dashboard: PublicDashboard) -> Table:
    rows = consecutive_years({row["year"]: row["taobao_towns"] for row in dashboard.yearly if row["taobao_towns"]})
    return Table(
        "registry-towns",
        _("Taobao towns in this registry, per year"),
        (YEAR, Column("taobao_towns", _("Taobao towns (registry)"), numeric=True)),
        [(year, values["registry"]) for year, values in rows],
    )


def published_table(dashboard: PublicDashboard) -> Table:
    registry_years = [row["year"] for row in dashboard.yearly if row["taobao_villages"] or row["taobao_towns"]]
    rows = []
    for year in published_axis_years(registry_years):
        published = PUBLISHED_BY_YEAR.get(year)
        rows.append(
            (year, published.taobao_villages if published else None, published.taobao_towns if published else None)
        )
    return Table(
        "published",
        _("Taobao villages and towns in China as published by AliResearch (national)"),
        (
            YEAR,
            Column("published_taobao_villages", _("Taobao villages (published)"), numeric=True),
            Column("published_taobao_towns", _("Taobao towns (published)"), numeric=True),
        ),
        rows,
    )


def regions_table(dashboard: PublicDashboard) -> Table:
    return Table(
        "regions",
        _("Taobao villages and towns by economic region"),
        (
            Column("region", _("Region")),
            Column("taobao_villages", _("Taobao villages"), numeric=True),
            Column("taobao_towns", _("Taobao towns"), numeric=True),
        ),
        [(str(row["region_label"]), row["taobao_villages"], row["taobao_towns"]) for row in dashboard.regions],
    )


def certified_table(dashboard: PublicDashboard) -> Table:
    return Table(
        "certified",
        _("Certified Taobao villages"),
        (
            Column("village_code", _("Village code")),
            Column("village", _("Village")),
            Column("township", _("Township")),
            Column("county", _("County")),
            Column("score", _("Score"), numeric=True),
        ),
        [
            (
                assessment.village.code,
                assessment.village.name,
                assessment.village.township.name,
                assessment.village.township.parent.name,
                str(assessment.score),
            )
            for assessment in dashboard.certified
        ],
    )


def towns_table(dashboard: PublicDashboard) -> Table:
    return Table(
        "towns",
        _("Taobao towns"),
        (YEAR, Column("township", _("Township")), Column("county", _("County")), Column("route", _("Route"))),
        [
            (town.year, town.township.name, town.township.parent.name, str(town.get_route_display()))
            for town in dashboard.towns
        ],
    )


def clusters_table(dashboard: PublicDashboard) -> Table:
    return Table(
        "clusters",
        _("Taobao village clusters"),
        (
            YEAR,
            Column("size_class", _("Size class")),
            Column("taobao_villages", _("Taobao villages"), numeric=True),
            Column("counties", _("County codes")),
        ),
        [
            (cluster.year, str(cluster.get_size_class_display()), cluster.village_count, " ".join(cluster.counties))
            for cluster in dashboard.clusters
        ],
    )


DASHBOARD_TABLES = {
    "registry-villages": registry_villages_table,
    "registry-towns": registry_towns_table,
    "published": published_table,
    "regions": regions_table,
    "certified": certified_table,
    "towns": towns_table,
    "clusters": clusters_table,
}


def registry_chart(table: Table):
    return grouped_bar_chart([(year, {"registry": count}) for year, count in table.rows], REGISTRY_SERIES)


def published_villages_chart(table: Table):
    return grouped_bar_chart(
        [(year, {"published": villages}) for year, villages, _towns in table.rows],
        PUBLISHED_SERIES,
        goal=TAOBAO_VILLAGE_GOAL_2020,
    )


def published_towns_chart(table: Table):
    # The published town series begins in 2014, when Taobao towns were first counted.
    return grouped_bar_chart(
        [(year, {"published": towns}) for year, _villages, towns in table.rows if year >= 2014], PUBLISHED_SERIES
    )
