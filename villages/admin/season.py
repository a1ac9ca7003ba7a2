"""Django admin of a reporting season's records: the tracked villages and the reminders sent, read-only.

Counties mark and unmark villages on the completeness page or through the API (`villages.services.
reporting_tracks`), and only `send_reminders` writes reminders, so the admin shows both without changing them.
"""

from django.contrib import admin

from villages.models import ReportingReminder, ReportingTrack
from villages.selectors.jurisdiction import is_administrator


class ReadOnlyForAdministrators(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # The roles were created before these models existed; they span every area, so administrators only.
        return is_administrator(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return is_administrator(request.user) or super().has_module_permission(request)


@admin.register(ReportingTrack)
class ReportingTrackAdmin(ReadOnlyForAdministrators):
    list_display = ["village", "year", "marked_by", "marked_at"]
    list_filter = ["year"]
    search_fields = ["village__code", "village__name"]
    fields = ["village", "year", "marked_by", "marked_at"]
    readonly_fields = fields
    list_select_related = ["village", "marked_by"]


@admin.register(ReportingReminder)
class ReportingReminderAdmin(ReadOnlyForAdministrators):
    list_display = ["recipient", "year", "closes_on", "sent_at", "mail"]
    list_filter = ["year"]
    search_fields = ["recipient__username"]
    fields = ["recipient", "year", "closes_on", "village_codes", "mail", "sent_at"]
    readonly_fields = fields
    list_select_related = ["recipient", "mail"]
