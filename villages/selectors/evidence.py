"""Who may read a report's evidence and discussion, and the lists its page and the API show.

A report's attachments and comments are for the people who work on it: the county officials of its county,
the reviewers of its prefecture or province, and administrators (`reports_in_scope_of`). An approved report is
public, its evidence is not (bank statements and shop screenshots name people), so anyone else gets a 404, the
same answer as for a report that does not exist.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from villages.models import AnnualReport, ReportAttachment, ReportComment

from .jurisdiction import code_in_scope, in_jurisdiction, may_edit_registry
from .visibility import reports_in_scope_of


def may_see_evidence(user, report: AnnualReport) -> bool:
    """Whether the user works on this report (its county, its review area, or an administrator)."""
    return user is not None and user.is_authenticated and code_in_scope(user, report.village.code)


def may_change_evidence(user, report: AnnualReport) -> bool:
    """Whether the user may upload or delete evidence now: the report's county (or an administrator), while the
    report is a draft or returned. Reviewers never change evidence, as they never change figures."""
    return report.is_editable and may_edit_registry(user, report.village.code)


def report_for_evidence(user, report_id) -> AnnualReport:
    """A report whose evidence the user may read (with its village); Http404 otherwise."""
    return get_object_or_404(reports_in_scope_of(user).select_related("village"), pk=report_id)


def report_attachments(report: AnnualReport):
    """The report's attachments, oldest first, with who uploaded them (one query)."""
    return (
        ReportAttachment.objects.filter(report=report)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )


def report_comments(report: AnnualReport):
    """The report's comment thread, oldest first, with the authors (one query)."""
    return ReportComment.objects.filter(report=report).select_related("author").order_by("at", "pk")


def attachment_for_reading(user, report_id, attachment_id) -> ReportAttachment:
    """An attachment of the given report that the user may download; Http404 for any other."""
    attachment = get_object_or_404(attachments_in_scope_of(user).select_related("report__village"), pk=attachment_id)
    # Compared here rather than in the query: Django keeps an out-of-range number away from the database for
    # a primary key, not for a foreign key, and a 23-digit report id must be a 404, not an overflow.
    if attachment.report_id != report_id:
        raise Http404
    return attachment


def attachments_in_scope_of(user):
    """The attachments of the reports in the user's area (the admin's list)."""
    return in_jurisdiction(ReportAttachment.objects.all(), user, "report__village__code")


def comments_in_scope_of(user):
    """The comments on the reports in the user's area (the admin's list)."""
    return in_jurisdiction(ReportComment.objects.all(), user, "report__village__code")
