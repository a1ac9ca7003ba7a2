"""Certification writes: assess an approved report, withdraw the result, rebuild a year's towns and clusters.

The rules themselves live in `villages.scoring` (pure); this module loads their inputs in a few set-based
queries and writes the results. `report_assess` is called by the review workflow when a report is approved,
`report_assessment_withdraw` when an approved report is reopened.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Case, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from villages import scoring
from villages.models import AnnualReport, Assessment, CriteriaSet, TaobaoTown, VillageCluster
from villages.selectors.certification import criteria_set_for_year

StatusChange = Assessment.StatusChange


def report_assess(*, report: AnnualReport) -> Assessment:
    """Score an approved report under the criteria of its year and record it (one per village and year).

    The status change is measured against the village's assessment of the previous year, and the following
    year's status change is corrected if that year is already assessed. The year's Taobao towns and clusters
    are rebuilt. Call it after the report's status is set to approved.
    """
    if report.status != AnnualReport.Status.APPROVED:
        raise ValidationError(_("Only an approved report can be assessed."))
    with transaction.atomic():
        criteria_set = criteria_set_for_year(report.year)
        inputs = scoring.VillageInputs(
            committee_type=report.village.committee_type,
            ecommerce_sales=report.ecommerce_sales,
            active_shops=report.active_shops,
            households=report.households,
        )
        result = scoring.assess_village(scoring.VillageCriteria.of(criteria_set), inputs)
        previous_qualified = (
            Assessment.objects.filter(village_id=report.village_id, year=report.year - 1)
            .values_list("qualified", flat=True)
            .first()
        )
        assessment, _created = Assessment.objects.update_or_create(
            village_id=report.village_id,
            year=report.year,
            defaults={
                "criteria_set": criteria_set,
                "report": report,
                "inputs": inputs.as_dict(),
                "checks": result.checks_as_dicts(),
                "qualified": result.qualified,
                "score": result.score,
                "status_change": scoring.status_change(
                    previous_qualified=previous_qualified, qualified=result.qualified
                ),
            },
        )
        status_changes_refresh(years=[report.year + 1], village_ids=[report.village_id])
        year_derivatives_refresh(year=report.year, criteria_set=criteria_set)
    return assessment


def report_assessment_withdraw(*, report: AnnualReport) -> None:
    """Remove the assessment an approved report gave (the report is reopened) and what followed from it."""
    with transaction.atomic():
        deleted, _by_model = Assessment.objects.filter(report=report).delete()
        if not deleted:
            return
        status_changes_refresh(years=[report.year + 1], village_ids=[report.village_id])
        year_derivatives_refresh(year=report.year)


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


def year_derivatives_refresh(*, year: int, criteria_set: CriteriaSet | None = None) -> None:
    """Rebuild the Taobao towns and the clusters of a year from its assessments."""
    if criteria_set is None:
        criteria_set = criteria_set_for_year(year)
    taobao_towns_refresh(year=year, criteria_set=criteria_set)
    clusters_refresh(year=year, criteria_set=criteria_set)


def _input_sum(key: str):
    return Coalesce(Sum(Cast(KeyTextTransform(key, "inputs"), BigIntegerField())), Value(0))


def taobao_towns_refresh(*, year: int, criteria_set: CriteriaSet) -> int:
    """Replace the year's Taobao towns: one aggregate over its assessments, the pure town rule, one insert.

    A township's sales and active shops are the sums over its assessed villages (approved reports).
    """
    criteria = scoring.TownCriteria.of(criteria_set)
    townships = (
        Assessment.objects.filter(year=year)
        .values(township_code=F("village__township_id"))
        .annotate(
            taobao_villages=Count("id", filter=Q(qualified=True)),
            ecommerce_sales=_input_sum("ecommerce_sales"),
            active_shops=_input_sum("active_shops"),
        )
        .order_by()
    )
    towns = []
    for row in townships:
        inputs = scoring.TownInputs(
            township_code=row["township_code"],
            taobao_villages=row["taobao_villages"],
            ecommerce_sales=int(row["ecommerce_sales"]),
            active_shops=int(row["active_shops"]),
        )
        route = scoring.town_route(criteria, inputs)
        if route is not None:
            towns.append(
                TaobaoTown(
                    township_id=inputs.township_code,
                    year=year,
                    criteria_set=criteria_set,
                    route=route,
                    taobao_villages=inputs.taobao_villages,
                    ecommerce_sales=inputs.ecommerce_sales,
                    active_shops=inputs.active_shops,
                )
            )
    TaobaoTown.objects.filter(year=year).delete()
    TaobaoTown.objects.bulk_create(towns, batch_size=500)
    return len(towns)


def clusters_refresh(*, year: int, criteria_set: CriteriaSet) -> int:
    """Replace the year's clusters: load its Taobao villages once, link them, insert the groups."""
    criteria = scoring.ClusterCriteria.of(criteria_set)
    rows = Assessment.objects.filter(year=year, qualified=True).values_list(
        "village_id", "village__township_id", "village__latitude", "village__longitude"
    )
    county_of = {}
    members = []
    for village_id, township_code, latitude, longitude in rows:
        county_of[village_id] = township_code[:6]
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
            )
            for group, size_class in groups
        ]
    )
    Membership = VillageCluster.villages.through
    Membership.objects.bulk_create(
        [
            Membership(villagecluster_id=cluster.pk, village_id=village_id)
            for cluster, (group, _size_class) in zip(clusters, groups, strict=True)
            for village_id in group
        ],
        batch_size=2000,
    )
    return len(clusters)
