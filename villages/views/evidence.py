"""A report's evidence and discussion on the web: upload, download and delete attachments, add comments.

The report page shows the section through `villages/report_evidence.html` (its data from `evidence_context`);
a form sent with a mistake comes back on the report's evidence page with a 400. Files are streamed by
`attachment_download` only, after the jurisdiction check, as a download that a browser never renders.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from villages import evidence_types
from villages.models import ReportComment
from villages.selectors.evidence import (
    attachment_for_reading,
    may_change_evidence,
    may_see_evidence,
    report_attachments,
    report_comments,
    report_for_evidence,
)
from villages.services.evidence import (
    NOT_YOUR_COUNTY,
    attachment_delete,
    attachment_max_bytes,
    attachment_upload,
    comment_add,
)

from .editing import delete_page, refusal_on_form

# What the browser's file picker offers first; the service still decides by content.
ACCEPTED_EXTENSIONS = ".pdf,.png,.jpg,.jpeg,.xlsx"


class AttachmentUploadForm(forms.Form):
    """One evidence file; what it is gets decided by its content, in the service."""

    prefix = "attachment"

    file = forms.FileField(
        label=gettext_lazy("Evidence file"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_EXTENSIONS}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(kinds)s, at most %(limit)s MB; the content is checked, not the name.") % {
            "kinds": evidence_types.accepted_labels(), "limit": round(attachment_max_bytes() / 1048576, 1)}


class CommentForm(forms.Form):
    prefix = "comment"

    text = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=ReportComment.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def evidence_context(user, report, *, attachment_form=None, comment_form=None) -> dict:
    """What the evidence section shows to this user: nothing for those who do not work on the report."""
    if not may_see_evidence(user, report):
        return {"evidence_visible": False}
    changeable = may_change_evidence(user, report)
    return {
        "evidence_visible": True,
        "report": report,
        "attachments": list(report_attachments(report)),
        "comments": list(report_comments(report)),
        "may_change_evidence": changeable,
        "attachment_form": (attachment_form or AttachmentUploadForm()) if changeable else None,
        "comment_form": comment_form or CommentForm(),
    }


def evidence_in_timeline(events: list, evidence: dict) -> list:
    """The review steps and the files attached to the report, in the order they happened (an attachment has
    `uploaded_at` where a step has `at`)."""
    attachments = evidence.get("attachments", []) if evidence.get("evidence_visible") else []
    return sorted([*events, *attachments], key=lambda entry: getattr(entry, "at", None) or entry.uploaded_at)


def _evidence_page(request, report, *, status=200, **forms_sent):
    context = evidence_context(request.user, report, **forms_sent)
    return render(request, "villages/report_evidence_page.html", {**context, "village": report.village},
                  status=status)


def _back_to_report(report):
    return redirect(reverse("villages:report_detail", args=[report.pk]) + "#evidence")


@login_required
def report_evidence_view(request, report_id):
    report = report_for_evidence(request.user, report_id)
    return _evidence_page(request, report)


@login_required
@require_POST
def attachment_upload_view(request, report_id):
    report = report_for_evidence(request.user, report_id)
    form = AttachmentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        with refusal_on_form(form, record_refusals_to=request) as refusal:
            attachment = attachment_upload(report=report, by=request.user, uploaded_file=form.cleaned_data["file"])
            messages.success(request, _("%(name)s was attached to the report.") % {"name": attachment.name})
            return _back_to_report(report)
        if refusal.in_messages:
            return _back_to_report(report)
    return _evidence_page(request, report, status=400, attachment_form=form)


@login_required
def attachment_download(request, report_id, attachment_id):
    """The file as a download, to those who may read the report's evidence; 404 to anyone else."""
    attachment = attachment_for_reading(request.user, report_id, attachment_id)
    return attachment_file_response(attachment)


def attachment_file_response(attachment) -> FileResponse:
    """Stream a stored attachment as a download, typed by what its content proved, never sniffed or shown inline."""
    try:
        stored = attachment.file.open("rb")
    except OSError:
        raise Http404(_("The file of this attachment is no longer stored.")) from None
    response = FileResponse(
        stored, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def attachment_delete_view(request, report_id, attachment_id):
    attachment = attachment_for_reading(request.user, report_id, attachment_id)
    report = attachment.report
    blockers = []
    if not report.is_editable:
        blockers.append(_("The report is %(status)s: its evidence stays as it is.") % {
            "status": report.get_status_display()})
    elif not may_change_evidence(request.user, report):
        blockers.append(NOT_YOUR_COUNTY)
    back_url = reverse("villages:report_detail", args=[report.pk]) + "#evidence"
    return delete_page(
        request,
        delete=lambda: attachment_delete(attachment=attachment, by=request.user),
        title=_("Remove the attachment %(name)s") % {"name": attachment.name},
        question=_("Remove %(name)s from the evidence of this report?") % {"name": attachment.name},
        button=_("Yes, remove the attachment"),
        back_url=back_url,
        done_url=back_url,
        done_message=_("%(name)s was removed from the report's evidence.") % {"name": attachment.name},
        blockers=blockers,
        blocked_heading=_("It cannot be removed now:"),
        recorded_note=_("The file is deleted for good."),
    )


@login_required
@require_POST
def comment_add_view(request, report_id):
    report = report_for_evidence(request.user, report_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        with refusal_on_form(form, record_refusals_to=request) as refusal:
            comment_add(report=report, by=request.user, text=form.cleaned_data["text"])
            messages.success(request, _("Your comment was added."))
            return _back_to_report(report)
        if refusal.in_messages:
            return _back_to_report(report)
    return _evidence_page(request, report, status=400, comment_form=form)
