"""Completeness and timeliness of a reporting season: which villages are expected to report, and how far they are.

A village is *expected* to report for year Y when any of these holds:

- `certified_last_year`: it was a Taobao village in Y − 1 (a qualified assessment); without a report it loses
  the status, so these come first in every list of missing ones;
- `active_shops`: at least one of its shops has figures for Y that pass the active-shop rule
  (`review.active_shop_year_q`, the SQL form of `scoring.is_active_shop`);
- `tracked`: its county marked it for Y (`ReportingTrack`);
- or it already has a report for Y (a village that started a report is expected to finish it), so that
  expected = draft + submitted + returned + approved + missing, always.

A report counts as *on time* when it was first submitted before its year's reporting window closed (before
the day after `closes_on` began, in the site's time zone), read from the review timeline or, for a report
without one, from `submitted_at`. A year without a window has no deadline: every submitted report is on time.
The on-time rate is on time ÷ expected (DHIS2's "reporting rate on time").

Everything here is set-based: one grouped query counts every child area at once (GROUP BY the leading digits of
the village code, which name its province, prefecture and county), and the missing villages are one ordered,
sliced query, so a page costs the same number of queries for ten villages or a whole province. The report of
the year, the county's mark and last year's assessment are each at most one row per village, so they are
LEFT JOINs (FilteredRelation); only the shops, many per village, are an EXISTS.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, FilteredRelation, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages import codes
from villages.models import (
    ADMINISTRATORS,
    COUNTY_OFFICIALS,
    REVIEWERS,
    AnnualReport,
    Division,
    ReportingTrack,
    ReportingWindow,
    ReviewEvent,
    ShopYear,
    Village,
)

from .jurisdiction import (
    code_in_scope,
    code_prefix_q,
    in_jurisdiction,
    jurisdiction_prefixes,
    outermost_prefixes,
    user_role,
)
from .review import active_shop_year_q

CERTIFIED_LAST_YEAR = "certified_last_year"
ACTIVE_SHOPS = "active_shops"
TRACKED = "tracked"
REPORTED = "reported"
# The order in which a missing village's reasons are named and listed: losing a certification comes first.
REASONS = (CERTIFIED_LAST_YEAR, ACTIVE_SHOPS, TRACKED)
REASON_LABELS = {
    CERTIFIED_LAST_YEAR: _("certified last year"),
    ACTIVE_SHOPS: _("active shops registered"),
    TRACKED: _("tracked by the county"),
    REPORTED: _("has a report"),
}

Status = AnnualReport.Status
STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED)
SUBMITTED_ONCE = (Status.SUBMITTED, Status.FIRST_PASSED, Status.RETURNED, Status.APPROVED)
# A report that passed a two-level province's first review still waits for review: counted as submitted.
COUNTED_AS = {Status.FIRST_PASSED: Status.SUBMITTED}


def _counted(status) -> list[str]:
    """The stored statuses counted under `status` (itself, and any COUNTED_AS it)."""
    return [status, *(stored for stored, shown in COUNTED_AS.items() if shown == status)]
MISSING = "missing"

VILLAGE = "village"
NATION = "nation"
JURISDICTION = "jurisdiction"
CHILD_LEVEL = {NATION: codes.PROVINCE, codes.PROVINCE: codes.PREFECTURE, codes.PREFECTURE: codes.COUNTY,
               codes.COUNTY: VILLAGE}
KEY_LENGTH = {codes.PROVINCE: 2, codes.PREFECTURE: 4, codes.COUNTY: 6, VILLAGE: 12}
PARENT_LEVEL = {codes.PREFECTURE: codes.PROVINCE, codes.COUNTY: codes.PREFECTURE}


@dataclass(frozen=True)
class Area:
    """What a completeness page is about: a division, the nation (administrators), or the caller's own divisions.

    `prefixes` are the code prefixes the area covers (None: everything); `trail` the divisions above it that the
    caller may open, for the way back up.
    """

    level: str
    code: str = ""
    name: str = ""
    prefixes: tuple[str, ...] | None = None
    trail: tuple[Division, ...] = ()

    @property
    def is_division(self) -> bool:
        return self.level in KEY_LENGTH


@dataclass
class Counts:
    expected: int = 0
    draft: int = 0
    submitted: int = 0
    returned: int = 0
    approved: int = 0
    missing: int = 0
    on_time: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Share of the expected villages whose report came in on time; None when none is expected."""
        return round(self.on_time / self.expected, 4) if self.expected else None

    def add(self, other: "Counts") -> None:
        for name in COUNT_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNT_NAMES = ("expected", "draft", "submitted", "returned", "approved", "missing", "on_time")


@dataclass
class ChildRow:
    """One child area's line of the table (a division, or a village on a county's page)."""

    code: str
    name: str
    level: str
    counts: Counts = field(default_factory=Counts)
    status: str = ""
    reasons: tuple[str, ...] = ()


@dataclass
class Completeness:
    year: int
    area: Area
    window: ReportingWindow | None
    totals: Counts
    children: list[ChildRow]
    # The area's expected villages, annotated (see `expected_villages`), not yet read: for the missing list.
    expected: object = None

    @property
    def missing(self):
        return missing_villages(self.expected)


def may_follow_completeness(user) -> bool:
    """County officials, reviewers and administrators follow a season's completeness (each over their own area)."""
    return user_role(user) in (COUNTY_OFFICIALS, REVIEWERS, ADMINISTRATORS)


def completeness_area(user, area: tuple[str, str] | None) -> Area:
    """The area asked for, if the caller may see it (it lies inside their jurisdiction); else 404.

    Without an area: the nation for administrators, else the caller's own divisions (a county official's
    counties, a reviewer's prefectures or provinces); nothing for a user without one.
    """
    prefixes = jurisdiction_prefixes(user)
    if area is None:
        if prefixes is None:
            return Area(NATION)
        return Area(JURISDICTION, prefixes=tuple(outermost_prefixes(prefixes)))
    level, code = area
    prefix = codes.code_prefix(code, level)
    if not code_in_scope(user, prefix):
        raise Http404
    above = _codes_above(code, level)
    divisions = {division.code: division for division in Division.objects.filter(code__in=[code, *above])}
    if code not in divisions:
        raise Http404
    trail = tuple(divisions[parent] for parent in above
                  if parent in divisions and code_in_scope(user, codes.code_prefix(parent, divisions[parent].level)))
    return Area(level, code=code, name=divisions[code].name, prefixes=(prefix,), trail=trail)


def _codes_above(code: str, level: str) -> list[str]:
    parents = []
    while level in PARENT_LEVEL:
        level = PARENT_LEVEL[level]
        code = codes.code_prefix(code, level).ljust(6, "0")
        parents.insert(0, code)
    return parents


def submission_deadline(window: ReportingWindow | None) -> datetime.datetime | None:
    """The moment after which a first submission is late: the start of the day after the window closes."""
    if window is None:
        return None
    next_day = window.closes_on + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time.min))


def expected_villages(year: int, prefixes: tuple[str, ...] | None, *, deadline: datetime.datetime | None):
    """The villages expected to report for `year` in the area, each annotated with why and how far it is.

    Annotations: `certified_last_year`, `active_shops`, `tracked` (booleans), `report_status` (empty when the
    report is missing), `on_time` (boolean), `reason` (the first reason, in REASONS order, or `reported`) and
    `reason_rank` (its place in that order, for sorting).
    """
    villages = Village.objects.all()
    if prefixes is not None:
        if not prefixes:
            return Village.objects.none()
        in_area = Q()
        for prefix in prefixes:
            in_area |= code_prefix_q("code", prefix)
        villages = villages.filter(in_area)
    villages = villages.annotate(
        report_of_year=FilteredRelation("reports", condition=Q(reports__year=year)),
        track_of_year=FilteredRelation("reporting_tracks", condition=Q(reporting_tracks__year=year)),
        certification_last_year=FilteredRelation(
            "assessments", condition=Q(assessments__year=year - 1, assessments__qualified=True)
        ),
    ).annotate(
        certified_last_year=Q(certification_last_year__id__isnull=False),
        active_shops=Exists(
            ShopYear.objects.filter(active_shop_year_q(), shop__village_id=OuterRef("pk"), year=year)
        ),
        tracked=Q(track_of_year__id__isnull=False),
        report_status=F("report_of_year__status"),
        report_id=F("report_of_year__id"),
    )
    villages = villages.filter(
        Q(certified_last_year=True) | Q(active_shops=True) | Q(tracked=True) | Q(report_of_year__id__isnull=False)
    )
    return villages.annotate(
        on_time=_on_time(deadline),
        reason=Case(
            When(certified_last_year=True, then=Value(CERTIFIED_LAST_YEAR)),
            When(active_shops=True, then=Value(ACTIVE_SHOPS)),
            When(tracked=True, then=Value(TRACKED)),
            default=Value(REPORTED),
        ),
        reason_rank=Case(
            When(certified_last_year=True, then=Value(0)),
            When(active_shops=True, then=Value(1)),
            When(tracked=True, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        ),
    )


def _on_time(deadline):
    submitted_once = Q(report_of_year__status__in=SUBMITTED_ONCE)
    if deadline is None:
        return submitted_once
    first_submission_in_time = Exists(
        ReviewEvent.objects.filter(report_id=OuterRef("report_of_year__id"), to_status=Status.SUBMITTED,
                                   at__lt=deadline)
    )
    without_timeline = ~Exists(ReviewEvent.objects.filter(report_id=OuterRef("report_of_year__id"),
                                                          to_status=Status.SUBMITTED))
    return submitted_once & (
        Q(first_submission_in_time) | (Q(without_timeline) & Q(report_of_year__submitted_at__lt=deadline))
    )


def missing_villages(expected):
    """The expected villages without any report for the year: last year's Taobao villages first, then by code."""
    return (
        expected.filter(report_of_year__id__isnull=True)
        .select_related("township")
        .order_by("reason_rank", "code")
    )


def season_window(year: int) -> ReportingWindow | None:
    return ReportingWindow.objects.filter(year=year).first()


def default_season_year() -> int:
    """The season a page opens on: the latest year with a reporting window, up to this year; else this year."""
    current = timezone.localdate().year
    latest = ReportingWindow.objects.filter(year__lte=current).order_by("-year").values_list("year", flat=True)
    return latest.first() or current


def completeness(user, *, year: int, area: Area) -> Completeness:
    """Counts per child area and in total for the year: one grouped query, plus the child divisions' names.

    On a county's page the children are its expected villages themselves, each counted once in its column.
    """
    window = season_window(year)
    expected = expected_villages(year, area.prefixes, deadline=submission_deadline(window))
    if area.level == codes.COUNTY:
        children = _village_rows(expected)
    else:
        children = _child_rows(area)
        for key, counts in _grouped_counts(expected, area).items():
            if key not in children:
                # Villages under a prefix that names no registered division (a code the lists do not carry).
                children[key] = ChildRow(code=key, name="", level=CHILD_LEVEL.get(area.level, ""))
            children[key].counts = counts
    totals = Counts()
    for row in children.values():
        totals.add(row.counts)
    return Completeness(year=year, area=area, window=window, totals=totals,
                        children=sorted(children.values(), key=lambda row: row.code), expected=expected)


def _child_rows(area: Area) -> dict[str, ChildRow]:
    """The child divisions, shown with zeros when nothing is expected of them, by the prefix that groups them."""
    if area.level == codes.COUNTY:
        return {}
    if area.level == NATION:
        divisions = Division.objects.filter(level=codes.PROVINCE)
    elif area.level == JURISDICTION:
        if not area.prefixes:
            return {}
        divisions = Division.objects.filter(code__in=[prefix.ljust(6, "0") for prefix in area.prefixes])
        divisions = [division for division in divisions if division.code_prefix in area.prefixes]
    else:
        divisions = Division.objects.filter(parent_id=area.code, level=CHILD_LEVEL[area.level])
    return {
        division.code_prefix: ChildRow(code=division.code, name=division.name, level=division.level)
        for division in divisions
    }


def _group_key(area: Area):
    if area.level == JURISDICTION:
        return Case(
            *(When(code_prefix_q("code", prefix), then=Value(prefix)) for prefix in area.prefixes),
            default=Value(""),
        )
    return Substr("code", 1, KEY_LENGTH[CHILD_LEVEL[area.level]])


def _grouped_counts(expected, area: Area) -> dict[str, Counts]:
    if area.level == JURISDICTION and not area.prefixes:
        return {}
    rows = (
        expected.annotate(group_key=_group_key(area))
        .values("group_key")
        .annotate(
            expected_count=Count("pk"),
            **{f"{status}_count": Count("pk", filter=Q(report_status__in=_counted(status))) for status in STATUSES},
            missing_count=Count("pk", filter=Q(report_of_year__id__isnull=True)),
            on_time_count=Count("pk", filter=Q(on_time=True)),
        )
        .order_by("group_key")
    )
    return {
        row["group_key"]: Counts(**{name: row[f"{name}_count"] for name in COUNT_NAMES})
        for row in rows
    }


def reasons_of(village) -> tuple[str, ...]:
    """Every reason an annotated expected village (see `expected_villages`) has to report, in REASONS order."""
    holds = (village.certified_last_year, village.active_shops, village.tracked)
    return tuple(reason for reason, held in zip(REASONS, holds, strict=True) if held)


def _village_rows(expected) -> dict[str, ChildRow]:
    """A county's expected villages as rows of one village each: its status, reasons and whether on time."""
    rows = {}
    for village in expected.only("code", "name").order_by("code"):
        counts = Counts(expected=1, on_time=int(bool(village.on_time)))
        status = COUNTED_AS.get(village.report_status, village.report_status) or MISSING
        setattr(counts, status, 1)
        rows[village.code] = ChildRow(code=village.code, name=village.name, level=VILLAGE, counts=counts,
                                      status=status, reasons=reasons_of(village) or (REPORTED,))
    return rows


def reporting_tracks_in_scope_of(user):
    """The tracked-village marks of the user's area, with their villages, newest year first."""
    return (
        in_jurisdiction(ReportingTrack.objects.all(), user, "village__code")
        .select_related("village", "marked_by")
        .order_by("-year", "village__code")
    )
