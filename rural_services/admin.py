"""The Django admin for county operation centres, service points, their services and monthly activity.

Saves and deletes go through `rural_services.services`, like every other write path.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from rural_services import services
from rural_services.models import CountyOperationCenter, NetworkTarget, ServiceActivity, ServiceKind, ServicePoint
from rural_services.selectors import activities_in_scope_of, county_centers_in_scope_of, service_points_in_scope_of
from villages.admin.scoped import VERSIONED, JurisdictionScopedAdmin, ScopedHistoryAdmin, VillageProvinceFilter
from villages.admin.service_backed import ServiceBackedAdmin
from villages.services.data_version import published_data_changed


class CountyProvinceFilter(VillageProvinceFilter):
    code_path = "county__code"


class PointProvinceFilter(VillageProvinceFilter):
    code_path = "point__village__code"


@admin.register(CountyOperationCenter)
class CountyOperationCenterAdmin(ServiceBackedAdmin, JurisdictionScopedAdmin):
    scope_selector = staticmethod(county_centers_in_scope_of)
    create_service = staticmethod(services.county_center_create)
    update_service = staticmethod(services.county_center_update)
    delete_service = staticmethod(services.county_center_delete)
    instance_argument = "center"
    list_display = ("name", "county", "status", "opened_on", "closed_on")
    list_filter = ("status", CountyProvinceFilter)
    search_fields = ("name", "county__name", "county__code", "address")
    ordering = ("county__code", "name")
    list_select_related = ("county",)
    autocomplete_fields = ("county",)
    fields = (*services.CENTER_FIELDS, "edited_version", *VERSIONED)
    readonly_fields = VERSIONED


@admin.register(ServiceKind)
class ServiceKindAdmin(admin.ModelAdmin):
    list_display = ("code", "shown_as", "name")
    search_fields = ("code", "name")
    ordering = ("code",)
    fields = ("code", "name")

    @admin.display(description=_("shown as"))
    def shown_as(self, kind):
        return kind.label


@admin.register(NetworkTarget)
class NetworkTargetAdmin(admin.ModelAdmin):
    """The published targets the dashboard measures the network against: reference data, with its source."""

    list_display = ("name", "announced_on", "target_year", "counties", "villages")
    search_fields = ("name", "source")
    ordering = ("announced_on",)
    fields = ("name", "announced_on", "target_year", "counties", "villages", "source")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        published_data_changed()  # the cached dashboard shows the targets

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        published_data_changed()


@admin.register(ServicePoint)
class ServicePointAdmin(ServiceBackedAdmin, ScopedHistoryAdmin):
    scope_selector = staticmethod(service_points_in_scope_of)
    create_service = staticmethod(services.service_point_create)
    update_service = staticmethod(services.service_point_update)
    delete_service = staticmethod(services.service_point_delete)
    instance_argument = "point"
    list_display = ("code", "name", "village", "county_center", "status", "opened_on", "partner_name")
    list_filter = ("status", "services", VillageProvinceFilter)
    search_fields = ("code", "name", "village__name", "village__code", "partner_name")
    ordering = ("code",)
    list_select_related = ("village", "county_center")
    autocomplete_fields = ("village", "county_center")
    filter_horizontal = ("services",)
    fields = (*services.POINT_FIELDS, "edited_version", *VERSIONED)
    readonly_fields = VERSIONED


@admin.register(ServiceActivity)
class ServiceActivityAdmin(ServiceBackedAdmin, JurisdictionScopedAdmin):
    scope_selector = staticmethod(activities_in_scope_of)
    create_service = staticmethod(services.service_activity_create)
    update_service = staticmethod(services.service_activity_update)
    delete_service = staticmethod(services.service_activity_delete)
    instance_argument = "activity"
    list_display = ("point", "month", "assisted_purchases", "assisted_purchase_value", "produce_sales_value", "parcels")
    list_filter = (PointProvinceFilter,)
    search_fields = ("point__code", "point__name", "point__village__name", "point__village__code")
    # By the unique index (point, month), newest month first within a point; by code it would sort every row.
    ordering = ("point_id", "-month")
    list_select_related = ("point",)
    autocomplete_fields = ("point",)
    date_hierarchy = "month"
    fields = ("point", *services.ACTIVITY_FIELDS, "edited_version", *VERSIONED)
    readonly_fields = VERSIONED

    def get_readonly_fields(self, request, obj=None):
        return ("point", *self.readonly_fields) if obj else self.readonly_fields
