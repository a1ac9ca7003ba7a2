"""Django admin of the in-app inbox: a read-only record of who was told what, for administrators."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from villages.models import Notification
from villages.selectors.inbox import notification_text
from villages.selectors.jurisdiction import is_administrator


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "shown_text", "report", "township_report", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username"]
    fields = ["recipient", "kind", "shown_text", "report", "township_report", "link", "created_at", "read_at"]
    readonly_fields = fields
    list_select_related = ["recipient", "report__village", "township_report__township"]

    @admin.display(description=_("text"))
    def shown_text(self, notification):
        return notification_text(notification)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Notifications go to every area, like the outgoing mail: administrators only.
        return is_administrator(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return is_administrator(request.user) or super().has_module_permission(request)
