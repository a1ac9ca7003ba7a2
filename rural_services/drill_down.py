"""The service network's column of the public drill-down: open service points per child area (one grouped query)."""

from django.db.models import Count
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from rural_services.models import FacilityStatus, ServicePoint
from villages.selectors.drill_down import AreaCount
from villages.selectors.jurisdiction import code_prefix_q


def open_service_points_by_area(prefix: str, child_length: int) -> dict[str, int]:
    """Open service points whose village code starts with `prefix`, per first `child_length` digits."""
    points = ServicePoint.objects.filter(status=FacilityStatus.OPEN)
    if prefix:
        points = points.filter(code_prefix_q("village__code", prefix))
    counts = (
        points.annotate(child=Substr("village__code", 1, child_length))
        .values_list("child")
        .annotate(count=Count("code"))
        .order_by()
    )
    return dict(counts)


SERVICE_POINTS_COLUMN = AreaCount("service_points", _("Open service points"), open_service_points_by_area)
