"""Validators that models, forms, serializers and imports share, with messages a county clerk understands."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

FIRST_YEAR = 2009
LAST_YEAR_BOUND = 2100


def validate_report_year(year, field="year"):
    """A year between the first Taobao villages (2009) and the current year."""
    current = timezone.localdate().year
    if not FIRST_YEAR <= year <= current:
        raise ValidationError(
            {field: _("The year must be between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": current}}
        )


def validate_coordinate_pair(latitude, longitude):
    """A place has both coordinates or neither; the error names the missing one, so it shows beside that field."""
    if (latitude is None) != (longitude is None):
        missing = "longitude" if latitude is not None else "latitude"
        raise ValidationError({missing: _("Give both latitude and longitude, or neither.")})
