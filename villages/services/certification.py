"""Certification writes: assess an approved report, withdraw the result, rebuild a year's towns and clusters.

The rules themselves live in `villages.scoring` (pure); this module loads their inputs in a few set-based
queries and writes the results. `report_assess` is called by the review workflow when a report is approved,
`report_assessment_withdraw` when an approved report is reopened: each touches only what one village can
change (its township's town; the clusters around it, and only when its qualified status changed), while
a rescoring rebuilds whole years. Each of them gives the published data a new version.
"""

import json
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import islice
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Avg,
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from villages import scoring
from villages.models import (
    AnnualReport,
    Assessment,
    CriteriaSet,
    TaobaoTown,
    TownshipConversion,
    TownshipPoint,
    TownshipReport,
    Village,
    VillageCluster,
    VillageConversion,
)
from villages.selectors.certification import criteria_set_among, criteria_set_for_year
from villages.selectors.conversions import after_year_q, committee_types_in_year, township_kinds_in_year
from villages.selectors.township_points import representative_points
from villages.services.certificates import certificates_sync, village_certificate_refresh
from villages.services.data_version import published_data_changed
from villages.services.reconciliation import report_input_sources_of

StatusChange = Assessment.StatusChange


def report_assess(*, report: AnnualReport) -> Assessment:
    """Score an approved report under the criteria of its year and record it (one per village and year).

    The status change is measured against the village's assessment of the previous year, and the following
    year's status change is corrected if that year is already assessed. The township's Taobao town is
    rebuilt, and when the village's qualified status changed, the clusters around it are relinked.
    Call it after the report's status is set to approved.
    """
    if report.status != AnnualReport.Status.APPROVED:
        raise ValidationError(_("Only an approved report can be assessed."))
    # No savepoint of its own: an assessment that fails fails the approval around it.
    with transaction.atomic(savepoint=False):
        criteria_set = criteria_set_for_year(report.year)
        recorded = _assessment_record(report=report, criteria_set=criteria_set)
        _village_derivatives_refresh(
            report=report,
            criteria_set=criteria_set,
            was_qualified=recorded.was_qualified,
            qualified=recorded.assessment.qualified,
            next_year_assessed=recorded.next_year_assessed,
        )
    return recorded.assessment


def report_assessment_record(*, report: AnnualReport, criteria_set: CriteriaSet) -> Assessment:
    """Score a report under `criteria_set` and record the village's assessment of its year, nothing more.

    The status change is measured against the village's assessment of the previous year. `report_assess`
    follows it with the next year's status change, the town and the clusters; the rescore benchmark's
    per-village loop calls it alone.
    """
    return _assessment_record(report=report, criteria_set=criteria_set).assessment


_RECORDED_FIELDS = [
    "report", "criteria_set", "inputs", "input_sources", "checks", "qualified", "score", "status_change"
]


class _Recorded(NamedTuple):
    """What recording an assessment tells the steps after it."""

    assessment: Assessment
    was_qualified: bool
    next_year_assessed: bool


def _assessment_record(*, report: AnnualReport, criteria_set: CriteriaSet) -> _Recorded:
    """Record the report's assessment; say whether the village was qualified that year before, and whether
    the next year is assessed (its status change then depends on this one).

    One read gives the village's years up to the next one (the previous year's verdict, the last earlier year
    it was certified, the assessment being replaced, the next year's) and, in the same statement, the
    committee type of the report's year when a later conversion changed it (`selectors.conversions`).
    """
    years_and_conversions = (
        Assessment.objects.filter(village_id=report.village_id, year__lte=report.year + 1)
        .annotate(old_type=Value(""))
        .order_by()
        .values_list("year", "id", "qualified", "old_type")
        .union(
            VillageConversion.objects.filter(after_year_q(report.year), village_id=report.village_id)
            # An integer, like the assessments' year: PostgreSQL's EXTRACT gives numeric, which would turn the
            # union's whole column into decimals.
            .annotate(conversion_year=Cast(ExtractYear("effective_on"), IntegerField()), no_verdict=Value(False))
            .order_by()
            .values_list("conversion_year", "id", "no_verdict", "old_committee_type"),
            all=True,
        )
    )
    recorded, certified_in, conversions = {}, None, []
    for year, row_id, qualified, old_type in years_and_conversions:
        year = int(year)
        if old_type:
            conversions.append((year, row_id, old_type))
            continue
        recorded[year] = (row_id, qualified)
        if qualified and year < report.year and (certified_in is None or year > certified_in):
            certified_in = year
    committee_type = min(conversions)[2] if conversions else report.village.committee_type
    inputs = scoring.VillageInputs(
        committee_type=committee_type,
        ecommerce_sales=report.ecommerce_sales,
        active_shops=report.active_shops,
        households=report.households,
        certified_in=certified_in,
    )
    previous_qualified = recorded[report.year - 1][1] if report.year - 1 in recorded else None
    replaced_id, was_qualified = recorded.get(report.year, (None, False))
    assessment = Assessment(
        id=replaced_id,
        village_id=report.village_id,
        year=report.year,
        report=report,
        input_sources=report_input_sources_of(report),
        **_assessment_fields(criteria_set, inputs, previous_qualified),
    )
    if replaced_id is None:
        assessment.save(force_insert=True)
    else:
        assessment.save(update_fields=[*_RECORDED_FIELDS, "assessed_at", "updated_at"])
    return _Recorded(assessment, was_qualified, report.year + 1 in recorded)


def _assessment_fields(criteria_set: CriteriaSet, inputs: scoring.VillageInputs, previous_qualified) -> dict:
    """The fields an assessment stores for `inputs` under `criteria_set`, the previous year's verdict given."""
    result = scoring.assess_village(scoring.VillageCriteria.of(criteria_set), inputs)
    return {
        "criteria_set": criteria_set,
        "inputs": inputs.as_dict(),
        "checks": result.checks_as_dicts(),
        "qualified": result.qualified,
        "score": result.score,
        "status_change": scoring.status_change(previous_qualified=previous_qualified, qualified=result.qualified),
    }


def report_assessment_withdraw(*, report: AnnualReport) -> None:
    """Remove the assessment an approved report gave (the report is reopened) and what followed from it."""
    with transaction.atomic(savepoint=False):
        recorded = Assessment.objects.filter(
            village_id=report.village_id, year__in=(report.year, report.year + 1)
        ).values_list("year", "id", "qualified", "report_id")
        withdrawn, next_year_assessed = None, False
        for year, assessment_id, qualified, report_id in recorded:
            if year == report.year and report_id == report.pk:
                withdrawn = (assessment_id, qualified)
            next_year_assessed |= year == report.year + 1
        if withdrawn is None:
            return
        assessment_id, was_qualified = withdrawn
        Assessment.objects.filter(pk=assessment_id).delete()
        _village_derivatives_refresh(
            report=report,
            criteria_set=criteria_set_for_year(report.year),
            was_qualified=was_qualified,
            qualified=False,
            next_year_assessed=next_year_assessed,
        )


def _village_derivatives_refresh(
    *, report: AnnualReport, criteria_set: CriteriaSet, was_qualified: bool, qualified: bool, next_year_assessed: bool
) -> None:
    """What one village's new (or withdrawn) assessment changes: its township's town, and if its verdict
    changed, the next year's status change and the clusters around it; its certificate (issued or revoked);
    then the published data version."""
    village = report.village
    if qualified or was_qualified:
        # A verdict that was and stays "not qualified" has no certificate to issue or revoke.
        village_certificate_refresh(
            village=village, year=report.year, criteria_set_id=criteria_set.pk, qualified=qualified
        )
    taobao_towns_refresh(year=report.year, criteria_set=criteria_set, township_code=village.township_id)
    if qualified != was_qualified:
        if next_year_assessed:
            status_changes_refresh(years=[report.year + 1], village_ids=[village.pk])
        clusters_relink(year=report.year, criteria_set=criteria_set, village=village, qualified=qualified)
    published_data_changed()


def status_changes_refresh(*, years, village_ids=None) -> int:
    """Recompute `status_change` of the years' assessments against the year before (one UPDATE a year)."""
    updated = 0
    previous_qualified = Exists(
        Assessment.objects.filter(
            village_id=OuterRef("village_id"), year=OuterRef("year") - 1, qualified=True
        )
    )
    for year in years:
        assessments = Assessment.objects.filter(year=year)
        if village_ids is not None:
            assessments = assessments.filter(village_id__in=village_ids)
        updated += assessments.update(
            status_change=Case(
                When(Q(qualified=True) & previous_qualified, then=Value(StatusChange.RETAINED)),
                When(qualified=True, then=Value(StatusChange.NEW)),
                When(previous_qualified, then=Value(StatusChange.LOST)),
                default=Value(StatusChange.NONE),
            )
        )
    return updated


def _input_sum(key: str):
    return Coalesce(Sum(Cast(KeyTextTransform(key, "inputs"), BigIntegerField())), Value(0))


def taobao_towns_refresh(*, year: int, criteria_set: CriteriaSet, township_code: str | None = None) -> int:
    """Replace the year's Taobao towns: one aggregate over its assessments, the pure town rule, one insert.

    A township's sales and active shops are the sums over its assessed villages (approved reports). With
    `township_code`, only that township is rebuilt: one approval changes nothing elsewhere, and the aggregate
    stays small when the year has hundreds of thousands of assessments.
    """
    assessments = Assessment.objects.filter(year=year)
    sums = {
        "taobao_villages": Count("id", filter=Q(qualified=True)),
        "ecommerce_sales": _input_sum("ecommerce_sales"),
        "active_shops": _input_sum("active_shops"),
    }
    if township_code is None:
        townships = assessments.values_list("village__township_id").annotate(**sums).order_by()
        totals = {code: TownshipTotals(villages, int(sales), int(shops)) for code, villages, sales, shops in townships}
        return taobao_towns_replace(
            year=year,
            criteria_set=criteria_set,
            totals=totals,
            kinds=township_kinds_in_year(year),
            township_figures=approved_township_figures(year),
        )
    # Whether the township is a stored town, and its type that year if a later conversion changed it, come
    # with its sums, so that a township that neither was nor becomes a town (most approvals) costs no write.
    kind_that_year = TownshipConversion.objects.filter(after_year_q(year), township_id=township_code).order_by(
        "effective_on"
    )
    own_report = TownshipReport.objects.filter(
        year=year, township_id=township_code, status=TownshipReport.Status.APPROVED
    )
    township = next(
        iter(
            assessments.filter(village__township_id=township_code)
            .values_list("village__township_id")
            .annotate(
                **sums,
                stored_town=Exists(TaobaoTown.objects.filter(year=year, township_id=township_code)),
                kind=Subquery(kind_that_year.values("old_kind")[:1]),
                own_figures=Subquery(own_report.values("id")[:1]),
            )
            .order_by()
        ),
        None,
    )
    if township is None:
        # No assessed village: the township's own approved report alone can still make it a town (scale route).
        own_figures = approved_township_figures(year, township_code=township_code)
        return taobao_towns_replace(
            year=year,
            criteria_set=criteria_set,
            totals={},
            township_code=township_code,
            kinds=township_kinds_in_year(year, township_codes=[township_code]) if own_figures else {},
            township_figures=own_figures,
        )
    code, villages, sales, shops, stored_town, kind, own_figures = township
    return taobao_towns_replace(
        year=year,
        criteria_set=criteria_set,
        totals={code: TownshipTotals(villages, int(sales), int(shops))},
        township_code=township_code,
        stored_town=stored_town,
        kinds={code: kind} if kind else {},
        township_figures=approved_township_figures(year, township_code=township_code) if own_figures else {},
    )


def approved_township_figures(year: int, *, township_code: str | None = None) -> dict[str, tuple[int, int]]:
    """{township code: (sales, active shops)} of the townships' own approved reports of `year` (one query)."""
    reports = TownshipReport.objects.filter(year=year, status=TownshipReport.Status.APPROVED)
    if township_code is not None:
        reports = reports.filter(township_id=township_code)
    return {
        code: (int(sales), int(shops))
        for code, sales, shops in reports.values_list("township_id", "ecommerce_sales", "active_shops")
    }


def township_report_counted(*, report) -> None:
    """A township's own report was approved or reopened: its town of that year is judged again."""
    taobao_towns_refresh(
        year=report.year, criteria_set=criteria_set_for_year(report.year), township_code=report.township_id
    )
    published_data_changed()


class TownshipTotals(NamedTuple):
    """A township's year as the town rule reads it: Taobao villages, and sums over its assessed villages."""

    taobao_villages: int
    ecommerce_sales: int
    active_shops: int


def taobao_towns_replace(
    *,
    year: int,
    criteria_set: CriteriaSet,
    totals: dict[str, TownshipTotals],
    township_code: str | None = None,
    stored_town: bool | None = None,
    kinds: dict[str, str] | None = None,
    township_figures: dict[str, tuple[int, int]] | None = None,
) -> int:
    """Replace the year's Taobao towns (or one township's) with those the town rule finds in `totals`.

    `stored_town` says whether that one township has a stored town (None: not known, so it is deleted);
    `kinds` gives the type in that year of the townships a later conversion changed; `township_figures` the
    (sales, active shops) of the townships' own approved reports, which count instead of their villages' sums
    (the town records which it used).
    """
    criteria = scoring.TownCriteria.of(criteria_set)
    kinds = kinds or {}
    township_figures = township_figures or {}
    towns = []
    for code in [*totals, *(code for code in township_figures if code not in totals)]:
        taobao_villages, sales, shops = totals.get(code, (0, 0, 0))
        figures = TaobaoTown.Figures.VILLAGES_SUM
        if code in township_figures:
            (sales, shops), figures = township_figures[code], TaobaoTown.Figures.TOWNSHIP_REPORT
        inputs = scoring.TownInputs(code, taobao_villages, sales, shops, township_kind=kinds.get(code))
        route = scoring.town_route(criteria, inputs)
        if route is not None:
            towns.append(
                TaobaoTown(
                    township_id=code,
                    year=year,
                    criteria_set=criteria_set,
                    route=route,
                    taobao_villages=inputs.taobao_villages,
                    ecommerce_sales=inputs.ecommerce_sales,
                    active_shops=inputs.active_shops,
                    figures=figures,
                )
            )
    existing_towns = TaobaoTown.objects.filter(year=year)
    if township_code is None:
        existing_towns.delete()
        TaobaoTown.objects.bulk_create(towns, batch_size=500)
    elif towns:
        # One township after an approval: a single upsert keeps its row (and id) when it stays a town.
        TaobaoTown.objects.bulk_create(
            towns,
            update_conflicts=True,
            unique_fields=["township", "year"],
            update_fields=["criteria_set", "route", "taobao_villages", "ecommerce_sales", "active_shops", "figures"],
        )
    elif stored_town is not False:
        existing_towns.filter(township_id=township_code).delete()
    return len(towns)


def clusters_refresh(*, year: int, criteria_set: CriteriaSet) -> int:
    """Replace the year's clusters: load its Taobao villages once, link them, insert the groups."""
    criteria = scoring.ClusterCriteria.of(criteria_set)
    rows = (
        Assessment.objects.filter(year=year, qualified=True)
        .order_by()
        .values_list("village_id", "village__township_id", "village__latitude", "village__longitude")
    )
    county_of = {}
    rows = list(rows)
    # Villages without coordinates are placed at their township's representative point (approximate).
    points = representative_points(
        township for _village, township, latitude, longitude in rows if latitude is None or longitude is None
    )
    approximate = set()
    members = []
    for village_id, township_code, latitude, longitude in rows:
        county_of[village_id] = township_code[:6]
        if (latitude is None or longitude is None) and township_code in points:
            latitude, longitude = points[township_code]
            approximate.add(village_id)
        members.append(
            scoring.ClusterMember(
                village_id=village_id,
                township_code=township_code,
                latitude=float(latitude) if latitude is not None else None,
                longitude=float(longitude) if longitude is not None else None,
            )
        )
    groups = [
        (group, size_class)
        for group in scoring.link_villages(members, link_km=settings.CLUSTER_LINK_KM)
        if (size_class := scoring.cluster_size_class(criteria, len(group))) is not None
    ]
    VillageCluster.objects.filter(year=year).delete()
    clusters = VillageCluster.objects.bulk_create(
        [
            VillageCluster(
                year=year,
                size_class=size_class,
                village_count=len(group),
                counties=sorted({county_of[village_id] for village_id in group}),
                approximate_villages=sum(1 for village_id in group if village_id in approximate),
            )
            for group, size_class in groups
        ]
    )
    # The memberships (one row per Taobao village) go in one COPY or executemany: through-model instances
    # would cost more than the linking itself in a national rebuild.
    membership = VillageCluster.villages.through._meta
    _rows_insert(
        membership.db_table,
        [membership.get_field("villagecluster").column, membership.get_field("village").column],
        [
            (cluster.pk, village_id)
            for cluster, (group, _size_class) in zip(clusters, groups, strict=True)
            for village_id in group
        ],
    )
    return len(clusters)


def clusters_relink(*, year: int, criteria_set: CriteriaSet, village: Village, qualified: bool) -> None:
    """Relink the year's clusters around one village whose qualified status just became `qualified`.

    The stored clusters are the year's linked groups (see `clusters_refresh`) that are large enough; a
    smaller group is stored nowhere. So a village that lost its status was either in no stored cluster (its
    group was too small, and the pieces left are smaller still: nothing changes) or in one, whose other
    members are linked again and stored as the pieces that are still large enough. A village that gained
    its status joins every group it links to: the Taobao villages of its township or within `CLUSTER_LINK_KM`
    (a bounding box on the coordinates) are loaded; a stored cluster among them is taken whole, and from
    each village in no cluster the walk goes on the same way, since the rest of its small group may lie
    beyond the box. The result equals what `clusters_refresh` gives for the year, in a few queries.

    A Taobao village without coordinates stands at its township's representative point, as in
    `clusters_refresh`: the walk reads each village's position (its own coordinates, else that point, computed
    in the query only for the villages without them) and its boxes are on positions; the clusters count the
    villages so placed as approximate. Only the villages around the one that changed are read.
    """
    criteria = scoring.ClusterCriteria.of(criteria_set)
    placed: dict[int, scoring.ClusterMember] = {}
    if qualified:
        _cluster_join(year=year, criteria=criteria, village=village, placed=placed)
    else:
        _cluster_leave(year=year, criteria=criteria, village=village, placed=placed)


_Membership = VillageCluster.villages.through


def _with_positions(assessments):
    """Assessments with their village's position for the cluster rule (`position_latitude`, `position_longitude`):
    its own coordinates, else its township's representative point as `representative_points` gives it (the
    point the county entered, else the mean of the township's located villages), else none."""
    located_here = Q(village__latitude__isnull=False, village__longitude__isnull=False)
    entered = TownshipPoint.objects.filter(township_id=OuterRef("village__township_id"))
    located = (
        Village.objects.filter(
            township_id=OuterRef("village__township_id"), latitude__isnull=False, longitude__isnull=False
        )
        .order_by()
        .values("township_id")
    )

    def position(name):
        point = Coalesce(
            Subquery(entered.values(name)[:1]), Subquery(located.annotate(mean=Avg(name)).values("mean")[:1])
        )
        return Case(When(located_here, then=F(f"village__{name}")), default=point)

    return assessments.annotate(position_latitude=position("latitude"), position_longitude=position("longitude"))


def _position_of(village: Village) -> tuple:
    """The village's position: its own coordinates, or its township's point (one or two queries) if it has none."""
    if village.latitude is not None and village.longitude is not None:
        return village.latitude, village.longitude
    return representative_points([village.township_id]).get(village.township_id, (None, None))


def _placed_member(village_id, township_code, latitude, longitude, position_latitude, position_longitude, placed):
    """The member at its position; one placed at its township's point is remembered in `placed`."""
    if latitude is not None and longitude is not None:
        return _cluster_member(village_id, township_code, latitude, longitude)
    member = _cluster_member(village_id, township_code, position_latitude, position_longitude)
    if member.latitude is not None and member.longitude is not None:
        placed[village_id] = member
    return member


def _cluster_member(village_id, township_code, latitude, longitude) -> scoring.ClusterMember:
    return scoring.ClusterMember(
        village_id=village_id,
        township_code=township_code,
        latitude=float(latitude) if latitude is not None else None,
        longitude=float(longitude) if longitude is not None else None,
    )


def _linked(a: scoring.ClusterMember, b: scoring.ClusterMember, link_km: float) -> bool:
    """The link of `scoring.link_villages`: one township, or both located within `link_km`."""
    if a.township_code == b.township_code:
        return True
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return False
    return scoring.haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) <= link_km


def _within_reach_q(members: list[scoring.ClusterMember], link_km: float) -> Q:
    """Villages of the members' townships or whose position is inside a box around a located member that holds
    every point within `link_km` of it (a degree of longitude measured at the box's edge nearest the pole, with
    margin). The position is the village's own coordinates, or for a village without them the one
    `_with_positions` gives: the condition on it is the last resort, so the database computes it for those
    villages only."""
    unlocated = Q(village__latitude__isnull=True) | Q(village__longitude__isnull=True)
    reach = Q(village__township_id__in=sorted({member.township_code for member in members}))
    latitude_reach = link_km / scoring.KM_PER_DEGREE_LATITUDE * 1.01
    for member in members:
        if member.latitude is None or member.longitude is None:
            continue
        edge = min(89.0, abs(member.latitude) + latitude_reach)
        longitude_reach = latitude_reach / max(math.cos(math.radians(edge)), 0.01)
        box = {
            "latitude__range": (member.latitude - latitude_reach, member.latitude + latitude_reach),
            "longitude__range": (member.longitude - longitude_reach, member.longitude + longitude_reach),
        }
        reach |= Q(**{f"village__{name}": bounds for name, bounds in box.items()})
        reach |= unlocated & Q(**{f"position_{name}": bounds for name, bounds in box.items()})
    return reach


def _cluster_join(
    *, year: int, criteria: scoring.ClusterCriteria, village: Village, placed: dict
) -> None:
    """A village gained its status: merge it with the groups it links to (see `clusters_relink`).

    Each step of the walk is one query: the Taobao villages within reach of the villages just added, with the
    members of every stored cluster among them (a cluster is taken whole once one of its villages links).
    """
    link_km = settings.CLUSTER_LINK_KM
    cluster_of = _Membership.objects.filter(village_id=OuterRef("village_id"), villagecluster__year=year)
    year_villages = _with_positions(Assessment.objects.filter(year=year, qualified=True))
    taobao_villages = (
        year_villages.exclude(village_id=village.pk)
        .annotate(cluster_id=Subquery(cluster_of.values("villagecluster_id")[:1]))
        .order_by()
    )
    columns = ("village_id", "village__township_id", "village__latitude", "village__longitude")
    columns += ("position_latitude", "position_longitude", "cluster_id")
    joined = _placed_member(
        village.pk,
        village.township_id,
        village.latitude,
        village.longitude,
        *_position_of(village),
        placed,
    )
    group = {village.pk: joined}
    merged_clusters: dict[int, list[int]] = {}
    waiting: dict = {}
    frontier = [joined]
    while frontier:
        in_reach = taobao_villages.filter(_within_reach_q(frontier, link_km))
        clusters_in_reach = _Membership.objects.filter(
            villagecluster__year=year, village_id__in=in_reach.values("village_id")
        ).exclude(villagecluster_id__in=list(merged_clusters))
        their_members = taobao_villages.filter(
            village_id__in=_Membership.objects.filter(
                villagecluster_id__in=clusters_in_reach.values("villagecluster_id")
            ).values("village_id")
        )
        for village_id, township_code, *coordinates, cluster_id in in_reach.values_list(*columns).union(
            their_members.values_list(*columns)
        ):
            if village_id not in group:
                waiting[village_id] = (_placed_member(village_id, township_code, *coordinates, placed), cluster_id)
        # A village in a stored cluster links only inside its cluster (the cluster is its whole group), so
        # only villages in no cluster carry the walk on.
        newly_linked, grown = [], frontier
        while grown:
            linked = {
                village_id: cluster_id
                for village_id, (member, cluster_id) in waiting.items()
                if any(_linked(member, other, link_km) for other in grown)
            }
            grown = []
            for village_id, cluster_id in linked.items():
                if village_id not in waiting:
                    continue
                if cluster_id is None:
                    member, _cluster_id = waiting.pop(village_id)
                    group[village_id] = member
                    grown.append(member)
                    newly_linked.append(member)
                    continue
                members = [other_id for other_id, (_member, other) in waiting.items() if other == cluster_id]
                merged_clusters[cluster_id] = members
                for member_id in members:
                    group[member_id] = waiting.pop(member_id)[0]
        frontier = newly_linked
    _clusters_store(
        year=year, criteria=criteria, groups=[list(group.values())], replaced=merged_clusters, placed=placed
    )


def _cluster_leave(*, year: int, criteria: scoring.ClusterCriteria, village: Village, placed: dict) -> None:
    """A village lost its status: split what is left of its stored cluster, if it was in one."""
    its_cluster = _Membership.objects.filter(village_id=village.pk, villagecluster__year=year).values(
        "villagecluster_id"
    )
    members = _Membership.objects.filter(villagecluster_id__in=Subquery(its_cluster)).values_list(
        "villagecluster_id", "village_id", "village__township_id", "village__latitude", "village__longitude"
    )
    replaced: dict[int, list[int]] = {}
    remaining = {}
    for cluster_id, village_id, township_code, latitude, longitude in members:
        replaced.setdefault(cluster_id, []).append(village_id)
        if village_id != village.pk:
            remaining[village_id] = _cluster_member(village_id, township_code, latitude, longitude)
    if not replaced:
        return
    # The members without coordinates of their own stand at their township's point (two queries at most).
    points = representative_points(
        member.township_code for member in remaining.values() if member.latitude is None or member.longitude is None
    )
    for village_id, member in remaining.items():
        if (member.latitude is None or member.longitude is None) and member.township_code in points:
            remaining[village_id] = placed[village_id] = _cluster_member(
                village_id, member.township_code, *points[member.township_code]
            )
    pieces = scoring.link_villages(remaining.values(), link_km=settings.CLUSTER_LINK_KM)
    _clusters_store(
        year=year,
        criteria=criteria,
        groups=[[remaining[village_id] for village_id in piece] for piece in pieces],
        replaced=replaced,
        placed=placed,
    )


def _clusters_store(
    *,
    year: int,
    criteria: scoring.ClusterCriteria,
    groups: list[list[scoring.ClusterMember]],
    replaced: dict,
    placed: dict,
) -> None:
    """Store the groups large enough to be clusters in place of the `replaced` clusters ({id: member ids}).

    The largest replaced cluster keeps its row (and id) for the largest group, and the memberships that stay
    are not rewritten: a village joining a cluster costs one UPDATE and one membership; merged clusters
    hand their memberships over in one UPDATE.
    """
    kept = [(group, size_class) for group in groups if (size_class := scoring.cluster_size_class(criteria, len(group)))]
    kept.sort(key=lambda pair: len(pair[0]), reverse=True)
    reused_id = max(replaced, key=lambda cluster_id: len(replaced[cluster_id])) if replaced and kept else None
    dropped = [cluster_id for cluster_id in replaced if cluster_id != reused_id]
    memberships = []
    if reused_id is not None:
        group, size_class = kept.pop(0)
        group_ids = {member.village_id for member in group}
        VillageCluster.objects.filter(pk=reused_id).update(
            size_class=size_class,
            village_count=len(group),
            counties=_counties_of(group),
            approximate_villages=_approximate_in(group, placed),
        )
        members = set(replaced[reused_id])
        if dropped:
            # Only a merge drops clusters while one is kept: all their villages are in the kept group.
            _Membership.objects.filter(villagecluster_id__in=dropped).update(villagecluster_id=reused_id)
            members.update(village_id for cluster_id in dropped for village_id in replaced[cluster_id])
        if members - group_ids:
            _Membership.objects.filter(villagecluster_id=reused_id, village_id__in=sorted(members - group_ids)).delete()
        memberships += [(reused_id, village_id) for village_id in sorted(group_ids - members)]
    elif dropped:
        _Membership.objects.filter(villagecluster_id__in=dropped).delete()
    if dropped:
        # Their memberships were handed over or deleted just above, so nothing cascades: one statement
        # instead of the deletion collector's select and two deletes.
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(VillageCluster._meta.db_table)} "
                f"WHERE id IN ({', '.join(['%s'] * len(dropped))})",
                dropped,
            )
    if kept:
        created = VillageCluster.objects.bulk_create(
            [
                VillageCluster(
                    year=year,
                    size_class=size_class,
                    village_count=len(group),
                    counties=_counties_of(group),
                    approximate_villages=_approximate_in(group, placed),
                )
                for group, size_class in kept
            ]
        )
        memberships += [
            (cluster.pk, member.village_id)
            for cluster, (group, _size_class) in zip(created, kept, strict=True)
            for member in group
        ]
    if memberships:
        membership = _Membership._meta
        _rows_insert(
            membership.db_table,
            [membership.get_field("villagecluster").column, membership.get_field("village").column],
            memberships,
        )


def _counties_of(group: list[scoring.ClusterMember]) -> list[str]:
    return sorted({member.township_code[:6] for member in group})


def _approximate_in(group: list[scoring.ClusterMember], placed: dict) -> int:
    return sum(1 for member in group if member.village_id in placed)


def _rows_insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows the fastest way the database offers: COPY on PostgreSQL (psycopg 3), else executemany.

    COPY measured several times faster than psycopg's pipelined executemany for 100,000 rows.
    """
    table = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)


RESCORE_BATCH_SIZE = 5000
_RESCORED_FIELDS = ["criteria_set", "report", "inputs", "checks", "qualified", "score", "status_change"]


@dataclass(frozen=True)
class RescoreSummary:
    """What a rescoring run did: assessments written and removed, and how many changed qualified status."""

    years: tuple[int, ...]
    assessed: int
    removed: int
    gained: int
    lost: int

    @property
    def changed(self) -> int:
        return self.gained + self.lost


def assessments_rescore(*, years=None, batch_size: int = RESCORE_BATCH_SIZE) -> RescoreSummary:
    """Recompute the assessments of the given years (all years when None) under their criteria versions.

    Set-based: approved reports are read through one `values_list` cursor, scored in Python by the pure rule,
    staged in batches and written back with one upsert statement a year; the next year's status changes, the
    towns and the clusters follow in a few statements a year. Assessments of reports that are no longer
    approved go. Assessments recorded without a report are rescored from their input snapshot. The published
    data gets a new version with the commit.
    """
    approved = AnnualReport.objects.filter(status=AnnualReport.Status.APPROVED)
    with transaction.atomic():
        if years is None:
            years = set(approved.values_list("year", flat=True).distinct()) | set(
                Assessment.objects.values_list("year", flat=True).distinct()
            )
        years = tuple(sorted(set(years)))
        criteria_sets = list(CriteriaSet.objects.order_by("first_year"))
        criteria_of_year = {year: criteria_set_among(criteria_sets, year) for year in years}

        totals = {"assessed": 0, "removed": 0, "gained": 0, "lost": 0}
        qualified_of_year: dict[int, set] = {}
        townships_of_year: dict[int, dict[str, TownshipTotals]] = {}
        # Rescoring a year changes no other year's verdicts, so one read gives every "before" needed.
        qualified_before = _qualified_villages(years={*years, *(year - 1 for year in years)})
        for year in years:
            qualified_of_year[year], townships_of_year[year] = _rescore_year(
                year=year,
                criteria_set=criteria_of_year[year],
                previous=qualified_of_year.get(year - 1, qualified_before[year - 1]),
                before=qualified_before[year],
                batch_size=batch_size,
                totals=totals,
            )

        status_changes_refresh(years=[year + 1 for year in years if year + 1 not in qualified_of_year])
        for year in years:
            # The townships' totals were summed during the pass: no second aggregate over the year.
            taobao_towns_replace(
                year=year,
                criteria_set=criteria_of_year[year],
                totals=townships_of_year[year],
                kinds=township_kinds_in_year(year),
                township_figures=approved_township_figures(year),
            )
            clusters_refresh(year=year, criteria_set=criteria_of_year[year])
        certificates_sync(years=years)
        published_data_changed()
    return RescoreSummary(years=years, **totals)


def _certified_before(year: int, types_in_year: dict) -> dict:
    """{village id: the last year before `year` it was certified} for the neighbourhood committees of `year`
    (those of today, and those a later conversion turned into something else since)."""
    converted = [
        village_id
        for village_id, old_type in types_in_year.items()
        if old_type == scoring.codes.NEIGHBOURHOOD_COMMITTEE
    ]
    rows = (
        Assessment.objects.filter(year__lt=year, qualified=True)
        .filter(Q(village__committee_type=scoring.codes.NEIGHBOURHOOD_COMMITTEE) | Q(village_id__in=converted))
        .values("village_id")
        .annotate(last_year=Max("year"))
        .order_by()
        .values_list("village_id", "last_year")
    )
    return dict(rows)


def _qualified_villages(*, years) -> dict[int, set]:
    """The ids of the villages qualified in each of `years` (a village without an assessment counts as not
    qualified)."""
    qualified = {year: set() for year in years}
    rows = Assessment.objects.filter(year__in=sorted(years), qualified=True).order_by()
    for year, village_id in rows.values_list("year", "village_id"):
        qualified[year].add(village_id)
    return qualified


def _rescore_year(
    *, year, criteria_set, previous, before, batch_size, totals
) -> tuple[set, dict[str, TownshipTotals]]:
    """Rescore one year in batches; returns its qualified villages and its townships' totals for the town rule.

    One pass over the approved reports (one cursor, `values_list`, no model instances): each village is
    scored by the pure rule, its inputs and checks are written as JSON text, its status change is read off
    the previous year's qualified villages, its township's Taobao villages, sales and active shops are
    summed; rows are staged `batch_size` at a time and upserted together. Adds to the running `totals`;
    `previous` and `before` are the qualified villages of the year before and of this year before the run.
    """
    criteria = scoring.VillageCriteria.of(criteria_set)
    # The facts of the year: committee types a later conversion changed, and for the neighbourhood-committee
    # rule the last earlier year each village was certified (earlier years are already rescored by now).
    types_in_year = committee_types_in_year(year)
    type_in_year = types_in_year.get
    certified_in = (_certified_before(year, types_in_year) if criteria.reads_earlier_certification else {}).get
    status_of = {
        (was, now): scoring.status_change(previous_qualified=was, qualified=now)
        for was in (False, True)
        for now in (False, True)
    }
    after: set = set()
    reports = (
        AnnualReport.objects.filter(status=AnnualReport.Status.APPROVED, year=year)
        .order_by("id")
        .values_list(
            "id",
            "village_id",
            "village__township_id",
            "village__committee_type",
            "ecommerce_sales",
            "active_shops",
            "households",
        )
        .iterator(chunk_size=batch_size)
    )
    townships: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    upsert = _AssessmentUpsert(year=year, criteria_set_id=criteria_set.pk)
    score, qualified_village = AssessmentRowText(criteria).row, after.add
    while batch := list(islice(reports, batch_size)):
        rows = []
        for report_id, village_id, township_code, committee_type, sales, shops, households in batch:
            committee_type = type_in_year(village_id, committee_type)
            qualified, score_value, inputs_json, checks_json = score(
                committee_type, sales, shops, households, certified_in(village_id)
            )
            township = townships[township_code]
            if qualified:
                qualified_village(village_id)
                township[0] += 1
            township[1] += sales
            township[2] += shops
            rows.append(
                (
                    village_id,
                    report_id,
                    inputs_json,
                    checks_json,
                    qualified,
                    score_value,
                    status_of[village_id in previous, qualified],
                )
            )
        upsert.write(rows)
        totals["assessed"] += len(rows)
    upsert.finish()

    without_report = []
    snapshots = Assessment.objects.filter(year=year, report__isnull=True).values_list(
        "id", "village_id", "village__township_id", "inputs"
    )
    for assessment_id, village_id, township_code, snapshot in snapshots:
        inputs = replace(scoring.VillageInputs.from_dict(snapshot), certified_in=certified_in(village_id))
        assessment = Assessment(id=assessment_id, **_assessment_fields(criteria_set, inputs, village_id in previous))
        township = townships[township_code]
        if assessment.qualified:
            after.add(village_id)
            township[0] += 1
        township[1] += inputs.ecommerce_sales
        township[2] += inputs.active_shops
        without_report.append(assessment)
    Assessment.objects.bulk_update(without_report, _RESCORED_FIELDS, batch_size=batch_size)
    totals["assessed"] += len(without_report)

    stale = Assessment.objects.filter(year=year, report__isnull=False).exclude(
        report__status=AnnualReport.Status.APPROVED
    )
    totals["removed"] += stale.delete()[0]
    totals["gained"] += len(after - before)
    totals["lost"] += len(before - after)
    return after, {code: TownshipTotals(*township) for code, township in townships.items()}


_json_text = json.JSONEncoder(separators=(",", ":")).encode
_JSON_BOOLEANS = ("false", "true")
_JSON_ROUTES = {scoring.SHOP_ROUTE_COUNT: '"count"', scoring.SHOP_ROUTE_SHARE: '"share"', None: "null"}
_CHECK_JSON = '{"key":"%s","passed":%%s,"actual":%%s,"required":%%s,"gap":%%s'
_SALES_AND_SHOPS_JSON = (
    _CHECK_JSON % scoring.SALES
    + "},"
    + _CHECK_JSON % scoring.SHOPS
    + ',"route":%s,"share_actual":%r,"share_required":%r,"share_gap":%r,"shops_for_share":%s}]'
)
_INPUTS_JSON = '{"committee_type":%s,"ecommerce_sales":%s,"active_shops":%s,"households":%s}'


class AssessmentRowText:
    """The village rule of one criteria version, written the way the rescoring upsert stages a row.

    `row` gives the values and JSON texts of one village's assessment row, filled into fixed templates:
    no check object is built and no JSON encoder runs (a national rescoring calls it for every village).
    The texts are exactly `VillageInputs.as_dict()` and `assess(...).checks_as_dicts()`, compact, because
    both come from the scorer's one `outcome`.
    """

    def __init__(self, criteria: scoring.VillageCriteria):
        self._scorer = scoring.village_scorer(criteria)
        self._min_sales = criteria.min_sales
        self._min_shops = criteria.min_active_shops
        self._share_required = criteria.share_required
        self._committee_types: dict[str, tuple[str, str]] = {}

    def row(
        self, committee_type: str, sales: int, shops: int, households: int, certified_in: int | None = None
    ) -> tuple[bool, Decimal, str, str]:
        """(qualified, score, inputs JSON, checks JSON) of one village; the figures are integers, as the
        database gives them. `certified_in`: the last earlier year it was certified (the neighbourhood-committee
        rule reads it)."""
        outcome = self._scorer.outcome(committee_type, sales, shops, households, certified_in)
        if certified_in is not None:
            committee = self._committee_json(committee_type, certified_in)
        else:
            committee = self._committee_types.get(committee_type)
            if committee is None:
                committee = self._committee_types[committee_type] = self._committee_json(committee_type)
        location_json, committee_json = committee
        shops_for_share = outcome.shops_for_share
        checks_json = location_json + _SALES_AND_SHOPS_JSON % (
            _JSON_BOOLEANS[outcome.sales_passed],
            sales,
            self._min_sales,
            outcome.sales_gap,
            _JSON_BOOLEANS[outcome.shops_passed],
            shops,
            self._min_shops,
            outcome.shop_gap,
            _JSON_ROUTES[outcome.route],
            outcome.share_actual,
            self._share_required,
            outcome.share_gap,
            "null" if shops_for_share is None else shops_for_share,
        )
        return (
            outcome.qualified,
            outcome.score,
            _INPUTS_JSON % (committee_json, sales, shops, households),
            checks_json,
        )

    def _committee_json(self, committee_type: str, certified_in: int | None = None) -> tuple[str, str]:
        """The location check (the opening of the checks array) and the committee type, as JSON text."""
        location = self._scorer.location_check(committee_type, certified_in).as_dict()
        return "[" + _json_text(location) + ",", _json_text(committee_type)


class _AssessmentUpsert:
    """Insert or update the assessments of one year: rows staged in a temporary table, then one upsert.

    Rows go to an unindexed temporary table (COPY on PostgreSQL, `executemany` on SQLite; a batch per call),
    and `finish` moves them
    into the assessments in one `INSERT … SELECT … ON CONFLICT (village, year) DO UPDATE`. The same upsert
    run row by row through `executemany` measured over twice as slow on SQLite (20,000 villages), whether
    rows were inserted or updated. No model instances either: preparing every field through the ORM costs
    more than the scoring itself, and this is the path that rescores every village of the country.
    Supported by SQLite and PostgreSQL.
    """

    STAGING = "rescored_assessment"
    STAGED = (
        ("village_id", "bigint"),
        ("report_id", "bigint"),
        ("inputs", "text"),
        ("checks", "text"),
        ("qualified", "boolean"),
        ("score", "numeric"),
        ("status_change", "varchar(10)"),
    )
    CONSTANT = ("year", "criteria_set_id", "assessed_at", "created_at", "updated_at")
    KEPT_ON_UPDATE = {"village_id", "year", "created_at"}

    def __init__(self, *, year: int, criteria_set_id: int):
        self.staging = connection.ops.quote_name(self.STAGING)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.constants = [year, criteria_set_id, now, now, now]
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.staging} ("
                + ", ".join(f"{column} {kind}" for column, kind in self.STAGED)
                + ")"
            )

    def write(self, rows: list[tuple]) -> None:
        """Stage (village id, report id, inputs JSON, checks JSON, qualified, score, status change) rows."""
        _rows_insert(self.STAGING, [column for column, _kind in self.STAGED], rows)

    def finish(self) -> None:
        """Upsert the staged rows into the assessments and drop the staging table."""
        table = connection.ops.quote_name(Assessment._meta.db_table)
        json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
        staged = [column for column, _kind in self.STAGED]
        selected = [f"{column}{json_cast}" if column in ("inputs", "checks") else column for column in staged]
        columns = staged + list(self.CONSTANT)
        updated = ", ".join(f"{column} = excluded.{column}" for column in columns if column not in self.KEPT_ON_UPDATE)
        with connection.cursor() as cursor:
            # WHERE true: SQLite needs it to tell the upsert clause from a join condition.
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT {', '.join(selected)}, {', '.join(['%s'] * len(self.CONSTANT))} FROM {self.staging} "
                f"WHERE true ON CONFLICT (village_id, year) DO UPDATE SET {updated}",
                self.constants,
            )
            cursor.execute(f"DROP TABLE {self.staging}")

