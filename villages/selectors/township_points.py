"""Townships' representative points: the one the county entered, else the mean of its located villages."""

from django.db.models import Avg

from villages.models import TownshipPoint, Village
from villages.selectors.jurisdiction import in_jurisdiction


def township_points_in_scope_of(user):
    """The points of the townships in the user's jurisdiction (all for administrators)."""
    return in_jurisdiction(TownshipPoint.objects.all(), user, "township__code")


def township_points_for_listing(user):
    """The points of the user's area with what a list shows of them, in township code order."""
    return township_points_in_scope_of(user).select_related("township", "entered_by").order_by("township_id")


def representative_points(township_codes) -> dict[str, tuple[float, float]]:
    """{township code: (latitude, longitude)} for those of `township_codes` that have a point (two queries).

    A point the county entered wins over the mean of the township's villages with coordinates: it is a
    deliberate answer to "where is this township", the mean only a stand-in for one.
    """
    township_codes = sorted(set(township_codes))
    if not township_codes:
        return {}
    points = {
        code: (float(latitude), float(longitude))
        for code, latitude, longitude in TownshipPoint.objects.filter(township_id__in=township_codes).values_list(
            "township_id", "latitude", "longitude"
        )
    }
    missing = [code for code in township_codes if code not in points]
    if missing:
        means = (
            Village.objects.filter(township_id__in=missing, latitude__isnull=False, longitude__isnull=False)
            .values("township_id")
            .annotate(latitude=Avg("latitude"), longitude=Avg("longitude"))
            .order_by()
            .values_list("township_id", "latitude", "longitude")
        )
        points.update((code, (float(latitude), float(longitude))) for code, latitude, longitude in means)
    return points
