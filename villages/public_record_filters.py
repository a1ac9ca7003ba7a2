"""FilterSets of the public records (certificates, the status-change log), shared by their API and web pages.

Built from the strict fields of `villages.filters`: a malformed or unknown value is a 400, never an empty list.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from villages import codes
from villages.filters import DivisionCodeFilter, VillageCodeField, VillageCodeFilter, YearField, YearFilter
from villages.models import Assessment, Certificate
from villages.models.certificates import SERIAL, SERIAL_PATTERN

STATUS_CHANGES = (
    (Assessment.StatusChange.NEW, _("gained the status")),
    (Assessment.StatusChange.LOST, _("lost the status")),
)


class SerialField(forms.CharField):
    """A certificate serial as printed, e.g. TBV-2024-7K3M-Q9XD (case and surrounding spaces do not matter)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 24)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        value = value.upper()
        if not SERIAL.match(value):
            raise ValidationError(
                _("A certificate serial looks like TBV-2024-7K3M-Q9XD."), code="invalid_serial"
            )
        return value


@extend_schema_field({"type": "string", "pattern": SERIAL_PATTERN, "maxLength": 24})
class SerialFilter(django_filters.CharFilter):
    field_class = SerialField


class CertificateFilter(django_filters.FilterSet):
    village = VillageCodeFilter(field_name="village__code", label=_("Village code"))
    year = YearFilter(field_name="year", label=_("Year"))
    serial = SerialFilter(field_name="serial", label=_("Serial number"))

    class Meta:
        model = Certificate
        fields = ["village", "year", "serial"]


class StatusChangeFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year", label=_("Year"))
    province = DivisionCodeFilter(field_name="village__code", level=codes.PROVINCE, label=_("Province code"))
    county = DivisionCodeFilter(field_name="village__code", level=codes.COUNTY, label=_("County code"))
    change = django_filters.ChoiceFilter(field_name="status_change", choices=STATUS_CHANGES, label=_("Change"))

    class Meta:
        model = Assessment
        fields = ["year", "province", "county", "change"]


class CertificateLookupForm(forms.Form):
    """The verification page's lookup: a village code and a year, both needed."""

    village = VillageCodeField(label=_("Village code"))
    year = YearField(label=_("Year"))
