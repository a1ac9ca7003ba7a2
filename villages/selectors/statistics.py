"""Taobao villages and towns per year: national, per province, per NBS economic region, beside the published series."""

from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from villages import codes
from villages.models import Assessment, Division, TaobaoTown
from villages.published import PUBLISHED_BY_YEAR
from villages.selectors.jurisdiction import code_prefix_q

REGION_LABELS = {
    "east": _("East"),
    "central": _("Central"),
    "west": _("West"),
    "northeast": _("Northeast"),
}


def _count_by_year_and_province(rows, code_path: str, year=None, area_prefix="") -> dict:
    """How many of `rows` (each of a year, with a division code at `code_path`) per (year, province prefix),
    of one year when `year` is given, inside one area when `area_prefix` (its code digits) is."""
    if year is not None:
        rows = rows.filter(year=year)
    if area_prefix:
        rows = rows.filter(code_prefix_q(code_path, area_prefix))
    counts = (
        rows.annotate(prefix=Substr(code_path, 1, 2))
        .values_list("year", "prefix")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {(row_year, prefix): count for row_year, prefix, count in counts}


def villages_by_year_and_province(year=None, *, area_prefix="") -> dict:
    """Taobao villages (qualified assessments) per (year, province prefix)."""
    return _count_by_year_and_province(Assessment.objects.filter(qualified=True), "village__code", year, area_prefix)


def towns_by_year_and_province(year=None, *, area_prefix="") -> dict:
    """Taobao towns per (year, province prefix)."""
    return _count_by_year_and_province(TaobaoTown.objects.all(), "township_id", year, area_prefix)


def yearly_statistics() -> list[dict]:
    """Every year with registry data or a published figure: the registry's counts beside AliResearch's."""
    return yearly_statistics_of(villages_by_year_and_province(), towns_by_year_and_province())


def yearly_statistics_of(villages: dict, towns: dict) -> list[dict]:
    """The yearly rows of counts per (year, province prefix) of Taobao villages and of Taobao towns."""
    village_totals, town_totals = defaultdict(int), defaultdict(int)
    for (year, _prefix), count in villages.items():
        village_totals[year] += count
    for (year, _prefix), count in towns.items():
        town_totals[year] += count
    years = sorted(set(village_totals) | set(town_totals) | set(PUBLISHED_BY_YEAR))
    rows = []
    for year in years:
        published = PUBLISHED_BY_YEAR.get(year)
        rows.append(
            {
                "year": year,
                "taobao_villages": village_totals[year],
                "taobao_towns": town_totals[year],
                "published_taobao_villages": published.taobao_villages if published else None,
                "published_taobao_towns": published.taobao_towns if published else None,
            }
        )
    return rows


def yearly_statistics_by_province(*, year: int | None = None) -> list[dict]:
    """Per year and province (code and name): Taobao villages and Taobao towns, provinces with any of either."""
    villages = villages_by_year_and_province(year)
    towns = towns_by_year_and_province(year)
    names = dict(Division.objects.filter(level=codes.PROVINCE).values_list("code", "name"))
    rows = []
    for row_year, prefix in sorted(set(villages) | set(towns)):
        province = f"{prefix}0000"
        rows.append(
            {
                "year": row_year,
                "province": province,
                "province_name": names.get(province, ""),
                "region": codes.REGION_OF_PROVINCE.get(prefix, ""),
                "taobao_villages": villages.get((row_year, prefix), 0),
                "taobao_towns": towns.get((row_year, prefix), 0),
            }
        )
    return rows


def yearly_statistics_by_region(*, year: int | None = None) -> list[dict]:
    """Per year and NBS economic region (East, Central, West, Northeast): Taobao villages and towns."""
    return yearly_statistics_by_region_of(villages_by_year_and_province(year), towns_by_year_and_province(year))


def yearly_statistics_by_region_of(villages: dict, towns: dict) -> list[dict]:
    """The region rows of counts per (year, province prefix) of Taobao villages and of Taobao towns."""
    years = sorted({row_year for row_year, _prefix in set(villages) | set(towns)})
    totals = {(y, region): [0, 0] for y in years for region in codes.ECONOMIC_REGIONS}
    for (row_year, prefix), count in villages.items():
        region = codes.REGION_OF_PROVINCE.get(prefix)
        if region:
            totals[(row_year, region)][0] += count
    for (row_year, prefix), count in towns.items():
        region = codes.REGION_OF_PROVINCE.get(prefix)
        if region:
            totals[(row_year, region)][1] += count
    return [
        {
            "year": row_year,
            "region": region,
            "region_label": REGION_LABELS[region],
            "taobao_villages": village_count,
            "taobao_towns": town_count,
        }
        for (row_year, region), (village_count, town_count) in totals.items()
    ]
