"""The national series AliResearch published, to print beside the registry's own counts (DOMAIN.md)."""

from dataclasses import dataclass


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
