"""FilterSets for the service network's lists, shared by the JSON API and the web list pages."""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rural_services.models import CountyOperationCenter, FacilityStatus, ServiceKind, ServicePoint
from villages import codes
from villages.filters import DivisionCodeFilter, VillageCodeFilter

SERVICE_KIND_CODE = re.compile(r"^[a-z0-9_]{1,32}$")


class ServiceKindField(forms.ModelChoiceField):
    """A service kind by its code; a malformed code is refused before it reaches the database."""

    def to_python(self, value):
        if value not in self.empty_values and not SERVICE_KIND_CODE.match(str(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ServiceKindFilter(django_filters.ModelChoiceFilter):
    field_class = ServiceKindField


class ServicePointFilter(django_filters.FilterSet):
    county = DivisionCodeFilter(field_name="village__code", level=codes.COUNTY, label=_("County code"))
    village = VillageCodeFilter(field_name="village__code", label=_("Village code"))
    status = django_filters.ChoiceFilter(choices=FacilityStatus.choices, label=_("Status"))
    service = ServiceKindFilter(
        field_name="services",
        to_field_name="code",
        queryset=ServiceKind.objects.all(),
        label=_("Service offered"),
    )

    class Meta:
        model = ServicePoint
        fields = ["county", "village", "status", "service"]


class CountyOperationCenterFilter(django_filters.FilterSet):
    province = DivisionCodeFilter(field_name="county__code", level=codes.PROVINCE, label=_("Province code"))
    county = DivisionCodeFilter(field_name="county__code", level=codes.COUNTY, label=_("County code"))
    status = django_filters.ChoiceFilter(choices=CountyOperationCenter.Status.choices, label=_("Status"))

    class Meta:
        model = CountyOperationCenter
        fields = ["province", "county", "status"]
