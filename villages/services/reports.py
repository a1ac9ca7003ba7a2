"""Annual e-commerce reports of villages and of townships: their edits and their review workflow.

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                  │  ▲                  │
      │               return │ submit        reopen
      │                  ▼  │                  │
      └───────────── returned ◀────────────────┘

County officials of the village's county (and administrators) create, edit and submit; reviewers of its
prefecture or province (and administrators) approve, return and reopen. Any other step is a ConflictError.

A province whose `ProvinceApprovalPolicy` has two levels puts a first review between submission and approval:

    submitted ──first review (prefecture)──▶ first_passed ──approve (province)──▶ approved
        │                                        │                                  │
     return (prefecture)                      return (province)               reopen (province)
        ▼                                        ▼                                  ▼
    returned ◀───────────────────────────────────┴──────────────────────────────────┘

Each level acts only on what the level below passed: a reviewer assigned the prefecture first-reviews or returns
a submitted report, one assigned the province approves or returns a report that passed first review, and only
the province reopens an approved one (`review_levels` says at which level a user reviews a code; administrators
act at every level, still one step after the other). A return at either level goes back to the county with the
comment, mailed as today; only the last approval assesses the report (`kind.approved`) and only its reopening
withdraws the assessment. A province with no policy, or one level, works exactly as above. A report that passed
first review waits for the province even if the province goes back to one level meanwhile.

A township's own report (its whole e-commerce, for the town rule's scale route) takes the same steps in the
same windows, and the same levels of its province (`_ReportKind` says what differs: the row, the place whose
jurisdiction counts, what approval and reopening trigger); its steps are on a timeline and mailed like a
village report's.
Each step is claimed with a conditional UPDATE on the status read just before (and, for the review steps, on
the province's number of levels, as a subquery of that same UPDATE, so a single-level province reads nothing
more), so of two reviewers acting on the same report at the same moment exactly one wins; each step writes a
ReviewEvent and a history record, and emails the people concerned once the transaction has committed.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages import codes, notifications
from villages.models import AnnualReport, Division, ReportingWindow, ReviewEvent, TownshipReport, Village
from villages.selectors.approval import approval_levels, two_levels_q
from villages.selectors.jurisdiction import is_administrator, may_edit_registry, may_review, review_levels
from villages.services.certification import report_assess, report_assessment_withdraw, township_report_counted

from .errors import ConflictError
from .recording import RowClock, claim, claim_returning, delete_recorded, edit_versioned, require, save_validated

Status = AnnualReport.Status

REPORT_FIGURES = ("ecommerce_sales", "active_shops", "households")
TOWNSHIP_REPORT_FIGURES = ("ecommerce_sales", "active_shops")

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
NOT_YOUR_TOWNSHIP_COUNTY = gettext_lazy(
    "Only a county official of this township's county may create, change or submit its reports."
)
NOT_YOUR_TOWNSHIP_REVIEW_AREA = gettext_lazy(
    "Only a reviewer responsible for this township's prefecture or province may review its reports."
)
FIRST_REVIEW_BY_PREFECTURE = gettext_lazy(
    "In this province a reviewer of the prefecture gives the first review; a reviewer of the province then "
    "approves. Only a prefecture's reviewer may pass or return a submitted report."
)
FINAL_BY_PROVINCE = gettext_lazy(
    "In this province only a reviewer of the province gives the final approval, returns a report that passed "
    "first review, or reopens an approved one."
)
NOT_FIRST_REVIEWED = gettext_lazy(
    "This report has not passed the prefecture's first review yet; the province acts on it once it has."
)
SINGLE_LEVEL = gettext_lazy(
    "This province approves its reports in a single step: approve or return the report instead."
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


@dataclass(frozen=True)
class _ReportKind:
    """What differs between the reports the workflow moves (a village's, a township's); the steps are one."""

    model: type
    related: str
    place_code: Callable
    not_your_county: object
    not_your_review_area: object
    event_field: str
    approved: Callable
    withdrawn: Callable


def _claim_step(
    kind: _ReportKind,
    report,
    *,
    allowed_from,
    refusal,
    changes: dict,
    where: Q | None = None,
    explain=None,
    check=None,
):
    """Claim the row if its status allows the step, and make the step's `changes`; return the claimed row (with
    the changes), its status before the step and whether the claim wrote the changes.

    The claim is the one conditional UPDATE (status still one of `allowed_from`, and the row meets `where`: the
    levels of approval that let this user take the step), and while the row in hand is still the stored one it
    writes the changes too: `_record_step` then writes only the history. When the row in hand is older than the
    stored one, a second claim on the status alone and a re-read take its place, and the changes are saved with
    the history; only when that matches nothing is the status read, to say why: gone, not in a state for this
    step, refused at this level (`explain(status)` raises), or changed by someone else meanwhile. A change given
    as a `RowClock` is the moment the row is written (after any lock the claim waited for), read back with the
    claim (`UPDATE … RETURNING`). `check(row)`, called on the claimed row before its changes, may refuse the
    step (the caller's transaction undoes the claim).
    """
    model = kind.model
    conditions = {"status__in": tuple(allowed_from)}
    changes = {**changes, "updated_at": RowClock()}
    dated = [name for name, value in changes.items() if isinstance(value, RowClock)]
    # The row in hand is still the stored one (same version): the claim alone suffices, nothing is re-read.
    written = claim_returning(
        model, report.pk, conditions={**conditions, "version": report.version}, updates=changes, returning=dated,
        where=where,
    )
    if written is not None:
        previous = report.status
        report.version += 1
        if check is not None:
            check(report)
        _apply(report, {**changes, **written})
        return report, previous, True
    if not claim(model, report.pk, conditions=conditions, where=where):
        current = model.objects.filter(pk=report.pk).values_list("status", flat=True).first()
        if current is None:
            raise ConflictError(_("This report no longer exists."))
        if current not in allowed_from:
            raise ConflictError(refusal % {"status": Status(current).label})
        if explain is not None:
            explain(current, approval_levels(kind.place_code(report)))
        raise ConflictError(ACTED_MEANWHILE)
    claimed = model.objects.select_related(kind.related).get(pk=report.pk)
    previous = claimed.status
    if check is not None:
        check(claimed)
    now = timezone.now()
    _apply(claimed, {name: now if isinstance(value, RowClock) else value for name, value in changes.items()})
    return claimed, previous, False


def _apply(report, changes: dict) -> None:
    for name, value in changes.items():
        setattr(report, name, value)


def _review_changes(status, by, comment: str) -> dict:
    """What a reviewer's step writes on the report: the new status, who took the step, when, and the comment."""
    return {"status": status, "reviewed_by": by, "reviewed_at": RowClock(), "review_comment": comment}


def _record_step(kind: _ReportKind, report, *, by, from_status: str, written: bool, comment: str = "") -> ReviewEvent:
    """Record the step with its author in the history (saving the row first unless the claim wrote the step's
    changes), and append it to the report's timeline (a ReviewEvent)."""
    report._history_user = by
    report._change_reason = report.status
    if written:
        kind.model.history.bulk_history_create([report], update=True)
    else:
        report.save()
    return ReviewEvent.objects.create(
        **{kind.event_field: report}, from_status=from_status, to_status=report.status, by=by, comment=comment
    )


def _required_comment(comment: str | None, action_message) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": action_message})
    return comment


def check_reporting_window(report, *, today=None) -> None:
    """Refuse a submission outside the year's reporting window, naming the window's dates.

    A year for which an administrator has set no ReportingWindow is open for submission all the time. A report
    that a reviewer has reopened may be resubmitted whatever the date, once: submitting clears the exemption.
    Village and township reports share the windows.
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


def _submit_step(kind: _ReportKind, *, report, by):
    require(may_edit_registry(by, kind.place_code(report)), kind.not_your_county)
    report, previous, written = _claim_step(
        kind,
        report,
        allowed_from=kind.model.EDITABLE_STATUSES,
        refusal=_("Only a draft or returned report can be submitted; this one is %(status)s."),
        # The exemption a reopening gave covers this one resubmission; a later return meets the window again.
        changes={"reopened": False, "status": Status.SUBMITTED, "submitted_by": by, "submitted_at": RowClock()},
        check=check_reporting_window,
    )
    event = _record_step(kind, report, by=by, from_status=previous, written=written)
    notifications.report_submitted(report=report, event=event)
    return report


def _first_review_step(kind: _ReportKind, *, report, by, comment: str = ""):
    """First level of a two-level province: submitted → first_passed, by a reviewer of the prefecture."""
    code = kind.place_code(report)
    require(may_review(by, code), kind.not_your_review_area)
    require(codes.PREFECTURE in review_levels(by, code), FIRST_REVIEW_BY_PREFECTURE)

    def explain(current, levels):
        if levels == 1:
            raise ConflictError(SINGLE_LEVEL)

    report, previous, written = _claim_step(
        kind,
        report,
        allowed_from=(Status.SUBMITTED,),
        refusal=_("Only a submitted report can pass first review; this one is %(status)s."),
        changes=_review_changes(Status.FIRST_PASSED, by, (comment or "").strip()),
        where=two_levels_q(code),
        explain=explain,
    )
    # No mail: the county's report is not decided yet, and it now waits in the province reviewers' queue.
    _record_step(kind, report, by=by, from_status=previous, written=written, comment=report.review_comment)
    return report


def _approve_step(kind: _ReportKind, *, report, by, comment: str = ""):
    code = kind.place_code(report)
    require(may_review(by, code), kind.not_your_review_area)
    levels = review_levels(by, code)
    # Submitted: approved at once where the province has one level. Passed first review: by the province only.
    where = Q(status=Status.SUBMITTED) & ~two_levels_q(code)
    if codes.PROVINCE in levels:
        where |= Q(status=Status.FIRST_PASSED)

    def explain(current, chain):
        if current == Status.FIRST_PASSED:
            raise PermissionDenied(FINAL_BY_PROVINCE)
        if chain == 2:
            if codes.PROVINCE in levels:
                raise ConflictError(NOT_FIRST_REVIEWED)
            raise PermissionDenied(FINAL_BY_PROVINCE)

    report, previous, written = _claim_step(
        kind,
        report,
        allowed_from=(Status.SUBMITTED, Status.FIRST_PASSED),
        refusal=_("Only a submitted report can be approved; this one is %(status)s."),
        changes=_review_changes(Status.APPROVED, by, (comment or "").strip()),
        where=where,
        explain=explain,
    )
    event = _record_step(kind, report, by=by, from_status=previous, written=written, comment=report.review_comment)
    kind.approved(report)
    notifications.report_reviewed(report=report, event=event)
    return report


def _return_step(kind: _ReportKind, *, report, by, comment: str):
    code = kind.place_code(report)
    require(may_review(by, code), kind.not_your_review_area)
    comment = _required_comment(comment, _("Say what the county must correct before it resubmits."))
    levels = review_levels(by, code)
    # Submitted: any reviewer of a single-level province, the prefecture's in a two-level one. Passed first
    # review: the province's.
    where = Q(status=Status.SUBMITTED)
    if codes.PREFECTURE not in levels:
        where &= ~two_levels_q(code)
    if codes.PROVINCE in levels:
        where |= Q(status=Status.FIRST_PASSED)

    def explain(current, chain):
        if current == Status.FIRST_PASSED:
            raise PermissionDenied(FINAL_BY_PROVINCE)
        if chain == 2:
            raise ConflictError(NOT_FIRST_REVIEWED)

    report, previous, written = _claim_step(
        kind,
        report,
        allowed_from=(Status.SUBMITTED, Status.FIRST_PASSED),
        refusal=_("Only a submitted report can be returned; this one is %(status)s."),
        changes=_review_changes(Status.RETURNED, by, comment),
        where=where,
        explain=explain,
    )
    event = _record_step(kind, report, by=by, from_status=previous, written=written, comment=comment)
    notifications.report_reviewed(report=report, event=event)
    return report


def _reopen_step(kind: _ReportKind, *, report, by, comment: str):
    code = kind.place_code(report)
    require(may_review(by, code), kind.not_your_review_area)
    comment = _required_comment(comment, _("Say why the approved report is reopened."))
    # The last level reopens: any reviewer of a single-level province, the province's in a two-level one.
    where = None if codes.PROVINCE in review_levels(by, code) else ~two_levels_q(code)

    def explain(current, chain):
        if chain == 2:
            raise PermissionDenied(FINAL_BY_PROVINCE)

    report, previous, written = _claim_step(
        kind,
        report,
        allowed_from=(Status.APPROVED,),
        refusal=_("Only an approved report can be reopened; this one is %(status)s."),
        changes={**_review_changes(Status.RETURNED, by, comment), "reopened": True},
        where=where,
        explain=explain,
    )
    event = _record_step(kind, report, by=by, from_status=previous, written=written, comment=comment)
    kind.withdrawn(report)
    notifications.report_reviewed(report=report, event=event)
    return report


VILLAGE_REPORTS = _ReportKind(
    model=AnnualReport,
    related="village",
    place_code=lambda report: report.village.code,
    not_your_county=NOT_YOUR_COUNTY,
    not_your_review_area=NOT_YOUR_REVIEW_AREA,
    event_field="report",
    # Looked up when called, not bound here: tests slow `report_assess` down to race two reviewers.
    approved=lambda report: report_assess(report=report),
    withdrawn=lambda report: report_assessment_withdraw(report=report),
)
TOWNSHIP_REPORTS = _ReportKind(
    model=TownshipReport,
    related="township",
    place_code=lambda report: report.township_id,
    not_your_county=NOT_YOUR_TOWNSHIP_COUNTY,
    not_your_review_area=NOT_YOUR_TOWNSHIP_REVIEW_AREA,
    event_field="township_report",
    approved=lambda report: township_report_counted(report=report),
    withdrawn=lambda report: township_report_counted(report=report),
)


@transaction.atomic
def report_submit(*, report: AnnualReport, by) -> AnnualReport:
    """County official: draft or returned → submitted, inside the year's reporting window (see above)."""
    return _submit_step(VILLAGE_REPORTS, report=report, by=by)


@transaction.atomic
def report_first_review(*, report: AnnualReport, by, comment: str = "") -> AnnualReport:
    """Prefecture's reviewer, in a two-level province: submitted → passed first review; the province approves."""
    return _first_review_step(VILLAGE_REPORTS, report=report, by=by, comment=comment)


@transaction.atomic
def report_approve(*, report: AnnualReport, by, comment: str = "") -> AnnualReport:
    """Reviewer: submitted → approved (two-level province: passed first review → approved, by the province),
    and the village is assessed for the report's year at once."""
    return _approve_step(VILLAGE_REPORTS, report=report, by=by, comment=comment)


@transaction.atomic
def report_return(*, report: AnnualReport, by, comment: str) -> AnnualReport:
    """Reviewer: submitted → returned to the county, saying what to fix."""
    return _return_step(VILLAGE_REPORTS, report=report, by=by, comment=comment)


@transaction.atomic
def report_reopen(*, report: AnnualReport, by, comment: str) -> AnnualReport:
    """Reviewer: approved → returned; the certification the approval gave is withdrawn and the report unlocked."""
    return _reopen_step(VILLAGE_REPORTS, report=report, by=by, comment=comment)


# --- Township reports: the same steps; approving or reopening one rebuilds the township's Taobao town ------


@transaction.atomic
def township_report_create(
    *, by, township: Division, year: int, ecommerce_sales: int, active_shops: int
) -> TownshipReport:
    require(may_edit_registry(by, township.code), NOT_YOUR_TOWNSHIP_COUNTY)
    if township.level != codes.TOWNSHIP:
        raise ValidationError({"township": _("Choose a township-level division.")})
    report = TownshipReport(
        township=township, year=year, ecommerce_sales=ecommerce_sales, active_shops=active_shops, created_by=by
    )
    return save_validated(report, by=by)


@transaction.atomic
def township_report_update(*, report: TownshipReport, by, version, **changes) -> TownshipReport:
    """Change a draft or returned township report's figures; refused (409) once submitted or approved."""
    require(may_edit_registry(by, report.township_id), NOT_YOUR_TOWNSHIP_COUNTY)
    return edit_versioned(
        report,
        by=by,
        version=version,
        changes=changes,
        editable=TOWNSHIP_REPORT_FIGURES,
        state={"status__in": TownshipReport.EDITABLE_STATUSES},
        locked_message=NOT_EDITABLE,
    )


@transaction.atomic
def township_report_submit(*, report: TownshipReport, by) -> TownshipReport:
    return _submit_step(TOWNSHIP_REPORTS, report=report, by=by)


@transaction.atomic
def township_report_first_review(*, report: TownshipReport, by, comment: str = "") -> TownshipReport:
    return _first_review_step(TOWNSHIP_REPORTS, report=report, by=by, comment=comment)


@transaction.atomic
def township_report_approve(*, report: TownshipReport, by, comment: str = "") -> TownshipReport:
    return _approve_step(TOWNSHIP_REPORTS, report=report, by=by, comment=comment)


@transaction.atomic
def township_report_return(*, report: TownshipReport, by, comment: str) -> TownshipReport:
    return _return_step(TOWNSHIP_REPORTS, report=report, by=by, comment=comment)


@transaction.atomic
def township_report_reopen(*, report: TownshipReport, by, comment: str) -> TownshipReport:
    return _reopen_step(TOWNSHIP_REPORTS, report=report, by=by, comment=comment)
