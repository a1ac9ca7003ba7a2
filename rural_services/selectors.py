"""What each user may see of the service network, built on the villages app's jurisdiction rule."""

from django.db.models import Count, Q
from django.db.models.functions import Substr

from rural_services.models import CenterStatus, CountyOperationCenter, PointStatus, ServiceActivity, ServicePoint
from villages.selectors.jurisdiction import code_in_scope, scope_q


def service_points_in_scope_of(user):
    return ServicePoint.objects.filter(scope_q(user, "village__code"))


def service_points_visible_to(user):
    """Open points are public (without the partner's personal data); the rest only in the user's area."""
    return ServicePoint.objects.filter(scope_q(user, "village__code") | Q(status=PointStatus.OPEN))


def may_see_partner_details(user, point: ServicePoint) -> bool:
    return code_in_scope(user, point.village.code) if user.is_authenticated else False


def county_centers_in_scope_of(user):
    return CountyOperationCenter.objects.filter(scope_q(user, "county__code"))


def county_centers_visible_to(user):
    return CountyOperationCenter.objects.filter(
        scope_q(user, "county__code") | Q(status=CountyOperationCenter.Status.OPEN)
    )


def activities_in_scope_of(user):
    return ServiceActivity.objects.filter(scope_q(user, "point__village__code"))


def service_points_for_listing(user):
    """Visible points with their village and services loaded, for list and detail pages."""
    return service_points_visible_to(user).select_related("village").prefetch_related("services")


def service_points_on_map(user):
    """Visible points that have coordinates, for map layers."""
    return service_points_visible_to(user).filter(latitude__isnull=False, longitude__isnull=False)


def county_centers_for_listing(user):
    return county_centers_visible_to(user)


SERVICE_POINT_GOAL = 100_000


def service_coverage() -> dict:
    """Public coverage of the network: open points against the 100,000 goal, and counties with an open point."""
    open_points = ServicePoint.objects.filter(status=PointStatus.OPEN)
    totals = open_points.aggregate(
        points=Count("pk"), counties=Count(Substr("village__code", 1, 6), distinct=True)
    )
    return {
        "open_points": totals["points"],
        "counties_with_open_point": totals["counties"],
        "goal": SERVICE_POINT_GOAL,
        "share_of_goal": round(100 * totals["points"] / SERVICE_POINT_GOAL, 2),
        "open_centers": CountyOperationCenter.objects.filter(status=CenterStatus.OPEN).count(),
    }
