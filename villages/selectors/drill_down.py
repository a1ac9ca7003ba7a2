"""Drill-down: nation → province → prefecture → county → village, with the counts of each area's children.

Per child of the area chosen: Taobao villages, Taobao towns and clusters of the year, the village
committees in the registry and the share of them that are Taobao villages; other apps add columns through
`register_area_count` (the service network adds its open service points, as `villages` never imports it).
Each column is one grouped query over the code prefix of the children's level (set-based, whatever the
number of children), so the page costs the same number of queries for every area.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.db.models.functions import Substr
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from villages import codes
from villages.exports.tables import Column, Table
from villages.models import Assessment, Division, TaobaoTown, Village, VillageCluster
from villages.public_filters import PublicFilter
from villages.selectors.jurisdiction import code_prefix_q
from villages.selectors.visibility import certified_village_q

VILLAGE_CODE_LENGTH = 12
CHILD_LEVEL = {None: codes.PROVINCE, codes.PROVINCE: codes.PREFECTURE, codes.PREFECTURE: codes.COUNTY}


@dataclass(frozen=True)
class AreaCount:
    """A column of the drill-down from another app: `counts(prefix, child_length)` gives {child prefix: count}
    for the rows whose village code starts with `prefix`, grouped by its first `child_length` digits."""

    key: str
    header: Promise
    counts: Callable[[str, int], dict[str, int]]


AREA_COUNTS: list[AreaCount] = []


def register_area_count(area_count: AreaCount) -> AreaCount:
    AREA_COUNTS.append(area_count)
    return area_count


@dataclass
class AreaRow:
    code: str
    name: str
    prefix: str
    taobao_villages: int = 0
    taobao_towns: int | None = 0
    clusters: int = 0
    village_committees: int = 0
    taobao_village_committees: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def committee_share(self) -> float | None:
        """The share of the village committees that are Taobao villages (None without village committees)."""
        if not self.village_committees:
            return None
        return self.taobao_village_committees / self.village_committees


@dataclass(frozen=True)
class DrillDown:
    filters: PublicFilter
    year: int | None
    child_level: str  # a division level, or "village"
    rows: list[AreaRow]
    extra_columns: tuple[AreaCount, ...]


def _grouped(queryset, code_path: str, length: int, **aggregates) -> dict[str, dict]:
    rows = queryset.annotate(child=Substr(code_path, 1, length)).values("child").annotate(**aggregates).order_by()
    return {row.pop("child"): row for row in rows}


def _children(filters: PublicFilter) -> tuple[str, list[AreaRow]]:
    level = filters.area_level
    if level == codes.COUNTY:
        # The public page names only certified villages (the public rule of `visibility`); the others are
        # counted in the village committees, never listed.
        villages = Village.objects.filter(certified_village_q(), township__parent_id=filters.county).order_by("code")
        return "village", [AreaRow(code, name, code) for code, name in villages.values_list("code", "name")]
    child_level = CHILD_LEVEL[level]
    divisions = Division.objects.filter(level=child_level)
    if level:
        divisions = divisions.filter(parent_id=filters.area_code)
    return child_level, [
        AreaRow(code, name, codes.code_prefix(code, child_level))
        for code, name in divisions.order_by("code").values_list("code", "name")
    ]


def drill_down(filters: PublicFilter) -> DrillDown:
    """The children of the area chosen, each with its counts for the year (the latest with data by default)."""
    prefix = filters.prefix
    qualified = Assessment.objects.filter(qualified=True)
    if prefix:
        qualified = qualified.filter(code_prefix_q("village__code", prefix))
    year = filters.year or qualified.aggregate(latest=Max("year"))["latest"]
    child_level, rows = _children(filters)
    if not rows:
        return DrillDown(filters, year, child_level, rows, tuple(AREA_COUNTS))
    length = len(rows[0].prefix)
    villages = _grouped(
        qualified.filter(year=year),
        "village__code",
        length,
        taobao=Count("id"),
        committees=Count("id", filter=Q(village__committee_type=Village.CommitteeType.VILLAGE_COMMITTEE)),
    )
    committees = Village.objects.filter(committee_type=Village.CommitteeType.VILLAGE_COMMITTEE)
    members = VillageCluster.villages.through.objects.filter(villagecluster__year=year)
    towns = TaobaoTown.objects.filter(year=year)
    if prefix:
        committees = committees.filter(code_prefix_q("code", prefix))
        members = members.filter(code_prefix_q("village__code", prefix))
        towns = towns.filter(code_prefix_q("township_id", prefix))
    committee_counts = _grouped(committees, "code", length, count=Count("code"))
    cluster_counts = _grouped(members, "village__code", length, count=Count("villagecluster", distinct=True))
    town_counts = {} if length == VILLAGE_CODE_LENGTH else _grouped(towns, "township_id", length, count=Count("id"))
    extra = {column.key: column.counts(prefix, length) for column in AREA_COUNTS}
    for row in rows:
        row.taobao_villages = villages.get(row.prefix, {}).get("taobao", 0)
        row.taobao_village_committees = villages.get(row.prefix, {}).get("committees", 0)
        row.village_committees = committee_counts.get(row.prefix, {}).get("count", 0)
        row.clusters = cluster_counts.get(row.prefix, {}).get("count", 0)
        row.taobao_towns = None if length == VILLAGE_CODE_LENGTH else town_counts.get(row.prefix, {}).get("count", 0)
        row.extra = {key: counts.get(row.prefix, 0) for key, counts in extra.items()}
    return DrillDown(filters, year, child_level, rows, tuple(AREA_COUNTS))


def area_names(filters: PublicFilter) -> dict[str, str]:
    """{code: name} of the divisions chosen, for the trail back up to the nation (one query, none nationally)."""
    chosen = [code for code in (filters.province, filters.prefecture, filters.county) if code]
    if not chosen:
        return {}
    return dict(Division.objects.filter(code__in=chosen).values_list("code", "name"))


def drill_down_table(drill: DrillDown) -> Table:
    """The drill-down's rows as a downloadable table, with the same columns as the page."""
    extra = drill.extra_columns
    return Table(
        "areas",
        _("The areas inside"),
        (
            Column("code", _("Code")),
            Column("name", _("Area")),
            Column("taobao_villages", _("Taobao villages"), numeric=True),
            Column("taobao_towns", _("Taobao towns"), numeric=True),
            Column("clusters", _("Clusters"), numeric=True),
            Column("village_committees", _("Village committees"), numeric=True),
            Column("committee_share", _("Share that are Taobao villages"), numeric=True),
            *(Column(column.key, column.header, numeric=True) for column in extra),
        ),
        [
            (
                row.code,
                row.name,
                row.taobao_villages,
                row.taobao_towns,
                row.clusters,
                row.village_committees,
                None if row.committee_share is None else round(row.committee_share, 4),
                *(row.extra.get(column.key, 0) for column in extra),
            )
            for row in drill.rows
        ],
    )
