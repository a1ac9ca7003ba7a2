"""The choices of the public filter form: the years, the provinces, and the divisions inside the area chosen."""

from django.utils import timezone

from villages import codes
from villages.models import Division
from villages.public_filters import PublicFilter
from villages.selectors.data_version import cached_for_version
from villages.validators import FIRST_YEAR


def filter_options(filters: PublicFilter, version=None) -> dict:
    """Years and divisions to choose from, kept with the published data version like the figures: a division
    loaded since holds no published figure until an approval, which replaces the version."""
    return cached_for_version(
        version, "filter-options", lambda: _filter_options(filters), key_parts=filters.key_parts()[1:]
    )


def _filter_options(filters: PublicFilter) -> dict:
    """One query per level shown (provinces always; the prefectures of the province chosen; the counties of the
    prefecture chosen), so the form costs the same for every filter."""
    options = {
        "years": list(range(timezone.now().year, FIRST_YEAR - 1, -1)),
        "provinces": list(Division.objects.filter(level=codes.PROVINCE).order_by("code").values_list("code", "name")),
        "prefectures": [],
        "counties": [],
    }
    if filters.province:
        options["prefectures"] = list(
            Division.objects.filter(level=codes.PREFECTURE, parent_id=filters.province)
            .order_by("code")
            .values_list("code", "name")
        )
    if filters.prefecture:
        options["counties"] = list(
            Division.objects.filter(level=codes.COUNTY, parent_id=filters.prefecture)
            .order_by("code")
            .values_list("code", "name")
        )
    return options
