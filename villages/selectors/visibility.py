"""What each user may see of the registry's tables: public approved data, plus everything in their jurisdiction.

`*_visible_to` is for reading (web pages, API, exports); `*_in_scope_of` is the user's own area only, for
editing, review queues, the admin and imports. Both are built on `jurisdiction.scope_q`.
"""

from django.db.models import Exists, OuterRef, Q

from villages.models import (
    AnnualReport,
    Assessment,
    ImportJob,
    JurisdictionAssignment,
    OnlineShop,
    ReviewEvent,
    ShopYear,
    TaobaoTown,
    Village,
)

from .jurisdiction import is_administrator, scope_q


def in_scope_or_public_q(user, code_path: str, *, public: Q) -> Q:
    """A filter keeping the rows in the user's jurisdiction (by `code_path`) and, anywhere, the `public` ones."""
    return scope_q(user, code_path) | public


def certified_village_q(path: str = "") -> Q:
    """Villages with at least one qualified assessment: the public, certified list."""
    outer = f"{path}pk" if path else "pk"
    return Q(Exists(Assessment.objects.filter(village_id=OuterRef(outer), qualified=True)))


def villages_in_scope_of(user):
    return Village.objects.filter(scope_q(user, "code"))


def villages_visible_to(user):
    return Village.objects.filter(in_scope_or_public_q(user, "code", public=certified_village_q()))


def shops_in_scope_of(user):
    return OnlineShop.objects.filter(scope_q(user, "village__code"))


shops_visible_to = shops_in_scope_of


def shop_years_in_scope_of(user):
    return ShopYear.objects.filter(scope_q(user, "shop__village__code"))


shop_years_visible_to = shop_years_in_scope_of


def reports_in_scope_of(user):
    return AnnualReport.objects.filter(scope_q(user, "village__code"))


def reports_visible_to(user):
    return AnnualReport.objects.filter(
        in_scope_or_public_q(user, "village__code", public=Q(status=AnnualReport.Status.APPROVED))
    )


def village_changes_in_scope_of(user):
    """The recorded versions (history rows) of the villages in the user's area."""
    return Village.history.filter(scope_q(user, "code"))


def report_changes_in_scope_of(user):
    """The recorded versions (history rows) of the reports in the user's area."""
    return AnnualReport.history.filter(scope_q(user, "village__code"))


def assessments_visible_to(user):
    """Assessments come only from approved reports, so they are public."""
    return Assessment.objects.all()


def assessments_in_scope_of(user):
    return Assessment.objects.filter(scope_q(user, "village__code"))


def review_events_in_scope_of(user):
    return ReviewEvent.objects.filter(scope_q(user, "report__village__code"))


def taobao_towns_in_scope_of(user):
    return TaobaoTown.objects.filter(scope_q(user, "township__code"))


def jurisdiction_assignments_in_scope_of(user):
    """Assignments to divisions inside the user's own area (administrators see all)."""
    return JurisdictionAssignment.objects.filter(scope_q(user, "division__code"))


def import_jobs_visible_to(user):
    """Administrators see every import; anyone else only the files they uploaded themselves.

    A job has no code of its own (one file may touch many villages, and its invalid rows name anything), so
    jobs are scoped by who uploaded them rather than by jurisdiction. Used by the API, the web pages and the
    admin.
    """
    if is_administrator(user):
        return ImportJob.objects.all()
    return ImportJob.objects.filter(uploaded_by=user)
