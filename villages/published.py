"""The national series AliResearch published, to print beside the registry's own counts (DOMAIN.md)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PublishedYear:
    year: int
    taobao_villages: int
    taobao_towns: int | None
    towns_derived: bool = False


PUBLISHED_SERIES = (
    PublishedYear(2009, 3, None),
    PublishedYear(2013, 20, None),
    PublishedYear(2014, 212, 19),  # 211 were announced; 212 in the later series.
    PublishedYear(2015, 780, 71),
    PublishedYear(2016, 1311, 135),
    PublishedYear(2017, 2118, 242),
    PublishedYear(2018, 3202, 363),
    PublishedYear(2019, 4310, 1118),
    PublishedYear(2020, 5425, 1756),
    PublishedYear(2021, 7023, 2171, towns_derived=True),
    PublishedYear(2022, 7780, 2429),
)
PUBLISHED_BY_YEAR = {published.year: published for published in PUBLISHED_SERIES}
# Years whose national list was searched for and not found (DOMAIN.md, 2026-12): charts draw them as
# "not published" instead of leaving them out (which reads as the series ending) or drawing a zero.
UNPUBLISHED_YEARS = (2023, 2024)
# Where the series above comes from (DOMAIN.md), for the dashboard's sources and the open data package.
PUBLISHED_SOURCES = (
    (_("AliResearch: the Taobao village research reports"), "https://www.aliresearch.com/en/news/detail/id/21855.html"),
    (_("AliResearch: Taobao village clusters"), "https://www.aliresearch.com/en/news/detail/id/20805.html"),
    (
        _("Huzhou government: the 2020 Taobao village criteria"),
        "https://www.huzhou.gov.cn/art/2020/9/4/art_1229213494_56244317.html",
    ),
    (
        _("Fuzhou news: the 2020 tightening of the criteria"),
        "https://news.fznews.com.cn/dsxw/20200903/5f504a24337a4.shtml",
    ),
)


def published_axis_years(registry_years) -> list[int]:
    """The years a chart of the published series shows: each published year, the years known to be missing,
    and the registry's own years (a registry year without a figure is drawn as "not published" too)."""
    return sorted(set(PUBLISHED_BY_YEAR) | set(UNPUBLISHED_YEARS) | set(registry_years))


@dataclass(frozen=True)
class PublishedClusters:
    year: int
    clusters: int
    large: int
    super_large: int


PUBLISHED_CLUSTERS = (
    PublishedClusters(2018, 76, 21, 2),
    PublishedClusters(2019, 95, 33, 7),
)
