"""The rows that list and detail pages (web and API) show: visible to the user, with what they display loaded.

Each function adds only `select_related`, `prefetch_related` and annotations on top of the visibility rules
in `visibility.py`, so a page of 1 row and a page of 100 cost the same number of queries.
"""

from django.db.models import OuterRef, Subquery

from villages.models import Assessment, CriteriaSet, Division, TaobaoTown, VillageCluster

from .visibility import (
    assessments_visible_to,
    certified_village_q,
    reports_visible_to,
    shops_visible_to,
    villages_visible_to,
)


def divisions_for_listing():
    """The official divisions are public."""
    return Division.objects.all()


def villages_for_listing(user):
    """Visible villages, annotated with their latest assessment's year and result (None if never scored)."""
    latest = Assessment.objects.filter(village_id=OuterRef("pk")).order_by("-year")
    return villages_visible_to(user).annotate(
        latest_assessment_year=Subquery(latest.values("year")[:1]),
        latest_assessment_qualified=Subquery(latest.values("qualified")[:1]),
    )


def certified_villages_on_map(user):
    """Certified villages the user may see that have coordinates, for map layers."""
    return (
        villages_visible_to(user)
        .filter(certified_village_q(), latitude__isnull=False, longitude__isnull=False)
        .order_by("code")
    )


def shops_for_listing(user):
    return shops_visible_to(user).select_related("village")


def reports_for_listing(user):
    return reports_visible_to(user).select_related("village")


def assessments_for_listing(user):
    return assessments_visible_to(user).select_related("village", "criteria_set")


def criteria_sets_for_listing():
    """Criteria versions are public."""
    return CriteriaSet.objects.all()


def taobao_towns_for_listing():
    """Taobao towns are derived from approved data only, so they are public."""
    return TaobaoTown.objects.select_related("township")


def clusters_for_listing():
    """Clusters are derived from approved data only, so they are public."""
    return VillageCluster.objects.all()
