"""Annual reports: the county's form (save draft / submit), the report page with its timeline, and the review."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villages.forms import AnnualReportForm, ReopenForm, ReportSubmitForm, ReviewForm
from villages.models import AnnualReport
from villages.selectors.certification import assessment_of_report
from villages.selectors.completeness import default_season_year
from villages.selectors.editing import report_for_deleting, report_for_editing, village_for_editing
from villages.selectors.jurisdiction import code_in_scope, is_administrator, may_edit_registry, may_review
from villages.selectors.presubmit import report_presubmit_check
from villages.selectors.reconciliation import (
    attach_reconciliations,
    platform_figures,
    report_reconciliation,
    report_shop_lists,
)
from villages.selectors.registered_figures import registered_figures
from villages.selectors.review import (
    FIRST_REVIEW,
    previous_approved_report,
    reconciliation_warnings,
    report_for_page,
    report_timeline,
    report_warnings,
    review_queue,
    review_steps,
    township_review_queue,
)
from villages.selectors.visibility import reports_in_scope_of
from villages.services.reports import (
    report_approve,
    report_create,
    report_delete,
    report_first_review,
    report_reopen,
    report_return,
    report_submit,
    report_update,
)
from villages.validators import FIRST_YEAR, LAST_YEAR_BOUND

from .editing import delete_page, form_page, refusal_as_messages, refusal_on_form
from .evidence import evidence_context, evidence_in_timeline
from .listing import KeysFirstPaginator

PAGE_SIZE = 25


def _report_saved(request, form, report):
    """After a save: to the submission's confirmation when the user pressed Submit, else the report's page."""
    if AnnualReportForm.SUBMIT in request.POST:
        messages.info(
            request, _("Draft report for %(year)s saved. Confirm below to submit it.") % {"year": report.year})
        return redirect("villages:report_submit", report_id=report.pk)
    messages.success(request, _("Draft report for %(year)s saved.") % {"year": report.year})
    return redirect("villages:report_detail", report_id=report.pk)


def _prefill_year(request) -> int:
    """The year whose registered shops prefill a new report: `?year=` when it is a plausible year, else the season's."""
    year = request.GET.get("year", "")
    if year.isascii() and year.isdigit() and len(year) == 4 and FIRST_YEAR <= int(year) <= LAST_YEAR_BOUND:
        return int(year)
    return default_season_year()


@login_required
def report_create_view(request, code):
    village = village_for_editing(request.user, code)
    year = _prefill_year(request)
    registered = registered_figures(village_id=village.pk, year=year)
    initial = {"households": village.households, "year": year}
    if registered.known:
        # Offered, not imposed: the county declares its own figures, and the difference is warned about.
        initial.update(active_shops=registered.active_shops, ecommerce_sales=registered.ecommerce_sales)
    form = AnnualReportForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        # The year is chosen once, on creation; an edit's changes leave it out.
        service=lambda **changes: report_create(
            by=request.user, village=village, year=form.cleaned_data["year"], **changes
        ),
        done=partial(_report_saved, request, form),
        template="villages/report_form.html",
        context={
            "village": village,
            "registered": registered,
            "title": _("Annual e-commerce report of %(name)s") % {"name": village.name},
        },
    )


@login_required
def report_edit_view(request, report_id):
    report = report_for_editing(request.user, report_id)
    if not report.is_editable:
        messages.info(
            request,
            _("This report is %(status)s and cannot be changed now.") % {"status": report.get_status_display()},
        )
        return redirect("villages:report_detail", report_id=report.pk)
    form = AnnualReportForm(request.POST or None, instance=report)
    return form_page(
        request,
        form,
        service=partial(report_update, report=report, by=request.user),
        record=report,
        done=partial(_report_saved, request, form),
        template="villages/report_form.html",
        context={
            "village": report.village,
            "report": report,
            "presubmit": report_presubmit_check(report),
            "registered": None,
            "title": _("Annual e-commerce report of %(name)s for %(year)s")
            % {"name": report.village.name, "year": report.year},
        },
    )


def _report_page(request, report, review_form=None, status=200, reopen_form=None):
    in_scope = request.user.is_authenticated and code_in_scope(request.user, report.village.code)
    steps = review_steps(request.user, report.village.code, report.status)
    reviewable = bool(steps.decide)
    editable = report.is_editable and may_edit_registry(request.user, report.village.code)
    previous = previous_approved_report(report) if in_scope else None
    warnings = report_warnings(report) if reviewable else []
    reconciliation = report_reconciliation(request.user, report) if in_scope else None
    # Read once: the evidence section shows it, and the timeline lists each file where it was attached.
    evidence = evidence_context(request.user, report)
    return render(
        request,
        "villages/report_detail.html",
        {
            **_reconciliation_context(request, report, reconciliation, with_shops=True),
            "report": report,
            "village": report.village,
            "previous": previous,
            "in_scope": in_scope,
            "timeline": evidence_in_timeline(list(report_timeline(report)), evidence) if in_scope else [],
            "evidence": evidence,
            "warnings": warnings,
            "reviewable": reviewable,
            "first_review": steps.first_review,
            "review_form": review_form if review_form is not None else ReviewForm(warnings=warnings),
            "reopenable": steps.reopen,
            "reopen_form": reopen_form or ReopenForm(),
            "may_edit": editable,
            "may_delete": report.status != AnnualReport.Status.APPROVED and is_administrator(request.user),
            "assessment": assessment_of_report(report) if report.status == AnnualReport.Status.APPROVED else None,
        },
        status=status,
    )


def _reconciliation_context(request, report, reconciliation, *, with_shops=False) -> dict:
    """What the reconciliation card shows: the figures, their warnings and (on the report's page) the shops."""
    if reconciliation is None:
        return {"reconciliation": None}
    return {
        "reconciliation": reconciliation,
        "reconciliation_warnings": reconciliation_warnings(reconciliation),
        "shop_lists": report_shop_lists(request.user, report) if with_shops else None,
        "may_register": may_edit_registry(request.user, report.village.code),
    }


def report_detail(request, report_id):
    report = report_for_page(request.user, report_id)
    return _report_page(request, report, None)


CONFIRMED = "yes"


@login_required
def report_submit_view(request, report_id):
    """Submitting asks first: a page with the figures, the warnings and the expected result (GET, or a POST
    without `confirmed`); the confirmed POST submits. When the declared active shops differ from the registered
    shops' count, the confirmation takes a ticked acknowledgement. The page works without JavaScript; the
    API's submit stays one step."""
    report = get_object_or_404(reports_in_scope_of(request.user).select_related("village"), pk=report_id)
    confirming = request.method == "POST" and request.POST.get("confirmed") == CONFIRMED
    if not confirming and not (report.is_editable and may_edit_registry(request.user, report.village.code)):
        messages.info(
            request,
            _("This report is %(status)s and cannot be submitted now.") % {"status": report.get_status_display()},
        )
        return redirect("villages:report_detail", report_id=report.pk)
    presubmit = report_presubmit_check(report)
    form = ReportSubmitForm(request.POST if confirming else None, to_acknowledge=presubmit.to_acknowledge)
    # The service refuses a step that is not the user's (or no longer possible) on its own, before any tick.
    may_submit = report.is_editable and may_edit_registry(request.user, report.village.code)
    if confirming and form.is_valid() and not (may_submit and form.acknowledgement_missing()):
        with refusal_as_messages(request):
            report_submit(report=report, by=request.user)
            messages.success(request, _("Report for %(year)s submitted for review.") % {"year": report.year})
        return redirect("villages:report_detail", report_id=report.pk)
    context = _reconciliation_context(request, report, report_reconciliation(request.user, report))
    return render(
        request,
        "villages/report_submit_confirm.html",
        # The platforms' warnings are among the presubmit check's: the summary shows only their figures here.
        {**context, "reconciliation_warnings": [], "report": report, "village": report.village,
         "confirmed": CONFIRMED, "presubmit": presubmit, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def review_queue_view(request):
    """Village reports (with the platforms' figures beside them) and townships' own reports waiting for review,
    each list paged on its own."""
    queue = review_queue(request.user)
    page = KeysFirstPaginator(
        queue, PAGE_SIZE, rows_of=lambda keys: attach_reconciliations(platform_figures(queue.filter(pk__in=keys)))
    ).get_page(request.GET.get("page"))
    township_page = Paginator(township_review_queue(request.user), PAGE_SIZE).get_page(
        request.GET.get("township_page")
    )
    return render(request, "villages/review_queue.html", {"page": page, "township_page": township_page})


@login_required
@require_POST
def report_review_view(request, report_id):
    report = get_object_or_404(reports_in_scope_of(request.user).select_related("village"), pk=report_id)
    action = request.POST.get("action")
    if action == ReopenForm.REOPEN:
        return _reopen(request, report)
    # Only a step the reviewer may take asks for the confirmation; any other is refused by the service as usual.
    confirming = report.status in REVIEWED_STATUSES and may_review(request.user, report.village.code)
    form = ReviewForm(request.POST, warnings=report_warnings(report) if confirming else ())
    reviewed = action in (ReviewForm.APPROVE, ReviewForm.RETURN, FIRST_REVIEW)
    # Approving (or passing first review of) a report with warnings takes the tick of the form's confirmation
    # box (the API needs none).
    passing = action in (ReviewForm.APPROVE, FIRST_REVIEW)
    if form.is_valid() and reviewed and not (passing and form.approval_unconfirmed()):
        comment = form.cleaned_data["comment"]
        # A conflict (someone reviewed it first) or a refusal hides the review form, so it is told on the
        # report's page; a validation error (a missing comment) stays beside the field.
        with refusal_on_form(form, record_refusals_to=request) as refusal:
            if action == FIRST_REVIEW:
                report_first_review(report=report, by=request.user, comment=comment)
                messages.success(request, _("Report passed first review; it now waits for the province."))
            elif action == ReviewForm.APPROVE:
                report_approve(report=report, by=request.user, comment=comment)
                messages.success(request, _("Report approved; the village has been assessed."))
            else:
                report_return(report=report, by=request.user, comment=comment)
                messages.success(request, _("Report returned to the county with your comment."))
            return redirect("villages:report_detail", report_id=report.pk)
        if refusal.in_messages:
            return redirect("villages:report_detail", report_id=report.pk)
    elif not reviewed:
        form.add_error(None, _("Choose approve or return."))
    report = report_for_page(request.user, report.pk)
    return _report_page(request, report, form, status=400)


REVIEWED_STATUSES = (AnnualReport.Status.SUBMITTED, AnnualReport.Status.FIRST_PASSED)


def _reopen(request, report):
    form = ReopenForm(request.POST)
    if form.is_valid():
        with refusal_on_form(form, record_refusals_to=request) as refusal:
            report_reopen(report=report, by=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, _("Report reopened and returned to the county; its certification is withdrawn."))
            return redirect("villages:report_detail", report_id=report.pk)
        if refusal.in_messages:
            return redirect("villages:report_detail", report_id=report.pk)
    report = report_for_page(request.user, report.pk)
    return _report_page(request, report, None, status=400, reopen_form=form)


@login_required
def report_delete_view(request, report_id):
    """Administrators only: a confirmation page for a report not yet approved; the POST deletes it."""
    report = report_for_deleting(request.user, report_id)
    names = {"name": report.village.name, "year": report.year}
    back_url = reverse("villages:report_detail", args=[report.pk])
    blockers = []
    if report.status == AnnualReport.Status.APPROVED:
        blockers.append(_("It is approved and scored. Reopen it first if it really has to go."))
    return delete_page(
        request,
        delete=partial(report_delete, report=report, by=request.user),
        title=_("Delete the report of %(name)s for %(year)s") % names,
        question=_("Delete the %(status)s report of %(name)s for %(year)s with its review history?")
        % {**names, "status": report.get_status_display()},
        button=_("Yes, delete the report"),
        back_url=back_url,
        done_url=reverse("villages:village_detail", args=[report.village.code]),
        done_message=_("The report of %(name)s for %(year)s was deleted.") % names,
        blockers=blockers,
    )
