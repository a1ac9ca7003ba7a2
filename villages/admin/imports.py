"""Django admin of spreadsheet imports: the record of every import, with an upload view linked from its list."""

from django.contrib import admin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from villages.imports import shown_errors
from villages.models import ImportJob
from villages.selectors.jurisdiction import may_enter_data
from villages.selectors.visibility import import_jobs_visible_to
from villages.services.imports import import_job_create
from villages.views.editing import refusal_on_form
from villages.views.imports import ImportUploadForm


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["file_name", "kind", "uploaded_by", "created_at", "status", "dry_run", "created_count",
                    "updated_count", "unchanged_count", "invalid_count"]
    list_filter = ["status", "kind", "dry_run"]
    search_fields = ["file_name", "uploaded_by__username"]
    # The message and the invalid rows in the reader's language (they are stored as codes and values).
    fields = ["file_name", "kind", "uploaded_by", "created_at", "finished_at", "dry_run", "status", "shown_message",
              "rows_processed", "progress", "created_count", "updated_count", "unchanged_count", "invalid_count",
              "invalid_rows"]
    readonly_fields = fields
    change_list_template = "admin/villages/importjob/change_list.html"

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("message"))
    def shown_message(self, job):
        return job.shown_message

    @admin.display(description=_("invalid rows"))
    def invalid_rows(self, job):
        return format_html_join(
            "", "<div>{}</div>",
            ((_("row %(row)s, %(column)s “%(value)s”: %(message)s") % error,) for error in shown_errors(job, 200)),
        ) or "–"

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # The roles were created before this model existed; whoever may import may see the record.
        return may_enter_data(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return may_enter_data(request.user) or super().has_module_permission(request)

    def get_queryset(self, request):
        return import_jobs_visible_to(request.user).select_related("uploaded_by")

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="villages_importjob_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        if not may_enter_data(request.user):
            return redirect("admin:villages_importjob_changelist")
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            with refusal_on_form(form):
                job = import_job_create(
                    user=request.user, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"],
                    dry_run=form.cleaned_data["dry_run"],
                )
                return redirect(reverse("villages:import_job", args=[job.pk]))
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Import a spreadsheet")}
        return TemplateResponse(request, "admin/villages/importjob/upload.html", context)
