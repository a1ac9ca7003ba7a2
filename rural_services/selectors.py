"""What each user may see and change of the service network, built on the villages app's jurisdiction rule."""

from operator import attrgetter

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from rural_services.models import (
    CountyOperationCenter,
    FacilityStatus,
    NetworkTarget,
    ServiceActivity,
    ServicePoint,
)
from villages import codes
from villages.models import Division
from villages.selectors.editing import record_for_deleting, record_for_editing
from villages.selectors.jurisdiction import code_in_scope, code_prefix_q, in_jurisdiction
from villages.selectors.visibility import in_jurisdiction_or_public


def service_points_in_scope_of(user):
    return in_jurisdiction(ServicePoint.objects.all(), user, "village__code")


def service_points_visible_to(user):
    """Open points are public (without the partner's personal data); the rest only in the user's area."""
    return in_jurisdiction_or_public(
        ServicePoint.objects.all(), user, "village__code", public=Q(status=FacilityStatus.OPEN)
    )


def may_see_partner_details(user, point: ServicePoint) -> bool:
    return code_in_scope(user, point.village.code) if user.is_authenticated else False


def county_centers_in_scope_of(user):
    return in_jurisdiction(CountyOperationCenter.objects.all(), user, "county__code")


def county_centers_visible_to(user):
    return in_jurisdiction_or_public(
        CountyOperationCenter.objects.all(), user, "county__code", public=Q(status=FacilityStatus.OPEN)
    )


def activities_in_scope_of(user):
    return in_jurisdiction(ServiceActivity.objects.all(), user, "point__village__code")


def service_points_for_list_page(user):
    """The user's own points, with what the list page shows of each, in code order."""
    return (
        service_points_in_scope_of(user)
        .select_related("village__township__parent", "county_center")
        .prefetch_related("services")
        .order_by("code")
    )


def service_point_for_page(user, code: str) -> ServicePoint:
    """A point the user may see, with its village and centre; Http404 when they may not."""
    return get_object_or_404(
        service_points_visible_to(user).select_related("village__township__parent", "county_center"), code=code
    )


def recent_activities(user, point: ServicePoint, months: int):
    """The point's last `months` months of activity, newest first; none outside the user's area."""
    return activities_in_scope_of(user).filter(point=point).order_by("-month")[:months]


def county_centers_of_area(user):
    """The user's own county operation centres, by county and name (list page, the point form's choices)."""
    return county_centers_in_scope_of(user).select_related("county").order_by("county", "name")


def counties_of_area(user, limit: int = 50):
    """The counties of the user's area (the first `limit`), for the centre form's suggestions."""
    return in_jurisdiction(Division.objects.filter(level=codes.COUNTY), user, "code").order_by("code")[:limit]


def service_point_for_editing(user, code: str) -> ServicePoint:
    """A point the user may edit or record monthly activity for (see `villages.selectors.editing`)."""
    points = service_points_in_scope_of(user).select_related("village")
    return record_for_editing(user, points, code_of=attrgetter("village.code"), code=code)


def service_point_for_deleting(user, code: str) -> ServicePoint:
    return record_for_deleting(user, service_points_in_scope_of(user), code=code)


def activity_for_editing(user, activity_id) -> ServiceActivity:
    activities = activities_in_scope_of(user).select_related("point__village")
    return record_for_editing(user, activities, code_of=attrgetter("point.village.code"), pk=activity_id)


def activity_for_deleting(user, activity_id) -> ServiceActivity:
    return record_for_deleting(user, activities_in_scope_of(user).select_related("point"), pk=activity_id)


def county_center_for_editing(user, center_id) -> CountyOperationCenter:
    return record_for_editing(user, county_centers_in_scope_of(user), code_of=attrgetter("county_id"), pk=center_id)


def county_center_for_deleting(user, center_id) -> CountyOperationCenter:
    return record_for_deleting(user, county_centers_in_scope_of(user), pk=center_id)


def service_points_for_listing(user):
    """Visible points with their village and services loaded, in code order, for list and detail pages."""
    return service_points_visible_to(user).select_related("village").prefetch_related("services").order_by("code")


def service_points_on_map(user):
    """Visible points that have coordinates, for map layers."""
    return service_points_visible_to(user).filter(latitude__isnull=False, longitude__isnull=False)


def county_centers_for_listing(user):
    """Visible centres in the API's order: by county and name, the id breaking ties (so a cursor can follow it)."""
    return county_centers_visible_to(user).order_by("county_id", "name", "id")


def _share(count: int, target: int) -> float:
    return round(100 * count / target, 2) if target else 0.0


def service_coverage(prefix: str = "") -> dict:
    """Public coverage of the network: open points and centres, counties with an open point or centre, and
    each published target (`NetworkTarget`, with its source) with the share of it reached.

    Inside an area (`prefix`, the code digits of a province, prefecture or county) the counts are the area's
    and the national targets are left out: a national goal measured against one province's points misleads.
    """
    open_points = ServicePoint.objects.filter(status=FacilityStatus.OPEN)
    open_centres = CountyOperationCenter.objects.filter(status=FacilityStatus.OPEN)
    if prefix:
        open_points = open_points.filter(code_prefix_q("village__code", prefix))
        open_centres = open_centres.filter(code_prefix_q("county_id", prefix))
    totals = open_points.aggregate(
        points=Count("pk"), counties=Count(Substr("village__code", 1, 6), distinct=True)
    )
    centres = open_centres.aggregate(centres=Count("pk"), counties=Count("county", distinct=True))
    targets = [] if prefix else [
        {
            "target": target,
            "share_of_counties": _share(centres["counties"], target.counties),
            "share_of_villages": _share(totals["points"], target.villages),
        }
        for target in NetworkTarget.objects.order_by("announced_on", "pk")
    ]
    return {
        "open_points": totals["points"],
        "counties_with_open_point": totals["counties"],
        "open_centers": centres["centres"],
        "counties_with_open_center": centres["counties"],
        "targets": targets,
    }
