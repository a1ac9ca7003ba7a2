"""What a reviewer reads about reports: the review queue, a report's timeline and its data-quality warnings."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from villages import codes
from villages.models import AnnualReport, OnlineShop, ReviewEvent, TownshipReport
from villages.money import format_yuan
from villages.reconciliation import Reconciliation

from .active_shops import active_shop_year_q
from .approval import approval_levels, two_levels_row_q
from .jurisdiction import may_review, review_level_scope_q, review_levels
from .reconciliation import report_reconciliation_unscoped
from .visibility import reports_in_scope_of, reports_visible_to, township_reports_in_scope_of

SALES_JUMP_FACTOR = 5


def waiting_for_level_q(user, code_path: str) -> Q:
    """Reports waiting for the user's level (`villages.services.reports`): submitted ones of a single-level
    province, or of a two-level one in the user's prefectures; those that passed first review in their provinces.
    """
    Status = AnnualReport.Status
    first_level = review_level_scope_q(user, codes.PREFECTURE, code_path)
    last_level = review_level_scope_q(user, codes.PROVINCE, code_path)
    if first_level is None:  # administrators act at every level
        return Q(status__in=(Status.SUBMITTED, Status.FIRST_PASSED))
    return Q(status=Status.SUBMITTED) & (~two_levels_row_q(code_path) | first_level) | (
        Q(status=Status.FIRST_PASSED) & last_level
    )


def review_queue(user):
    """Reports in the user's area waiting for the user's level of review, oldest submission first: what a
    reviewer has to act on."""
    return (
        reports_in_scope_of(user)
        .filter(waiting_for_level_q(user, "village__code"))
        .select_related("village", "village__township", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def township_review_queue(user):
    """Township reports (a township's own figures) in the user's area waiting for the user's level of review,
    oldest submission first."""
    return (
        township_reports_in_scope_of(user)
        .filter(waiting_for_level_q(user, "township__code"))
        .select_related("township", "submitted_by")
        .order_by("submitted_at", "pk")
    )


@dataclass(frozen=True)
class ReviewSteps:
    """Which review steps the user may offer on a report now (its page's buttons), by the province's levels.

    `decide` is "first_review" (the prefecture of a two-level province), "approve" (the last level) or "" (none
    for this user: not theirs, or waiting for another level); `reopen` is whether they may reopen it.
    The services decide again when the step is taken.
    """

    decide: str = ""
    reopen: bool = False

    @property
    def first_review(self) -> bool:
        return self.decide == FIRST_REVIEW


FIRST_REVIEW = "first_review"
APPROVE = "approve"


def review_steps(user, code: str, status: str) -> ReviewSteps:
    """The review steps `user` may take on a report of `code` in `status` (one query for a reviewer's report in
    a reviewable status: the province's levels; none otherwise)."""
    Status = AnnualReport.Status
    if status not in (Status.SUBMITTED, Status.FIRST_PASSED, Status.APPROVED) or not may_review(user, code):
        return ReviewSteps()
    levels = review_levels(user, code)
    last_level = codes.PROVINCE in levels
    if status == Status.FIRST_PASSED:
        return ReviewSteps(decide=APPROVE if last_level else "")
    single = approval_levels(code) == 1
    if status == Status.APPROVED:
        return ReviewSteps(reopen=single or last_level)
    if single:
        return ReviewSteps(decide=APPROVE)
    return ReviewSteps(decide=FIRST_REVIEW if codes.PREFECTURE in levels else "")


def report_status_counts(user) -> dict[str, int]:
    """How many reports of the user's area are in each status; a status without reports is left out."""
    return dict(reports_in_scope_of(user).values_list("status").annotate(count=Count("pk")).order_by())


def open_reports(user):
    """Drafts and returned reports of the user's area, latest year first: what the county still has to finish."""
    return (
        reports_in_scope_of(user)
        .filter(status__in=AnnualReport.EDITABLE_STATUSES)
        .select_related("village")
        .order_by("-year", "village__code")
    )


def report_for_page(user, report_id) -> AnnualReport:
    """A report the user may read, with what its page shows beside it; Http404 when they may not."""
    return get_object_or_404(
        reports_visible_to(user).select_related("village__township__parent", "submitted_by", "reviewed_by"),
        pk=report_id,
    )


def previous_approved_report(report: AnnualReport) -> AnnualReport | None:
    """The village's latest approved report before this report's year: what its figures are compared with."""
    return (
        AnnualReport.objects.filter(
            village_id=report.village_id, year__lt=report.year, status=AnnualReport.Status.APPROVED
        )
        .order_by("-year")
        .first()
    )


def withdrawn_approvals(user, village):
    """The reopenings of this village's reports the user may see: when, by whom, why, for which year (one query).

    A reopening withdraws the assessment (and any certification) the approval gave, so the village page keeps
    its trace here rather than showing only that no assessment is left.
    """
    return (
        ReviewEvent.objects.filter(
            report__in=reports_visible_to(user).filter(village=village),
            from_status=AnnualReport.Status.APPROVED,
            to_status=AnnualReport.Status.RETURNED,
        )
        .select_related("by", "report")
        .order_by("-at", "-pk")
    )


def report_timeline(report: AnnualReport | TownshipReport):
    """The report's review steps in order (a village's report or a township's own): from → to, by whom, when,
    with the comment."""
    of_report = {"township_report": report} if isinstance(report, TownshipReport) else {"report": report}
    return ReviewEvent.objects.filter(**of_report).select_related("by").order_by("at", "pk")


@dataclass(frozen=True)
class ReportWarning:
    """A data-quality concern for the reviewer; it never blocks a transition."""

    key: str
    message: str


def report_warnings(report: AnnualReport) -> list[ReportWarning]:
    """Data-quality warnings on a report, in three queries whatever the number of shops.

    The last ones compare the declaration with the platform's own figures (`selectors.reconciliation`).
    """
    previous = previous_approved_report(report)
    registered = OnlineShop.objects.filter(village_id=report.village_id).aggregate(
        shops=Count("pk", distinct=True),
        active=Count(
            "years", filter=Q(years__year=report.year) & active_shop_year_q("years__"), distinct=True
        ),
    )
    return figure_warnings(
        report,
        previous=None if previous is None else PreviousApproval(previous.year, previous.ecommerce_sales),
        registered_shops=registered["shops"],
        registered_active_shops=registered["active"],
    ) + reconciliation_warnings(report_reconciliation_unscoped(report))


@dataclass(frozen=True)
class PreviousApproval:
    """The village's latest approved report before a report's year, as far as the warnings compare with it."""

    year: int
    ecommerce_sales: int


def figure_warnings(
    report: AnnualReport, *, previous: PreviousApproval | None, registered_shops: int, registered_active_shops: int
) -> list[ReportWarning]:
    """The warnings on the declared figures themselves, from what was loaded beside them (no query)."""
    warnings = []
    if previous and report.ecommerce_sales > SALES_JUMP_FACTOR * previous.ecommerce_sales:
        warnings.append(
            ReportWarning(
                "sales_jump",
                _(
                    "Sales of %(sales)s are more than %(factor)s times the %(previous)s approved for %(year)s."
                )
                % {
                    "sales": format_yuan(report.ecommerce_sales),
                    "factor": SALES_JUMP_FACTOR,
                    "previous": format_yuan(previous.ecommerce_sales),
                    "year": previous.year,
                },
            )
        )
    if report.active_shops > report.households:
        warnings.append(
            ReportWarning(
                "shops_above_households",
                _("%(shops)s active shops are declared for only %(households)s households.")
                % {"shops": report.active_shops, "households": report.households},
            )
        )
    if registered_shops == 0:
        warnings.append(
            ReportWarning("no_registered_shops", _("No online shops are registered for this village."))
        )
    elif report.active_shops > registered_active_shops:
        warnings.append(
            ReportWarning(
                "shops_above_registered",
                _(
                    "%(declared)s active shops are declared, but only %(registered)s shops registered for this "
                    "village were active in %(year)s."
                )
                % {"declared": report.active_shops, "registered": registered_active_shops, "year": report.year},
            )
        )
    return warnings


def reconciliation_warnings(reconciliation: Reconciliation) -> list[ReportWarning]:
    """A warning for each declared figure further from the platform's own than the tolerance, with both numbers."""
    warnings = []
    sales, shops = reconciliation.sales, reconciliation.active_shops
    if sales.flagged:
        warnings.append(
            ReportWarning(
                "platform_sales",
                _(
                    "Declared sales of %(declared)s differ from the %(platform)s in the platforms' data by more "
                    "than %(tolerance)s %%."
                )
                % {
                    "declared": format_yuan(sales.declared),
                    "platform": format_yuan(sales.platform),
                    "tolerance": sales.tolerance_percent,
                },
            )
        )
    if shops.flagged:
        warnings.append(
            ReportWarning(
                "platform_active_shops",
                _(
                    "%(declared)s active shops are declared, but the platforms' shop figures give %(platform)s "
                    "active shops under the registry's rule (more than %(tolerance)s %% apart)."
                )
                % {"declared": shops.declared, "platform": shops.platform, "tolerance": shops.tolerance_percent},
            )
        )
    return warnings
