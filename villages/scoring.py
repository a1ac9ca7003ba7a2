"""Pure certification rules over plain values (no ORM, no settings): active shops, villages, towns, clusters.

Every rule takes a criteria version as a small frozen dataclass and returns plain results, so the same code
scores one approved report in a request and a hundred thousand villages in a national rescoring job.
Arithmetic on thresholds is exact (integers and fractions): "exactly 10 % of households" must pass.
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import NamedTuple

from villages import codes

ACTIVE_SHOP_MIN_DAYS = 30
ACTIVE_SHOP_FULL_WINDOW_DAYS = 90
ACTIVE_SHOP_DAYS_PER_MONTH = 30

LOCATION = "location"
SALES = "sales"
SHOPS = "shops"

SHOP_ROUTE_COUNT = "count"
SHOP_ROUTE_SHARE = "share"

STATUS_NEW = "new"
STATUS_RETAINED = "retained"
STATUS_LOST = "lost"
STATUS_NONE = "none"

TOWN_ROUTE_VILLAGES = "villages"
TOWN_ROUTE_SCALE = "scale"

CLUSTER = "cluster"
CLUSTER_LARGE = "large"
CLUSTER_SUPER_LARGE = "super_large"

MEAN_EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = math.pi * MEAN_EARTH_RADIUS_KM / 180


def is_active_shop(*, days_open: int, orders_last_3_months: int) -> bool:
    """Open at least 30 days and on average one order a month over the last 3 months.

    A shop open between 30 days and 3 months is judged on the months it was actually open (2022 wording):
    open 45 days it needs 1.5 orders, so 2.
    """
    if days_open < ACTIVE_SHOP_MIN_DAYS:
        return False
    # orders >= days / 30, kept in integers: orders * 30 >= days (days capped at the 3-month window).
    return orders_last_3_months * ACTIVE_SHOP_DAYS_PER_MONTH >= min(days_open, ACTIVE_SHOP_FULL_WINDOW_DAYS)


# --- Taobao village -----------------------------------------------------------------------------------------


NEIGHBOURHOOD_COMMITTEES_KEEP_CERTIFIED = "keep_certified"
NEIGHBOURHOOD_COMMITTEES_EXCLUDED = "excluded"


@dataclass(frozen=True)
class VillageCriteria:
    """The village thresholds of one criteria version, as plain values.

    `certified_neighbourhood_committees_stay`: where neighbourhood committees are not an eligible type, one
    that was a Taobao village in an earlier year keeps its eligibility (the 2020 wording, "不再将新的居委会纳入
    淘宝村的范围": no *new* ones); False is the strict reading, every neighbourhood committee out.
    """

    eligible_committee_types: tuple[str, ...]
    min_sales: int
    min_active_shops: int
    min_household_share: Fraction
    certified_neighbourhood_committees_stay: bool = False

    @classmethod
    def of(cls, criteria_set) -> "VillageCriteria":
        """Read the thresholds off anything shaped like a CriteriaSet (a model instance or a plain object)."""
        rule = getattr(criteria_set, "neighbourhood_committee_rule", NEIGHBOURHOOD_COMMITTEES_EXCLUDED)
        return cls(
            eligible_committee_types=tuple(criteria_set.eligible_committee_types),
            min_sales=int(criteria_set.village_min_sales),
            min_active_shops=int(criteria_set.village_min_active_shops),
            min_household_share=Fraction(str(criteria_set.village_min_household_share)),
            certified_neighbourhood_committees_stay=rule == NEIGHBOURHOOD_COMMITTEES_KEEP_CERTIFIED,
        )

    @cached_property
    def reads_earlier_certification(self) -> bool:
        """Whether a neighbourhood committee's earlier certification decides its location check."""
        return (
            self.certified_neighbourhood_committees_stay
            and codes.NEIGHBOURHOOD_COMMITTEE not in self.eligible_committee_types
        )

    @cached_property
    def share_terms(self) -> tuple[int, int]:
        """The household share p/q as the integers (p, q): the hot loop compares integers, not fractions."""
        return self.min_household_share.numerator, self.min_household_share.denominator

    @cached_property
    def share_required(self) -> float:
        """The household share threshold in percentage points, as the shops check reports it."""
        share_p, share_q = self.share_terms
        return _percentage_points(share_p, share_q)


@dataclass(frozen=True)
class VillageInputs:
    """A village's year: its committee type in that year, its figures, and the last earlier year it was
    certified (None: never, or not asked; only the neighbourhood-committee rule reads it)."""

    committee_type: str
    ecommerce_sales: int
    active_shops: int
    households: int
    certified_in: int | None = None

    def as_dict(self) -> dict:
        return {
            "committee_type": self.committee_type,
            "ecommerce_sales": self.ecommerce_sales,
            "active_shops": self.active_shops,
            "households": self.households,
        }

    @classmethod
    def from_dict(cls, values: dict) -> "VillageInputs":
        return cls(
            committee_type=values["committee_type"],
            ecommerce_sales=int(values["ecommerce_sales"]),
            active_shops=int(values["active_shops"]),
            households=int(values["households"]),
        )


class Check(NamedTuple):
    """One criterion: whether it passed, the figure, the threshold and what is missing (0 when passed).

    A named tuple rather than a dataclass: it is built three times per assessed village.
    """

    key: str
    passed: bool
    actual: object
    required: object
    gap: object
    details: dict | None = None

    def as_dict(self) -> dict:
        check = {
            "key": self.key,
            "passed": self.passed,
            "actual": self.actual,
            "required": self.required,
            "gap": self.gap,
        }
        if self.details:
            check.update(self.details)
        return check


@dataclass(frozen=True)
class VillageResult:
    qualified: bool
    score: Decimal
    checks: tuple[Check, ...]

    def check(self, key: str) -> Check:
        return next(check for check in self.checks if check.key == key)

    def checks_as_dicts(self) -> list[dict]:
        return [check.as_dict() for check in self.checks]


def _percentage_points(numerator: int, denominator: int) -> float:
    """numerator / denominator in percentage points, rounded to 2 decimals (display only: tests are exact)."""
    return round(100 * numerator / denominator, 2) if denominator else 0.0


def _capped_ratio(actual: int, required: int) -> tuple[int, int]:
    """min(1, actual / required) as a (numerator, denominator) pair; a zero threshold is always met."""
    if required <= 0 or actual >= required:
        return 1, 1
    return actual, required


def _readiness_tenths(sales: int, shops: int, households: int, min_sales: int, min_shops: int, p: int, q: int) -> int:
    """The readiness score of a village whose location passed, in tenths of a point, rounded half up.

    50·min(1, sales/min) + 50·min(1, max(shops/min, share/min share)), with the share threshold as p/q, in
    integers so that a score is never off by a tenth through float rounding. Only a village that meets both
    thresholds scores 100.0: one that misses by a hair (sales 9,999,999 of 10 million) would round up to
    100.0, so it stays at 99.9, below every village that qualifies.
    """
    sales_n, sales_d = _capped_ratio(sales, min_sales)
    count_n, count_d = _capped_ratio(shops, min_shops)
    if p <= 0:
        share_n, share_d = 1, 1
    elif households <= 0:
        share_n, share_d = 0, 1
    else:
        # (shops / households) / (p / q) = shops·q / (households·p)
        share_n, share_d = _capped_ratio(shops * q, households * p)
    if count_n * share_d >= share_n * count_d:
        breadth_n, breadth_d = count_n, count_d
    else:
        breadth_n, breadth_d = share_n, share_d
    # 50·a/b + 50·c/d = 50·(a·d + c·b) / (b·d); in tenths, half up: (20·n + d) // (2·d) with n = 10·that.
    numerator, denominator = 50 * (sales_n * breadth_d + breadth_n * sales_d), sales_d * breadth_d
    tenths = (20 * numerator + denominator) // (2 * denominator)
    if sales_n < sales_d or breadth_n < breadth_d:
        return min(tenths, 999)
    return tenths


_SCORES = tuple(Decimal(f"{tenths // 10}.{tenths % 10}") for tenths in range(1001))


def _score_of(tenths: int) -> Decimal:
    """Tenths of a point as the exact Decimal score (0.0–100.0 come from a table: no parsing per village)."""
    if 0 <= tenths <= 1000:
        return _SCORES[tenths]
    sign, tenths = ("-", -tenths) if tenths < 0 else ("", tenths)
    return Decimal(f"{sign}{tenths // 10}.{tenths % 10}")


class VillageOutcome(NamedTuple):
    """What the village rule found for one village, before it is shaped as checks or as a stored row.

    The shop gap is the cheaper of the two routes; `share_actual` and `share_gap` are in percentage points;
    `shops_for_share` is None when the village has no households; `tenths` is the score in tenths of a point.
    """

    location_passed: bool
    sales_passed: bool
    sales_gap: int
    shops_passed: bool
    route: str | None
    shop_gap: int
    share_actual: float
    share_gap: float
    shops_for_share: int | None
    tenths: int

    @property
    def qualified(self) -> bool:
        return self.location_passed and self.sales_passed and self.shops_passed

    @property
    def score(self) -> Decimal:
        return _score_of(self.tenths)


class VillageScorer:
    """The village rule of one criteria version, prepared once and applied to any number of villages.

    `outcome` is the rule itself: every comparison, gap and figure of one village, computed once. `assess`
    shapes it as checks with their gaps and share details and the score, `qualifies` keeps the verdict alone,
    and the rescoring writes it straight into assessment rows (`services.certification`): all read `outcome`,
    so they cannot disagree. Integer arithmetic only: the household share threshold is compared as p/q.
    """

    def __init__(self, criteria: VillageCriteria):
        self.criteria = criteria
        self._min_sales = criteria.min_sales
        self._min_shops = criteria.min_active_shops
        self._share_p, self._share_q = criteria.share_terms
        self._share_required = criteria.share_required
        self._eligible = frozenset(criteria.eligible_committee_types)
        self._earlier_certification_counts = criteria.reads_earlier_certification

    def location_passes(self, committee_type: str, certified_in: int | None = None) -> bool:
        """An eligible committee type, or a neighbourhood committee certified before where that keeps it in."""
        if committee_type in self._eligible:
            return True
        return (
            certified_in is not None
            and self._earlier_certification_counts
            and committee_type == codes.NEIGHBOURHOOD_COMMITTEE
        )

    def outcome(
        self, committee_type: str, sales: int, shops: int, households: int, certified_in: int | None = None
    ) -> VillageOutcome:
        """The village rule applied to one village's committee type, sales, active shops and households
        (and, for a neighbourhood committee, the last earlier year it was certified)."""
        min_sales, min_shops, share_p, share_q = self._min_sales, self._min_shops, self._share_p, self._share_q
        location_passed = committee_type in self._eligible or self.location_passes(committee_type, certified_in)
        sales_passed = sales >= min_sales
        by_count = shops >= min_shops
        if households > 0:
            # shops / households >= p / q  <=>  shops·q >= p·households (exact, no rounding at the boundary)
            by_share = shops * share_q >= share_p * households
            shops_for_share = -(-share_p * households // share_q)
            share_actual = round(100 * shops / households, 2)
        else:
            by_share, shops_for_share, share_actual = False, None, 0.0
        shops_passed = by_count or by_share
        if shops_passed:
            shop_gap, share_gap = 0, 0
            route = SHOP_ROUTE_COUNT if by_count else SHOP_ROUTE_SHARE
        else:
            route = None
            count_gap = max(0, min_shops - shops)
            if shops_for_share is None:
                shop_gap, share_gap = count_gap, 0
            else:
                shop_gap = min(count_gap, shops_for_share - shops)
                share_gap = _percentage_points(max(0, share_p * households - shops * share_q), share_q * households)
        tenths = (
            _readiness_tenths(sales, shops, households, min_sales, min_shops, share_p, share_q)
            if location_passed
            else 0
        )
        return VillageOutcome(
            location_passed,
            sales_passed,
            0 if sales_passed else min_sales - sales,
            shops_passed,
            route,
            shop_gap,
            share_actual,
            share_gap,
            shops_for_share,
            tenths,
        )

    def assess(self, inputs: VillageInputs) -> VillageResult:
        """Score one village: location, sales and shop breadth, each with its gap, and the readiness score."""
        committee_type, sales, shops = inputs.committee_type, inputs.ecommerce_sales, inputs.active_shops
        outcome = self.outcome(committee_type, sales, shops, inputs.households, inputs.certified_in)
        details = {
            "route": outcome.route,
            "share_actual": outcome.share_actual,
            "share_required": self._share_required,
            "share_gap": outcome.share_gap,
            "shops_for_share": outcome.shops_for_share,
        }
        return VillageResult(
            qualified=outcome.qualified,
            score=outcome.score,
            checks=(
                self.location_check(committee_type, inputs.certified_in),
                Check(SALES, outcome.sales_passed, sales, self._min_sales, outcome.sales_gap),
                Check(SHOPS, outcome.shops_passed, shops, self._min_shops, outcome.shop_gap, details),
            ),
        )

    def qualifies(self, inputs: VillageInputs) -> bool:
        """The verdict of `assess` alone."""
        return self.outcome(
            inputs.committee_type, inputs.ecommerce_sales, inputs.active_shops, inputs.households, inputs.certified_in
        ).qualified

    def location_check(self, committee_type: str, certified_in: int | None = None) -> Check:
        """The location check; a neighbourhood committee let in by its earlier certification says the year."""
        eligible = list(self.criteria.eligible_committee_types)
        if committee_type in self._eligible:
            return Check(LOCATION, True, committee_type, eligible, None)
        if self.location_passes(committee_type, certified_in):
            return Check(LOCATION, True, committee_type, eligible, None, {"certified_in": certified_in})
        return Check(LOCATION, False, committee_type, eligible, None)


@lru_cache(maxsize=32)
def village_scorer(criteria: VillageCriteria) -> VillageScorer:
    """The prepared scorer of a criteria version (kept: a version's thresholds never change once used)."""
    return VillageScorer(criteria)


def assess_village(criteria: VillageCriteria, inputs: VillageInputs) -> VillageResult:
    """Score one village for one year: location, sales and shop breadth, each with its gap."""
    return village_scorer(criteria).assess(inputs)


def village_qualifies(criteria: VillageCriteria, inputs: VillageInputs) -> bool:
    """Qualification alone, without checks or score: the verdict of `assess_village`, for what-if runs."""
    return village_scorer(criteria).qualifies(inputs)


def status_change(*, previous_qualified: bool | None, qualified: bool) -> str:
    """Against the previous year's assessment (None when there was none): new, retained, lost or none."""
    if qualified:
        return STATUS_RETAINED if previous_qualified else STATUS_NEW
    return STATUS_LOST if previous_qualified else STATUS_NONE


# --- Taobao town --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TownCriteria:
    """The town thresholds of one criteria version; the scale thresholds must be strictly exceeded."""

    min_taobao_villages: int
    scale_route: bool
    sales_over: int | None
    active_shops_over: int | None
    subdistricts_can_be_towns: bool

    @classmethod
    def of(cls, criteria_set) -> "TownCriteria":
        return cls(
            min_taobao_villages=int(criteria_set.town_min_taobao_villages),
            scale_route=bool(criteria_set.town_scale_route),
            sales_over=criteria_set.town_min_sales,
            active_shops_over=criteria_set.town_min_active_shops,
            subdistricts_can_be_towns=bool(criteria_set.subdistricts_can_be_towns),
        )


@dataclass(frozen=True)
class TownInputs:
    """A township's year: its Taobao villages, and the sales and active shops of its assessed villages.

    `township_kind` is its type in that year (town, township, subdistrict) when a recorded conversion says it
    differed from what its code says today; None: the code's.
    """

    township_code: str
    taobao_villages: int
    ecommerce_sales: int
    active_shops: int
    township_kind: str | None = None


def town_route(criteria: TownCriteria, inputs: TownInputs) -> str | None:
    """`villages` (enough Taobao villages), `scale` (sales and active shops above the bar), or None."""
    kind = inputs.township_kind or codes.township_kind_of(inputs.township_code)
    is_subdistrict = kind == codes.SUBDISTRICT
    if is_subdistrict and not criteria.subdistricts_can_be_towns:
        return None
    if inputs.taobao_villages >= criteria.min_taobao_villages:
        return TOWN_ROUTE_VILLAGES
    if (
        criteria.scale_route
        and criteria.sales_over is not None
        and criteria.active_shops_over is not None
        and inputs.ecommerce_sales > criteria.sales_over
        and inputs.active_shops > criteria.active_shops_over
    ):
        return TOWN_ROUTE_SCALE
    return None


# --- Taobao village clusters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterCriteria:
    min_villages: int
    large_min_villages: int
    super_large_over_villages: int

    @classmethod
    def of(cls, criteria_set) -> "ClusterCriteria":
        return cls(
            min_villages=int(criteria_set.cluster_min_villages),
            large_min_villages=int(criteria_set.cluster_large_min_villages),
            super_large_over_villages=int(criteria_set.cluster_super_large_over_villages),
        )


@dataclass(frozen=True)
class ClusterMember:
    """A Taobao village as the cluster rule sees it: an id, its township, and coordinates if known."""

    village_id: Hashable
    township_code: str
    latitude: float | None = None
    longitude: float | None = None


def cluster_size_class(criteria: ClusterCriteria, village_count: int) -> str | None:
    """cluster (≥ minimum), large (≥ large minimum), super_large (more than the super-large bar), or None."""
    if village_count > criteria.super_large_over_villages:
        return CLUSTER_SUPER_LARGE
    if village_count >= criteria.large_min_villages:
        return CLUSTER_LARGE
    if village_count >= criteria.min_villages:
        return CLUSTER
    return None


def haversine_km(latitude_a: float, longitude_a: float, latitude_b: float, longitude_b: float) -> float:
    phi_a, phi_b = math.radians(latitude_a), math.radians(latitude_b)
    half_chord = (
        math.sin((phi_b - phi_a) / 2) ** 2
        + math.cos(phi_a) * math.cos(phi_b) * math.sin(math.radians(longitude_b - longitude_a) / 2) ** 2
    )
    return 2 * MEAN_EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(half_chord)))


class _UnionFind:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def _grid_cells(members: list[ClusterMember], link_km: float):
    """Bucket located members into cells at least `link_km` wide, so near pairs sit in adjacent cells.

    A cell is link_km tall in latitude; in longitude it is widened for the highest latitude present (where a
    degree of longitude is shortest), with a small margin, so no pair within link_km is ever missed.
    """
    located = [i for i, m in enumerate(members) if m.latitude is not None and m.longitude is not None]
    if not located or link_km <= 0:
        return {}, 0.0, 0.0
    highest = max(abs(float(members[i].latitude)) for i in located)
    cell_latitude = link_km / KM_PER_DEGREE_LATITUDE * 1.01
    cos_highest = max(math.cos(math.radians(min(89.0, highest + cell_latitude))), 0.01)
    cell_longitude = cell_latitude / cos_highest
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in located:
        member = members[i]
        row = math.floor(float(member.latitude) / cell_latitude)
        column = math.floor(float(member.longitude) / cell_longitude)
        cells[(row, column)].append(i)
    return cells, cell_latitude, cell_longitude


_FORWARD_NEIGHBOURS = ((0, 1), (1, -1), (1, 0), (1, 1))


def link_villages(members: Iterable[ClusterMember], *, link_km: float) -> list[list[Hashable]]:
    """Connected groups of villages linked by a shared township or by lying within `link_km` of each other.

    Distances are compared only inside a cell and its neighbouring cells, never between all pairs.
    Groups come largest first, each listing its village ids in input order.
    """
    members = list(members)
    union_find = _UnionFind(len(members))

    first_of_township: dict[str, int] = {}
    for i, member in enumerate(members):
        first = first_of_township.setdefault(member.township_code, i)
        if first != i:
            union_find.union(first, i)

    cells, _cell_latitude, _cell_longitude = _grid_cells(members, link_km)
    points = {
        i: (float(members[i].latitude), float(members[i].longitude))
        for indexes in cells.values()
        for i in indexes
    }
    for (row, column), indexes in cells.items():
        neighbours = [(indexes, True)] + [
            (cells[(row + d_row, column + d_column)], False)
            for d_row, d_column in _FORWARD_NEIGHBOURS
            if (row + d_row, column + d_column) in cells
        ]
        for position, i in enumerate(indexes):
            latitude_i, longitude_i = points[i]
            for others, same_cell in neighbours:
                for j in others[position + 1 :] if same_cell else others:
                    if union_find.find(i) == union_find.find(j):
                        continue
                    if haversine_km(latitude_i, longitude_i, *points[j]) <= link_km:
                        union_find.union(i, j)

    groups: dict[int, list[Hashable]] = defaultdict(list)
    for i, member in enumerate(members):
        groups[union_find.find(i)].append(member.village_id)
    return sorted(groups.values(), key=len, reverse=True)
