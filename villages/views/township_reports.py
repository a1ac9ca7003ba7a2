"""Township reports on the web: the county's form (save draft / submit), the report's page and its review."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villages import codes
from villages.forms import ReopenForm, ReviewForm, TownshipReportForm
from villages.models import Division, TownshipReport
from villages.selectors.jurisdiction import code_in_scope, may_edit_registry
from villages.selectors.review import FIRST_REVIEW, report_timeline, review_steps
from villages.selectors.visibility import township_reports_in_scope_of, township_reports_visible_to
from villages.services.reports import (
    township_report_approve,
    township_report_create,
    township_report_first_review,
    township_report_reopen,
    township_report_return,
    township_report_submit,
    township_report_update,
)

from .editing import form_page, refusal_as_messages, refusal_on_form

Status = TownshipReport.Status


def _saved(request, form, report):
    """After a save: submit it when the user pressed Submit (a refusal keeps the draft), then its page."""
    if TownshipReportForm.SUBMIT in request.POST:
        with refusal_on_form(form, record_refusals_to=request):
            township_report_submit(report=report, by=request.user)
            messages.success(request, _("Report for %(year)s submitted for review.") % {"year": report.year})
            return redirect("villages:township_report_detail", report_id=report.pk)
        messages.warning(request, _("The report was saved as a draft but could not be submitted."))
        return redirect("villages:township_report_edit", report_id=report.pk)
    messages.success(request, _("Draft report for %(year)s saved.") % {"year": report.year})
    return redirect("villages:township_report_detail", report_id=report.pk)


@login_required
def township_report_create_view(request, code):
    township = Division.objects.filter(code=code, level=codes.TOWNSHIP).select_related("parent").first()
    if township is None or not may_edit_registry(request.user, township.code):
        raise Http404
    form = TownshipReportForm(request.POST or None)
    return form_page(
        request,
        form,
        service=lambda **changes: township_report_create(
            by=request.user, township=township, year=form.cleaned_data["year"], **changes
        ),
        done=partial(_saved, request, form),
        template="villages/township_report_form.html",
        context={"township": township, "title": _("Own e-commerce figures of %(name)s") % {"name": township.name}},
    )


@login_required
def township_report_edit_view(request, report_id):
    report = get_object_or_404(township_reports_in_scope_of(request.user).select_related("township"), pk=report_id)
    if not may_edit_registry(request.user, report.township_id):
        raise Http404
    if not report.is_editable:
        messages.info(
            request,
            _("This report is %(status)s and cannot be changed now.") % {"status": report.get_status_display()},
        )
        return redirect("villages:township_report_detail", report_id=report.pk)
    form = TownshipReportForm(request.POST or None, instance=report)
    return form_page(
        request,
        form,
        service=partial(township_report_update, report=report, by=request.user),
        record=report,
        done=partial(_saved, request, form),
        template="villages/township_report_form.html",
        context={
            "township": report.township,
            "report": report,
            "title": _("Own e-commerce figures of %(name)s for %(year)s")
            % {"name": report.township.name, "year": report.year},
        },
    )


def township_report_detail(request, report_id, review_form=None, reopen_form=None, status=200):
    report = get_object_or_404(township_reports_visible_to(request.user).select_related("township"), pk=report_id)
    steps = review_steps(request.user, report.township_id, report.status)
    in_scope = request.user.is_authenticated and code_in_scope(request.user, report.township_id)
    return render(
        request,
        "villages/township_report_detail.html",
        {
            "report": report,
            "township": report.township,
            "in_scope": in_scope,
            "timeline": list(report_timeline(report)) if in_scope else [],
            "may_edit": report.is_editable and may_edit_registry(request.user, report.township_id),
            "reviewable": bool(steps.decide),
            "first_review": steps.first_review,
            "reopenable": steps.reopen,
            "review_form": review_form or ReviewForm(),
            "reopen_form": reopen_form or ReopenForm(),
        },
        status=status,
    )


@login_required
@require_POST
def township_report_step_view(request, report_id):
    """Submit (county), approve or return (reviewer, ReviewForm), reopen (reviewer, ReopenForm)."""
    report = get_object_or_404(township_reports_in_scope_of(request.user), pk=report_id)
    action = request.POST.get("action")
    back = redirect("villages:township_report_detail", report_id=report.pk)
    if action == "submit":
        with refusal_as_messages(request):
            township_report_submit(report=report, by=request.user)
            messages.success(request, _("Report for %(year)s submitted for review.") % {"year": report.year})
        return back
    form_class = ReopenForm if action == ReopenForm.REOPEN else ReviewForm
    form = form_class(request.POST)
    steps = (ReviewForm.APPROVE, ReviewForm.RETURN, ReopenForm.REOPEN, FIRST_REVIEW)
    if form.is_valid() and action in steps:
        comment = form.cleaned_data["comment"]
        with refusal_on_form(form, record_refusals_to=request) as refusal:
            if action == FIRST_REVIEW:
                township_report_first_review(report=report, by=request.user, comment=comment)
                messages.success(request, _("Report passed first review; it now waits for the province."))
            elif action == ReviewForm.APPROVE:
                township_report_approve(report=report, by=request.user, comment=comment)
                messages.success(request, _("Report approved; the township's Taobao town has been judged again."))
            elif action == ReviewForm.RETURN:
                township_report_return(report=report, by=request.user, comment=comment)
                messages.success(request, _("Report returned to the county with your comment."))
            else:
                township_report_reopen(report=report, by=request.user, comment=comment)
                messages.success(request, _("Report reopened and returned to the county."))
            return back
        if refusal.in_messages:
            return back
    elif action not in steps:
        form.add_error(None, _("Choose approve or return."))
    forms_ = {"reopen_form": form} if action == ReopenForm.REOPEN else {"review_form": form}
    return township_report_detail(request, report.pk, status=400, **forms_)
