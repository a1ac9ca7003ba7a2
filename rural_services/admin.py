"""Django admin for the service network: saves go through the services, staff see their own counties."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rural_services import selectors, services
from rural_services.models import CountyOperationCenter, ServiceActivity, ServiceKind, ServicePoint
from villages.admin_services import ServiceBackedAdmin


@admin.register(CountyOperationCenter)
class CountyOperationCenterAdmin(ServiceBackedAdmin, admin.ModelAdmin):
    list_display = ("name", "county", "status", "opened_on", "closed_on", "version")
    list_filter = ("status",)
    search_fields = ("name", "county__code", "county__name")
    fields = ("county", "name", "address", "opened_on", "closed_on", "status", "edited_version")
    raw_id_fields = ("county",)
    list_select_related = ("county",)
    create_service = staticmethod(services.county_center_create)
    update_service = staticmethod(services.county_center_update)
    delete_service = staticmethod(services.county_center_delete)
    instance_argument = "center"
    scoped_queryset = staticmethod(selectors.county_centers_in_scope_of)


@admin.register(ServicePoint)
class ServicePointAdmin(ServiceBackedAdmin, SimpleHistoryAdmin):
    list_display = ("code", "name", "village", "status", "opened_on", "version")
    list_filter = ("status", "services")
    search_fields = ("code", "name", "village__code", "village__name")
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
        "edited_version",
    )
    raw_id_fields = ("village", "county_center")
    filter_horizontal = ("services",)
    list_select_related = ("village",)
    create_service = staticmethod(services.service_point_create)
    update_service = staticmethod(services.service_point_update)
    delete_service = staticmethod(services.service_point_delete)
    instance_argument = "point"
    scoped_queryset = staticmethod(selectors.service_points_in_scope_of)


@admin.register(ServiceActivity)
class ServiceActivityAdmin(ServiceBackedAdmin, admin.ModelAdmin):
    list_display = ("point", "month", "assisted_purchases", "produce_sales_value", "parcels", "version")
    fields = (
        "point",
        "month",
        "assisted_purchases",
        "assisted_purchase_value",
        "produce_sales_value",
        "parcels",
        "edited_version",
    )
    raw_id_fields = ("point",)
    list_select_related = ("point",)
    create_service = staticmethod(services.service_activity_create)
    update_service = staticmethod(services.service_activity_update)
    delete_service = staticmethod(services.service_activity_delete)
    instance_argument = "activity"
    scoped_queryset = staticmethod(selectors.activities_in_scope_of)

    def get_readonly_fields(self, request, obj=None):
        return ("point",) if obj else ()


@admin.register(ServiceKind)
class ServiceKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    fields = ("code", "name")
