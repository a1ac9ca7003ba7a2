"""The rows that list and detail pages (web and API) show: visible to the user, with what they display loaded.

Each function adds only `select_related`, `prefetch_related` and annotations on top of the visibility rules
in `visibility.py`, so a page of 1 row and a page of 100 cost the same number of queries. Each list has an
explicit order that ends in a unique column, so the API can page through it by keyset (a cursor), and one
that an index serves: code for divisions and villages, id for shops, newest first (descending id) for
reports and assessments.
"""

from django.db.models import OuterRef, Prefetch, Subquery

from villages.models import (
    Assessment,
    CriteriaSet,
    Division,
    TaobaoTown,
    TownshipConversion,
    VillageCluster,
    VillageConversion,
)

from .visibility import (
    assessments_visible_to,
    certified_village_q,
    reports_visible_to,
    shops_visible_to,
    township_reports_visible_to,
    villages_visible_to,
)


def divisions_for_listing():
    """The official divisions are public."""
    return Division.objects.order_by("code")


def latest_assessments():
    """Each village's assessment of its most recent year (one row per village that was ever scored)."""
    latest_year = Assessment.objects.filter(village_id=OuterRef("village_id")).order_by("-year").values("year")[:1]
    return Assessment.objects.filter(year=Subquery(latest_year)).only("village_id", "year", "qualified").order_by()


def villages_for_listing(user):
    """Visible villages in code order, each with `latest_assessments` (none or one) for the rows fetched.

    A prefetch rather than an annotation: it runs once for the villages of the page, whereas a subquery in the
    SELECT is evaluated for every row an OFFSET skips.
    """
    return (
        villages_visible_to(user)
        .order_by("code")
        .prefetch_related(Prefetch("assessments", queryset=latest_assessments(), to_attr="latest_assessments"))
    )


def certified_villages_on_map(user):
    """Certified villages the user may see that have coordinates, for map layers."""
    return (
        villages_visible_to(user)
        .filter(certified_village_q(), latitude__isnull=False, longitude__isnull=False)
        .order_by("code")
    )


def shops_for_listing(user):
    return shops_visible_to(user).select_related("village").order_by("id")


def reports_for_listing(user):
    return reports_visible_to(user).select_related("village").order_by("-id")


def assessments_for_listing(user):
    return assessments_visible_to(user).select_related("village", "criteria_set").order_by("-id")


def criteria_sets_for_listing():
    """Criteria versions are public."""
    return CriteriaSet.objects.order_by("first_year", "id")


def taobao_towns_for_listing():
    """Taobao towns are derived from approved data only, so they are public."""
    return TaobaoTown.objects.select_related("township").order_by("-year", "township_id", "id")


def clusters_for_listing():
    """Clusters are derived from approved data only, so they are public."""
    return VillageCluster.objects.order_by("-year", "-village_count", "id")


def village_conversions_for_listing():
    """Every village conversion (administrators only: the view checks), newest first."""
    return VillageConversion.objects.select_related("village", "recorded_by").order_by("-id")


def township_conversions_for_listing():
    """Every township conversion (administrators only: the view checks), newest first."""
    return TownshipConversion.objects.select_related("recorded_by").order_by("-id")


def township_reports_for_listing(user):
    """Visible township reports, newest first."""
    return township_reports_visible_to(user).select_related("township").order_by("-id")
