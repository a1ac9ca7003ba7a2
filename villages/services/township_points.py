"""A county enters the representative point of one of its townships; the clusters that depend on it follow."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages import codes
from villages.models import Assessment, Division, TownshipPoint
from villages.selectors.certification import criteria_set_for_year
from villages.selectors.jurisdiction import may_edit_registry
from villages.services.certification import clusters_refresh
from villages.services.data_version import published_data_changed

from .recording import require, save_validated

NOT_YOUR_COUNTY = gettext_lazy("Only a county official of this township's county may enter its point.")


@transaction.atomic
def township_point_set(*, by, township: Division, latitude, longitude) -> TownshipPoint:
    """Set (or move) the township's point; the clusters of the years in which one of its Taobao villages has
    no coordinates of its own are linked again with it."""
    require(may_edit_registry(by, township.code), NOT_YOUR_COUNTY)
    if township.level != codes.TOWNSHIP:
        raise ValidationError({"township": _("Choose a township-level division.")})
    if latitude is None or longitude is None:
        raise ValidationError(_("Give both the latitude and the longitude of the township's point."))
    point = TownshipPoint.objects.filter(pk=township.pk).first() or TownshipPoint(township=township)
    point.latitude, point.longitude, point.entered_by = latitude, longitude, by
    save_validated(point, by=by)
    years = (
        Assessment.objects.filter(village__township=township, qualified=True)
        .filter(Q(village__latitude__isnull=True) | Q(village__longitude__isnull=True))
        .order_by("year")
        .values_list("year", flat=True)
        .distinct()
    )
    for year in years:
        clusters_refresh(year=year, criteria_set=criteria_set_for_year(year))
    if years:
        published_data_changed()
    return point
