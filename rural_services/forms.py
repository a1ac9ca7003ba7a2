"""Web forms of the service network: county centres, service points and their monthly activity."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rural_services.models import CountyOperationCenter, ServiceActivity, ServiceKind, ServicePoint
from rural_services.services import ACTIVITY_FIELDS, CENTER_FIELDS, POINT_FIELDS
from villages import codes
from villages.forms import VersionedForm, YuanField
from villages.models import Division
from villages.selectors.visibility import villages_in_scope_of

DATE_WIDGET = {"type": "date"}


class CountyCenterForm(VersionedForm):
    county = forms.CharField(
        label=_("County code"),
        max_length=6,
        help_text=_("The 6-digit code of the county, e.g. 371721."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "list": "county-options"}),
    )

    class Meta:
        model = CountyOperationCenter
        fields = [*CENTER_FIELDS]
        widgets = {"opened_on": forms.DateInput(attrs=DATE_WIDGET), "closed_on": forms.DateInput(attrs=DATE_WIDGET)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["county"] = self.instance.county_id

    def clean_county(self):
        code = self.cleaned_data["county"].strip()
        county = Division.objects.filter(code=code, level=codes.COUNTY).first()
        if county is None:
            raise ValidationError(_("%(code)s is not the code of a known county.") % {"code": code})
        return county


class ServicePointForm(VersionedForm):
    village = forms.CharField(
        label=_("Village code"),
        max_length=12,
        help_text=_("The 12-digit code of a village in your counties."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("services"),
        queryset=ServiceKind.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ServicePoint
        fields = [*POINT_FIELDS]
        widgets = {
            "opened_on": forms.DateInput(attrs=DATE_WIDGET),
            "closed_on": forms.DateInput(attrs=DATE_WIDGET),
            "partner_phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, user, centers, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["county_center"].queryset = centers
        if self.instance.pk:
            self.fields["code"].disabled = True
            if not self.is_bound:
                self.initial["village"] = self.instance.village.code
                self.initial["services"] = list(self.instance.services.all())

    def clean_village(self):
        code = self.cleaned_data["village"].strip()
        village = villages_in_scope_of(self.user).filter(code=code).first()
        if village is None:
            raise ValidationError(_("No village with code %(code)s in your counties.") % {"code": code})
        return village

    def changes(self) -> dict:
        fields = super().changes()
        if self.instance.pk:
            fields.pop("code")
        return fields


class ServiceActivityForm(VersionedForm):
    class Meta:
        model = ServiceActivity
        fields = [*ACTIVITY_FIELDS]
        widgets = {"month": forms.DateInput(attrs=DATE_WIDGET)}
        field_classes = {"assisted_purchase_value": YuanField, "produce_sales_value": YuanField}
        help_texts = {"month": _("The first day of the month, e.g. 2024-03-01.")}
