"""Bulk review: approve or return many reports from the review queue in one step, each claimed on its own.

There is deliberately no transaction around the loop: every report goes through its own atomic service step
(`report_approve` / `report_return`, one conditional claim each), so a report that someone else changed
meanwhile is refused with that step's reason while the others stay done. An id outside the reviewer's area is
never handed to a service: it is refused as not found.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.models import AnnualReport
from villages.selectors import review
from villages.selectors.bulk_review import reports_in_review_scope

from .errors import SERVICE_REFUSALS
from .reports import report_approve, report_first_review, report_return

APPROVE = "approve"
RETURN = "return"

NOT_FOUND_OR_NOT_YOURS = gettext_lazy(
    "No such report waits in your review area; nothing was done to it."
)


@dataclass(frozen=True)
class BulkReviewOutcome:
    """What one report of a bulk step came to: reviewed, or refused with the service's reason."""

    report_id: int
    report: AnnualReport | None
    refusal: Exception | None = None

    @property
    def succeeded(self) -> bool:
        return self.refusal is None


def bulk_review_limit() -> int:
    return settings.BULK_REVIEW_LIMIT


def _step_for(action: str, report: AnnualReport, by):
    """The service of `action` for this reviewer and report: in a province that approves in two levels, the
    prefecture's "approve" is its first review (one query for the province's levels, like the report page's
    buttons); any other case is the final approval, whose service says why it is refused if it is."""
    if action == RETURN:
        return report_return
    if review.review_steps(by, report.village.code, report.status).decide == review.FIRST_REVIEW:
        return report_first_review
    return report_approve


def reports_bulk_review(*, report_ids: list[int], by, action: str, comment: str = "") -> list[BulkReviewOutcome]:
    """Approve or return each report in `report_ids` (in that order) with the one comment; an outcome per id.

    Refuses the whole step before touching anything when the action is unknown, a return has no comment or
    the selection is over the limit (setting BULK_REVIEW_LIMIT).
    """
    if action not in (APPROVE, RETURN):
        raise ValidationError({"action": _("Choose approve or return.")})
    comment = (comment or "").strip()
    if action == RETURN and not comment:
        raise ValidationError({"comment": _("Say what the county must correct before it resubmits.")})
    limit = bulk_review_limit()
    if len(report_ids) > limit:
        raise ValidationError(
            _("At most %(limit)s reports can be reviewed in one step; %(count)s were selected.")
            % {"limit": limit, "count": len(report_ids)}
        )
    found = {report.pk: report for report in reports_in_review_scope(by, report_ids)}
    outcomes = []
    for report_id in report_ids:
        report = found.get(report_id)
        if report is None:
            outcomes.append(
                BulkReviewOutcome(report_id, None, PermissionDenied(str(NOT_FOUND_OR_NOT_YOURS)))
            )
            continue
        try:
            _step_for(action, report, by)(report=report, by=by, comment=comment)
        except SERVICE_REFUSALS as refusal:
            outcomes.append(BulkReviewOutcome(report_id, report, refusal))
        else:
            outcomes.append(BulkReviewOutcome(report_id, report))
    return outcomes
