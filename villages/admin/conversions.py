"""Admin pages of division facts: conversions (administrators record one through the service; never edited
after) and townships' representative points (their county enters them)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from villages.models import TownshipConversion, TownshipPoint, VillageConversion
from villages.selectors.jurisdiction import is_administrator, may_edit_registry, may_enter_data
from villages.selectors.township_points import township_points_in_scope_of
from villages.services.conversions import township_conversion_record, township_recode, village_conversion_record
from villages.services.township_points import township_point_set

from .scoped import JurisdictionScopedAdmin
from .service_backed import ServiceRefusalAdmin

RECORDED = ("recorded_by", "created_at")


class ConversionAdmin(ServiceRefusalAdmin, admin.ModelAdmin):
    """Added once by an administrator (the service re-scores what the conversion changes); then read-only."""

    entered: tuple[str, ...] = ()

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_add_permission(self, request):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return self.entered if obj is None else self.list_display + ("note", *RECORDED)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)


@admin.register(VillageConversion)
class VillageConversionAdmin(ConversionAdmin):
    list_display = ("village", "effective_on", "old_code", "new_code", "old_committee_type", "new_committee_type")
    list_select_related = ("village",)
    search_fields = ("^old_code", "^new_code", "village__name")
    autocomplete_fields = ("village",)
    entered = ("village", "effective_on", "new_code", "note")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        obj.pk = village_conversion_record(
            by=request.user,
            village=data["village"],
            effective_on=data["effective_on"],
            new_code=data["new_code"],
            note=data.get("note", ""),
        ).pk


class TownshipConversionForm(forms.ModelForm):
    """Either the old code (the township's row has its new code already) or the new code (the row is re-coded
    to it, with its villages); the service checks the codes."""

    old_code = forms.RegexField(
        r"^[0-9]{9}$",
        required=False,
        label=_("old code"),
        help_text=_("When the township is listed under its new code already: the code it had before."),
    )
    new_code = forms.RegexField(
        r"^[0-9]{9}$",
        required=False,
        label=_("new code"),
        help_text=_("When the township is still listed under its old code: the code it took. Its row is re-coded."),
    )
    new_name = forms.CharField(max_length=100, required=False, label=_("new name"))

    class Meta:
        model = TownshipConversion
        fields = ("township", "effective_on", "old_code", "new_code", "note")

    def clean(self):
        data = super().clean()
        if bool(data.get("old_code")) == bool(data.get("new_code")):
            raise forms.ValidationError(
                _("Give either the old code (the row has the new one) or the new code, not both.")
            )
        return data

    def _post_clean(self):
        # The service validates the conversion against the township as it is now.
        pass


@admin.register(TownshipConversion)
class TownshipConversionAdmin(ConversionAdmin):
    form = TownshipConversionForm
    list_display = ("township", "effective_on", "old_code", "new_code", "old_kind", "new_kind")
    list_select_related = ("township",)
    search_fields = ("^old_code", "^new_code", "township__name")
    autocomplete_fields = ("township",)
    entered = ("township", "effective_on", "old_code", "new_code", "new_name", "note")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        common = {"by": request.user, "township": data["township"], "effective_on": data["effective_on"]}
        if data.get("new_code"):
            conversion = township_recode(
                **common, new_code=data["new_code"], new_name=data.get("new_name", ""), note=data.get("note", "")
            )
        else:
            conversion = township_conversion_record(**common, old_code=data["old_code"], note=data.get("note", ""))
        obj.pk = conversion.pk


@admin.register(TownshipPoint)
class TownshipPointAdmin(ServiceRefusalAdmin, JurisdictionScopedAdmin):
    """County officials enter the points of their townships (administrators any); saved through the service."""

    scope_selector = staticmethod(township_points_in_scope_of)
    list_display = ("township", "latitude", "longitude", "entered_by", "updated_at")
    list_select_related = ("township", "entered_by")
    search_fields = ("^township__code", "township__name")
    autocomplete_fields = ("township",)
    fields = ("township", "latitude", "longitude")

    def has_module_permission(self, request):
        return may_enter_data(request.user)

    def has_view_permission(self, request, obj=None):
        return may_enter_data(request.user) and (obj is None or may_edit_registry(request.user, obj.township_id))

    def has_add_permission(self, request):
        return may_enter_data(request.user)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("township",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        township_point_set(
            by=request.user,
            township=obj.township if change else data["township"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
