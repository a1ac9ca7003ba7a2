"""The Django admin for county operation centres, service points, their services and monthly activity."""

from django.contrib import admin

from rural_services.models import CountyOperationCenter, ServiceActivity, ServiceKind, ServicePoint
from rural_services.selectors import activities_in_scope_of, county_centers_in_scope_of, service_points_in_scope_of
from villages.admin import VERSIONED, JurisdictionScopedAdmin, ScopedHistoryAdmin, VillageProvinceFilter


class CountyProvinceFilter(VillageProvinceFilter):
    code_path = "county__code"


class PointProvinceFilter(VillageProvinceFilter):
    code_path = "point__village__code"


@admin.register(CountyOperationCenter)
class CountyOperationCenterAdmin(JurisdictionScopedAdmin):
    scope_selector = staticmethod(county_centers_in_scope_of)
    list_display = ("name", "county", "status", "opened_on", "closed_on")
    list_filter = ("status", CountyProvinceFilter)
    search_fields = ("name", "county__name", "county__code", "address")
    ordering = ("county__code", "name")
    list_select_related = ("county",)
    autocomplete_fields = ("county",)
    fields = ("county", "name", "address", "status", "opened_on", "closed_on", *VERSIONED)
    readonly_fields = VERSIONED


@admin.register(ServiceKind)
class ServiceKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    ordering = ("code",)
    fields = ("code", "name")


@admin.register(ServicePoint)
class ServicePointAdmin(ScopedHistoryAdmin):
    scope_selector = staticmethod(service_points_in_scope_of)
    list_display = ("code", "name", "village", "county_center", "status", "opened_on", "partner_name")
    list_filter = ("status", "services", VillageProvinceFilter)
    search_fields = ("code", "name", "village__name", "village__code", "partner_name")
    ordering = ("code",)
    list_select_related = ("village", "county_center")
    autocomplete_fields = ("village", "county_center")
    filter_horizontal = ("services",)
    fields = (
        "code",
        "name",
        "village",
        "county_center",
        "services",
        "status",
        "opened_on",
        "closed_on",
        "latitude",
        "longitude",
        "partner_name",
        "partner_phone",
        *VERSIONED,
    )
    readonly_fields = VERSIONED


@admin.register(ServiceActivity)
class ServiceActivityAdmin(JurisdictionScopedAdmin):
    scope_selector = staticmethod(activities_in_scope_of)
    list_display = ("point", "month", "assisted_purchases", "assisted_purchase_value", "produce_sales_value", "parcels")
    list_filter = (PointProvinceFilter,)
    search_fields = ("point__code", "point__name", "point__village__name", "point__village__code")
    ordering = ("point__code", "-month")
    list_select_related = ("point",)
    autocomplete_fields = ("point",)
    date_hierarchy = "month"
    fields = (
        "point",
        "month",
        "assisted_purchases",
        "assisted_purchase_value",
        "produce_sales_value",
        "parcels",
        *VERSIONED,
    )
    readonly_fields = VERSIONED
