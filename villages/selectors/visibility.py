"""What each user may see of the registry's tables: public approved data, plus everything in their jurisdiction.

`*_visible_to` is for reading (web pages, API, exports); `*_in_scope_of` is the user's own area only, for
editing, review queues, the admin and imports. Both are built on `jurisdiction.scope_q`, and neither adds a
filter for administrators, who see everything.
"""

from collections.abc import Callable

from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Subquery

from villages.models import (
    AnnualReport,
    Assessment,
    ImportJob,
    JurisdictionAssignment,
    OnlineShop,
    ReviewEvent,
    ShopYear,
    TaobaoTown,
    TownshipReport,
    Village,
)

from .jurisdiction import in_jurisdiction, is_administrator, jurisdiction_prefixes, scope_q


def in_jurisdiction_or_public(queryset, user, code_path: str, *, public: Q | Callable[[], Q]):
    """`queryset` narrowed to the rows in the user's jurisdiction (by `code_path`) and, anywhere, the `public` ones
    (a condition, or a function that makes it when it is needed).

    Unchanged for administrators: "in scope" is every row for them, and no condition is cheaper than one that
    is always true.
    """
    in_scope = scope_q(user, code_path)
    if in_scope is None:
        return queryset
    return queryset.filter(in_scope | (public() if callable(public) else public))


def jurisdiction_or_public_parts(queryset, user, code_path: str, *, public: Q | Callable[[], Q]):
    """`in_jurisdiction_or_public` as two disjoint querysets whose rows together are its rows, for counting: the
    rows in the user's jurisdiction, and the `public` ones outside it; None for administrators (nothing to split).

    Each part is a condition that an index serves (a code range; the public set), where their OR is one that
    PostgreSQL can only test row by row: counting an official's whole village list that way read every village
    (76 ms at 100,000 villages, about 190 ms at 620,000), two counts of the parts read the county and the
    certified villages alone. Lists still read their rows through the OR, which serves a page in code order.
    """
    in_scope = scope_q(user, code_path)
    if in_scope is None:
        return None
    return queryset.filter(in_scope), queryset.filter(public() if callable(public) else public).exclude(in_scope)


def certified_village_ids():
    """The ids of villages with at least one qualified assessment (with repeats: one a qualified year)."""
    return Assessment.objects.filter(qualified=True).order_by().values("village_id")


def certified_village_q(path: str = "") -> Q:
    """Villages with at least one qualified assessment: the public, certified list.

    As `id IN (qualified assessments' villages)`, which PostgreSQL reads once as a hashed set of a few
    thousand ids, rather than a correlated EXISTS probed once per village (the anonymous list's page at
    620,000 villages: 25 ms against 51).
    """
    return Q(**{f"{path}pk__in": certified_village_ids()})


class _AmongIds(Func):
    """`pk IN (ids)`, written on PostgreSQL as `pk = ANY(ARRAY(ids))`: the ids are read once (an InitPlan) and
    the rows fetched by primary key, where `IN` joins them by hashing and scanning the whole table (a count of
    the 863 certified villages at 100,000: 5 ms against 24)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, ids):
        super().__init__(F("pk"), Subquery(ids))

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="%(expressions)s", arg_joiner=" IN ", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="%(expressions)s)", arg_joiner=" = ANY(ARRAY", **extra)


def _certified_by_key_q() -> Q:
    """Certified villages, fetched by primary key (`_AmongIds`): for counting them."""
    return Q(_AmongIds(certified_village_ids()))


def _certified_beside_a_range_q() -> Q:
    """Certified villages, as a condition OR-ed with the jurisdiction's code range (`villages_visible_to`)."""
    return Q(Exists(Assessment.objects.filter(village_id=OuterRef("pk"), qualified=True)))


def villages_in_scope_of(user):
    return in_jurisdiction(Village.objects.all(), user, "code")


def villages_visible_to(user):
    """Certified villages anywhere, and every village of the user's jurisdiction.

    For staff, `code range OR EXISTS(qualified assessment)`: PostgreSQL tests the EXISTS only on the rows the
    range does not already let through, so a list narrowed to a county (the web list, `?county=`) costs the
    county's rows alone (0.5 ms at 620,000 villages). Two other forms were measured and rejected: the hashed
    `OR id IN (...)` builds the certified set first (2 ms for that list, no gain on the whole one); one set of
    ids (`id IN (range UNION ALL certified)`) counts the whole list in 25 ms instead of 190, but the planner,
    which estimates a code range at a row or two, joins it to a county filter in a nested loop (117 ms).
    Counted through this condition, an official's whole, unfiltered list would read every village (about 190 ms
    at 620,000), so the lists count `villages_visible_parts` instead.
    """
    if jurisdiction_prefixes(user) == ():
        return Village.objects.filter(certified_village_q())
    return in_jurisdiction_or_public(Village.objects.all(), user, "code", public=_certified_beside_a_range_q)


def villages_visible_parts(user):
    """`villages_visible_to` as disjoint parts for counting (`jurisdiction_or_public_parts`): the villages of the
    jurisdiction, and the certified ones outside it, fetched by key (`_certified_by_key_q`). None where the
    visible villages are one condition already: administrators (none), and callers who see the certified
    villages alone. Their lists are mostly filtered (a county, a name), and where PostgreSQL reads a filter's
    rows by another index it tests the set fetched by key on each of them by walking the whole array (a county's
    certified villages at 620,000: 15.6 ms), where the hashed set of their own condition costs under 1 ms."""
    if jurisdiction_prefixes(user) == ():
        return None
    return jurisdiction_or_public_parts(Village.objects.all(), user, "code", public=_certified_by_key_q)


def shops_in_scope_of(user):
    return in_jurisdiction(OnlineShop.objects.all(), user, "village__code")


shops_visible_to = shops_in_scope_of


def shop_years_in_scope_of(user):
    return in_jurisdiction(ShopYear.objects.all(), user, "shop__village__code")


shop_years_visible_to = shop_years_in_scope_of


def reports_in_scope_of(user):
    return in_jurisdiction(AnnualReport.objects.all(), user, "village__code")


def township_reports_in_scope_of(user):
    return in_jurisdiction(TownshipReport.objects.all(), user, "township__code")


def township_reports_visible_to(user):
    """Approved township reports are public (they decide public towns); the rest only inside the jurisdiction."""
    return in_jurisdiction_or_public(
        TownshipReport.objects.all(), user, "township__code", public=Q(status=TownshipReport.Status.APPROVED)
    )


def reports_visible_to(user):
    return in_jurisdiction_or_public(
        AnnualReport.objects.all(), user, "village__code", public=Q(status=AnnualReport.Status.APPROVED)
    )


def village_changes_in_scope_of(user):
    """The recorded versions (history rows) of the villages in the user's area."""
    return in_jurisdiction(Village.history.all(), user, "code")


def report_changes_in_scope_of(user):
    """The recorded versions (history rows) of the reports in the user's area."""
    return in_jurisdiction(AnnualReport.history.all(), user, "village__code")


def assessments_visible_to(user):
    """Assessments come only from approved reports, so they are public."""
    return Assessment.objects.all()


def assessments_in_scope_of(user):
    return in_jurisdiction(Assessment.objects.all(), user, "village__code")


def review_events_in_scope_of(user):
    """The steps of the reports, village and township, in the user's area."""
    steps = ReviewEvent.objects.all()
    village_steps = scope_q(user, "report__village__code")
    if village_steps is None:
        return steps
    return steps.filter(village_steps | scope_q(user, "township_report__township__code"))


def taobao_towns_in_scope_of(user):
    return in_jurisdiction(TaobaoTown.objects.all(), user, "township__code")


def jurisdiction_assignments_in_scope_of(user):
    """Assignments to divisions inside the user's own area (administrators see all)."""
    return in_jurisdiction(JurisdictionAssignment.objects.all(), user, "division__code")


def import_jobs_visible_to(user):
    """Administrators see every import; anyone else only the files they uploaded themselves.

    A job has no code of its own (one file may touch many villages, and its invalid rows name anything), so
    jobs are scoped by who uploaded them rather than by jurisdiction. Used by the API, the web pages and the
    admin.
    """
    if is_administrator(user):
        return ImportJob.objects.all()
    return ImportJob.objects.filter(uploaded_by=user)
