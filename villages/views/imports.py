"""Web pages for county staff to upload spreadsheets, follow their progress, and confirm a checked import."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from villages.api.imports import errors_csv_response, template_response
from villages.exports.formats import FORMATS
from villages.imports import IMPORT_KINDS, shown_errors, shown_preview
from villages.models import ImportJob
from villages.selectors.jurisdiction import may_enter_data
from villages.selectors.visibility import import_jobs_visible_to
from villages.services.imports import import_job_confirm, import_job_create, import_job_retry

from .editing import refusal_as_messages, refusal_on_form

SHOWN_ERRORS = 200
HISTORY_SIZE = 50


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file contains"), choices=())
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))
    dry_run = forms.BooleanField(
        label=_("Only check the file (dry run)"), required=False, initial=True,
        help_text=_("Recommended: see the counts and invalid rows first, then confirm."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(name, kind.label) for name, kind in IMPORT_KINDS.items()]


def _job_or_404(user, pk):
    job = import_jobs_visible_to(user).select_related("uploaded_by").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@login_required
def import_upload(request):
    if not may_enter_data(request.user):
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            job = import_job_create(
                user=request.user,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
            return redirect("villages:import_job", pk=job.pk)
    jobs = import_jobs_visible_to(request.user).select_related("uploaded_by").defer("errors", "preview")[:HISTORY_SIZE]
    return render(
        request,
        "villages/imports/upload.html",
        {"form": form, "jobs": jobs, "kinds": IMPORT_KINDS.items(), "formats": FORMATS},
    )


@login_required
def import_job(request, pk):
    """The job's state and counts; a POST from its "start again" button retries an interrupted or failed job."""
    job = _job_or_404(request.user, pk)
    if request.method == "POST":
        with refusal_as_messages(request):
            import_job_retry(job=job, by=request.user)
            messages.success(request, _("The import was started again from the beginning of the file."))
        return redirect("villages:import_job", pk=job.pk)
    kind = IMPORT_KINDS.get(job.kind)
    return render(
        request,
        "villages/imports/job.html",
        {
            "job": job,
            "kind_label": kind.label if kind else job.kind,
            "confirmable": job.status == ImportJob.Status.VALIDATED and job.dry_run and not job.invalid_count,
            "errors": shown_errors(job, SHOWN_ERRORS),
            "more_errors": max(0, len(job.errors) - SHOWN_ERRORS),
            "preview": shown_preview(job),
        },
    )


@login_required
@require_POST
def import_job_confirm_view(request, pk):
    job = _job_or_404(request.user, pk)
    with refusal_as_messages(request):
        import_job_confirm(job=job, by=request.user)
        messages.success(request, _("Import confirmed: the file is applied as a whole."))
    return redirect("villages:import_job", pk=job.pk)


@login_required
def import_job_errors(request, pk):
    return errors_csv_response(_job_or_404(request.user, pk))


@login_required
def import_template(request, kind, extension):
    if kind not in IMPORT_KINDS or extension not in FORMATS:
        raise Http404
    return template_response(kind, extension, "en" if request.GET.get("language") == "en" else "zh")
