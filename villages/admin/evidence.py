"""The admin's read-only lists of report attachments and comments, scoped to each user's area.

The file itself is never linked from the admin by its storage URL (nothing serves MEDIA_ROOT): the download
link goes to the report's checked download page, which applies the same jurisdiction rule as everywhere.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from villages.admin.scoped import ReadOnlyAdmin
from villages.models import ReportAttachment, ReportComment
from villages.selectors.evidence import attachments_in_scope_of, comments_in_scope_of


@admin.register(ReportAttachment)
class ReportAttachmentAdmin(ReadOnlyAdmin):
    scope_selector = staticmethod(attachments_in_scope_of)
    list_display = ("name", "content_type", "size", "report", "uploaded_by", "uploaded_at", "download")
    list_filter = ("content_type",)
    fields = ("name", "content_type", "size", "sha256", "report", "uploaded_by", "uploaded_at", "download")
    readonly_fields = fields
    search_fields = ("name", "report__village__name")
    ordering = ("-id",)
    list_select_related = ("report__village", "uploaded_by")

    @admin.display(description=_("download"))
    def download(self, attachment):
        url = reverse("villages:report_attachment", args=[attachment.report_id, attachment.pk])
        return format_html('<a href="{}">{}</a>', url, _("download"))


@admin.register(ReportComment)
class ReportCommentAdmin(ReadOnlyAdmin):
    scope_selector = staticmethod(comments_in_scope_of)
    list_display = ("report", "author", "at", "text")
    fields = ("report", "author", "at", "text")
    readonly_fields = fields
    search_fields = ("text", "report__village__name")
    ordering = ("-id",)
    list_select_related = ("report__village", "author")
