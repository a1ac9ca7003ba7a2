"""Bulk review from the review queue: the confirmation page, the step itself and its result page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from villages.bulk_review_forms import BulkReviewConfirmForm, BulkReviewForm
from villages.selectors.bulk_review import reports_for_bulk_review, review_queue_ids
from villages.selectors.jurisdiction import may_review_reports
from villages.services.bulk_review import APPROVE, bulk_review_limit, reports_bulk_review

from .editing import refusal_messages

# The result of the last bulk step, kept in the session only until the result page has shown it once.
RESULT_SESSION_KEY = "villages.bulk_review_result"


def _require_reviewer(user):
    if not may_review_reports(user):
        raise PermissionDenied(_("Only reviewers and administrators may review reports."))


def _confirmation_page(request, form, *, action, reports=(), not_found=(), over_limit=0, status=200):
    return render(
        request,
        "villages/bulk_review_confirm.html",
        {
            "form": form,
            "reports": reports,
            "not_found": not_found,
            "over_limit": over_limit,
            "limit": bulk_review_limit(),
            "approving": action == APPROVE,
            "with_warnings": sum(1 for report in reports if report.warnings),
        },
        status=status,
    )


@login_required
@require_POST
def bulk_review_confirm_view(request):
    """The reports picked in the queue, each with its figures and warnings, for the reviewer to confirm."""
    _require_reviewer(request.user)
    form = BulkReviewForm(request.POST)
    if not form.is_valid():
        return _confirmation_page(request, form, action=request.POST.get("action"), status=400)
    report_ids = form.cleaned_data["report"]
    over_limit = 0
    if form.takes_all:
        # The oldest submissions first, as the queue shows them; the rest wait for another step.
        report_ids, waiting = review_queue_ids(request.user, bulk_review_limit())
        over_limit = waiting - len(report_ids)
    reports = reports_for_bulk_review(request.user, report_ids)
    found = {report.pk for report in reports}
    confirm_form = BulkReviewConfirmForm(
        initial={
            "report": [report.pk for report in reports],
            "action": form.cleaned_data["action"],
            "comment": form.cleaned_data["comment"],
        }
    )
    return _confirmation_page(
        request,
        confirm_form,
        action=form.cleaned_data["action"],
        reports=reports,
        not_found=[report_id for report_id in report_ids if report_id not in found],
        over_limit=over_limit,
    )


@login_required
@require_POST
def bulk_review_view(request):
    """The confirmed step: each listed report approved or returned on its own; then the result page."""
    _require_reviewer(request.user)
    form = BulkReviewConfirmForm(request.POST)
    if not form.is_valid():
        report_ids = form.cleaned_data.get("report") or []
        reports = reports_for_bulk_review(request.user, report_ids) if report_ids else []
        return _confirmation_page(request, form, action=request.POST.get("action"), reports=reports, status=400)
    outcomes = reports_bulk_review(
        report_ids=form.cleaned_data["report"],
        by=request.user,
        action=form.cleaned_data["action"],
        comment=form.cleaned_data["comment"],
    )
    request.session[RESULT_SESSION_KEY] = {
        "action": form.cleaned_data["action"],
        "outcomes": [
            {
                "id": outcome.report_id,
                "village": outcome.report.village.name if outcome.report else "",
                "code": outcome.report.village.code if outcome.report else "",
                "year": outcome.report.year if outcome.report else None,
                "succeeded": outcome.succeeded,
                "reasons": [] if outcome.succeeded else [str(reason) for reason in refusal_messages(outcome.refusal)],
            }
            for outcome in outcomes
        ],
    }
    return redirect("villages:bulk_review_result")


@login_required
@require_GET
def bulk_review_result_view(request):
    """Which reports the last bulk step reviewed and which it refused, and why; shown once, then gone."""
    _require_reviewer(request.user)
    result = request.session.pop(RESULT_SESSION_KEY, None)
    outcomes = result["outcomes"] if result else []
    return render(
        request,
        "villages/bulk_review_result.html",
        {
            "result": result,
            "approving": bool(result) and result["action"] == APPROVE,
            "succeeded": [outcome for outcome in outcomes if outcome["succeeded"]],
            "refused": [outcome for outcome in outcomes if not outcome["succeeded"]],
        },
    )
