"""Annual e-commerce reports: their edits and their review workflow (submit, approve, return, reopen).

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                  │  ▲                  │
      │               return │ submit        reopen
      │                  ▼  │                  │
      └───────────── returned ◀────────────────┘

County officials of the village's county (and administrators) create, edit and submit; reviewers of its
prefecture or province (and administrators) approve, return and reopen. Any other step is a ConflictError.
Each step is claimed with a conditional UPDATE on the status read just before, so of two reviewers acting on
the same report at the same moment exactly one wins; each step writes a ReviewEvent and a history record,
and emails the people concerned once the transaction has committed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages import notifications
from villages.models import AnnualReport, ReportingWindow, ReviewEvent, Village
from villages.selectors.jurisdiction import is_administrator, may_edit_registry, may_review
from villages.services.certification import report_assess, report_assessment_withdraw

from .errors import ConflictError
from .recording import claim, delete_recorded, edit_versioned, require, save_validated

Status = AnnualReport.Status

REPORT_FIGURES = ("ecommerce_sales", "active_shops", "households")

NOT_YOUR_COUNTY = gettext_lazy(
    "Only a county official of this village's county may create, change or submit its reports."
)
NOT_YOUR_REVIEW_AREA = gettext_lazy(
    "Only a reviewer responsible for this village's prefecture or province may review its reports."
)
NOT_EDITABLE = gettext_lazy(
    "Only a draft or returned report can be changed: a submitted report is waiting for review, and an "
    "approved one is locked until a reviewer reopens it."
)
ACTED_MEANWHILE = gettext_lazy(
    "Someone else acted on this report at the same moment; reload it to see its status. Nothing was changed."
)


@transaction.atomic
def report_create(
    *, by, village: Village, year: int, ecommerce_sales: int, active_shops: int, households: int
) -> AnnualReport:
    require(may_edit_registry(by, village.code), NOT_YOUR_COUNTY)
    report = AnnualReport(
        village=village,
        year=year,
        ecommerce_sales=ecommerce_sales,
        active_shops=active_shops,
        households=households,
        created_by=by,
    )
    return save_validated(report, by=by)


@transaction.atomic
def report_update(*, report: AnnualReport, by, version, **changes) -> AnnualReport:
    """Change a draft or returned report's figures; refused (409) once submitted or approved."""
    require(may_edit_registry(by, report.village.code), NOT_YOUR_COUNTY)
    return edit_versioned(
        report,
        by=by,
        version=version,
        changes=changes,
        editable=REPORT_FIGURES,
        state={"status__in": AnnualReport.EDITABLE_STATUSES},
        locked_message=NOT_EDITABLE,
    )


@transaction.atomic
def report_delete(*, report: AnnualReport, by) -> None:
    """Administrators may delete a report that is not approved (an approved one must be reopened first)."""
    require(is_administrator(by), _("Only an administrator may delete a report."))
    deletable = [Status.DRAFT, Status.RETURNED, Status.SUBMITTED]
    if not claim(AnnualReport, report.pk, conditions={"status__in": deletable}):
        raise ConflictError(_("An approved report is locked and cannot be deleted; reopen it first."))
    delete_recorded(AnnualReport.objects.get(pk=report.pk), by=by, reason="deleted")


def _claim_step(report: AnnualReport, *, allowed_from, refusal) -> tuple[AnnualReport, str]:
    """Check the current status allows the step and claim the row; return the re-read row and its old status."""
    current = AnnualReport.objects.filter(pk=report.pk).values_list("status", flat=True).first()
    if current is None:
        raise ConflictError(_("This report no longer exists."))
    if current not in allowed_from:
        raise ConflictError(refusal % {"status": Status(current).label})
    if not claim(AnnualReport, report.pk, conditions={"status": current}):
        raise ConflictError(ACTED_MEANWHILE)
    return AnnualReport.objects.select_related("village").get(pk=report.pk), current


def _record_step(report: AnnualReport, *, by, from_status: str, comment: str = "") -> ReviewEvent:
    report._history_user = by
    report._change_reason = report.status
    report.save()
    return ReviewEvent.objects.create(
        report=report, from_status=from_status, to_status=report.status, by=by, comment=comment
    )


def _required_comment(comment: str | None, action_message) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": action_message})
    return comment


def check_reporting_window(report: AnnualReport, *, today=None) -> None:
    """Refuse a submission outside the year's reporting window, naming the window's dates.

    A year for which an administrator has set no ReportingWindow is open for submission all the time. A report
    that a reviewer has reopened may be resubmitted whatever the date, once: submitting clears the exemption.
    """
    if report.reopened:
        return
    window = ReportingWindow.objects.filter(year=report.year).first()
    if window is None:
        return
    today = today or timezone.localdate()
    if not window.opens_on <= today <= window.closes_on:
        raise ConflictError(
            _(
                "Reports for %(year)s can be submitted only from %(opens)s to %(closes)s; today is %(today)s."
            )
            % {
                "year": report.year,
                "opens": window.opens_on.isoformat(),
                "closes": window.closes_on.isoformat(),
                "today": today.isoformat(),
            }
        )


@transaction.atomic
def report_submit(*, report: AnnualReport, by) -> AnnualReport:
    """County official: draft or returned → submitted, inside the year's reporting window (see above)."""
    require(may_edit_registry(by, report.village.code), NOT_YOUR_COUNTY)
    report, previous = _claim_step(
        report,
        allowed_from=AnnualReport.EDITABLE_STATUSES,
        refusal=_("Only a draft or returned report can be submitted; this one is %(status)s."),
    )
    check_reporting_window(report)
    # The exemption a reopening gave covers this one resubmission; a later return meets the window again.
    report.reopened = False
    report.status = Status.SUBMITTED
    report.submitted_by = by
    report.submitted_at = timezone.now()
    event = _record_step(report, by=by, from_status=previous)
    notifications.report_submitted(report=report, event=event)
    return report


@transaction.atomic
def report_approve(*, report: AnnualReport, by, comment: str = "") -> AnnualReport:
    """Reviewer: submitted → approved, and the village is assessed for the report's year at once."""
    require(may_review(by, report.village.code), NOT_YOUR_REVIEW_AREA)
    report, previous = _claim_step(
        report,
        allowed_from=(Status.SUBMITTED,),
        refusal=_("Only a submitted report can be approved; this one is %(status)s."),
    )
    report.status = Status.APPROVED
    report.reviewed_by = by
    report.reviewed_at = timezone.now()
    report.review_comment = (comment or "").strip()
    event = _record_step(report, by=by, from_status=previous, comment=report.review_comment)
    report_assess(report=report)
    notifications.report_reviewed(report=report, event=event)
    return report


@transaction.atomic
def report_return(*, report: AnnualReport, by, comment: str) -> AnnualReport:
    """Reviewer: submitted → returned to the county, saying what to fix."""
    require(may_review(by, report.village.code), NOT_YOUR_REVIEW_AREA)
    comment = _required_comment(comment, _("Say what the county must correct before it resubmits."))
    report, previous = _claim_step(
        report,
        allowed_from=(Status.SUBMITTED,),
        refusal=_("Only a submitted report can be returned; this one is %(status)s."),
    )
    report.status = Status.RETURNED
    report.reviewed_by = by
    report.reviewed_at = timezone.now()
    report.review_comment = comment
    event = _record_step(report, by=by, from_status=previous, comment=comment)
    notifications.report_reviewed(report=report, event=event)
    return report


@transaction.atomic
def report_reopen(*, report: AnnualReport, by, comment: str) -> AnnualReport:
    """Reviewer: approved → returned; the certification the approval gave is withdrawn and the report unlocked."""
    require(may_review(by, report.village.code), NOT_YOUR_REVIEW_AREA)
    comment = _required_comment(comment, _("Say why the approved report is reopened."))
    report, previous = _claim_step(
        report,
        allowed_from=(Status.APPROVED,),
        refusal=_("Only an approved report can be reopened; this one is %(status)s."),
    )
    report.status = Status.RETURNED
    report.reopened = True
    report.reviewed_by = by
    report.reviewed_at = timezone.now()
    report.review_comment = comment
    event = _record_step(report, by=by, from_status=previous, comment=comment)
    report_assessment_withdraw(report=report)
    notifications.report_reviewed(report=report, event=event)
    return report
