"""Django admin of outgoing mail: a read-only record of every notification, with a "retry now" action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from villages.models import OutboundMail
from villages.notifications import outbound_mail_retry_now
from villages.selectors.jurisdiction import is_administrator


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "report", "status", "attempts", "next_attempt_at",
                    "sent_at", "last_error"]
    list_filter = ["status"]
    search_fields = ["recipient", "subject"]
    fields = ["recipient", "subject", "body", "report", "status", "attempts", "last_error", "next_attempt_at",
              "sent_at", "created_at", "updated_at"]
    readonly_fields = fields
    list_select_related = ["report__village"]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # The roles were created before this model existed; mail goes to every area, so administrators only.
        return is_administrator(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return is_administrator(request.user) or super().has_module_permission(request)

    def has_retry_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        retried = outbound_mail_retry_now(mails=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d message is being sent again; a message already sent is never sent twice.",
                "%(count)d messages are being sent again; a message already sent is never sent twice.",
                retried,
            )
            % {"count": retried},
            messages.SUCCESS,
        )
