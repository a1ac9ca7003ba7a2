"""Reads of the reconciliation: each report's declaration beside the platform's figures, in set-based queries.

`with_platform_figures` annotates any queryset of annual reports with the platform's figures for each
report's village and year (correlated subqueries, so a page of reports costs one query however long it is),
and with the SQL twin of `reconciliation.beyond_tolerance` to filter and order by. `reconciliation_of` turns
one annotated row into the pure `Reconciliation`. Which platform figure counts is documented in
`villages.reconciliation`. Platform figures are not public: every read here is limited to the user's own
jurisdiction (`reports_in_scope_of`, `platform_shop_years_in_scope_of`).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.urls import reverse

from villages import reconciliation
from villages.models import AnnualReport, OnlineShop, PlatformShopYear, PlatformVillageYear

from .active_shops import active_shop_year_q
from .jurisdiction import in_jurisdiction
from .visibility import reports_in_scope_of

# Ordering key of a declaration above 0 against a platform figure of 0: beyond any percentage.
_UNBOUNDED_GAP = 1e18
_NO_GAP = -1.0


def tolerance_percent() -> int:
    return settings.RECONCILIATION_TOLERANCE_PERCENT


def _rows_of_report_year(model, **more):
    return model.objects.filter(village_id=OuterRef("village_id"), year=OuterRef("year"), **more).order_by()


def _aggregate(queryset, aggregate, output_field):
    """One aggregate over the rows of the report's village and year; NULL when there are none."""
    return Subquery(
        queryset.values("village_id").annotate(total=aggregate).values("total")[:1], output_field=output_field
    )


def _gap_times_100(declared: str, platform: str):
    return Cast(Abs(F(declared) - F(platform)), FloatField()) * Value(100.0)


def _gap_percent(declared: str, platform: str):
    """|declared − platform| in percent of the platform's figure, for ordering; −1 without a platform figure."""
    return Case(
        When(**{f"{platform}__isnull": True}, then=Value(_NO_GAP)),
        When(Q(**{platform: 0}) & Q(**{declared: 0}), then=Value(0.0)),
        When(**{platform: 0}, then=Value(_UNBOUNDED_GAP)),
        default=_gap_times_100(declared, platform) / Cast(F(platform), FloatField()),
        output_field=FloatField(),
    )


def platform_figures(reports):
    """`reports` annotated with the platform's figures alone: what `reconciliation_of` compares, row by row.

    `platform_sales`, `platform_active_shops` (None without platform figures), `unregistered_shops` and
    `unknown_registered_shops`. A page that shows each row's comparison needs no more; the comparison in SQL
    (`with_platform_figures`) repeats every figure's subqueries in each column that uses it, so it is for the
    lists that filter or order by it.
    """
    shop_rows = _rows_of_report_year(PlatformShopYear)
    platform_has_totals = Exists(
        PlatformVillageYear.objects.filter(
            village_id=OuterRef("village_id"), year=OuterRef("year"), platform=OuterRef("platform")
        )
    )
    registered = Exists(
        OnlineShop.objects.filter(platform=OuterRef("platform"), platform_shop_id=OuterRef("platform_shop_id"))
    )
    platform_lists_village = Exists(
        PlatformShopYear.objects.filter(
            village_id=OuterRef(OuterRef("village_id")), year=OuterRef(OuterRef("year")), platform=OuterRef("platform")
        )
    )
    platform_knows_shop = Exists(
        PlatformShopYear.objects.filter(
            platform=OuterRef("platform"),
            platform_shop_id=OuterRef("platform_shop_id"),
            year=OuterRef(OuterRef("year")),
        )
    )
    unknown_shops = (
        OnlineShop.objects.filter(village_id=OuterRef("village_id"))
        .filter(platform_lists_village)
        .exclude(platform_knows_shop)
        .order_by()
    )
    big = BigIntegerField()
    return reports.alias(
        platform_totals_sales=_aggregate(_rows_of_report_year(PlatformVillageYear), Sum("sales"), big),
        platform_unsummed_shop_sales=_aggregate(shop_rows.exclude(platform_has_totals), Sum("sales"), big),
    ).annotate(
        platform_sales=Case(
            When(platform_totals_sales__isnull=True, platform_unsummed_shop_sales__isnull=True, then=Value(None)),
            default=Coalesce(F("platform_totals_sales"), 0) + Coalesce(F("platform_unsummed_shop_sales"), 0),
            output_field=big,
        ),
        platform_active_shops=_aggregate(shop_rows, Count("pk", filter=active_shop_year_q()), IntegerField()),
        unregistered_shops=Coalesce(
            _aggregate(shop_rows.exclude(registered), Count("pk"), IntegerField()), 0, output_field=IntegerField()
        ),
        unknown_registered_shops=Coalesce(
            Subquery(
                unknown_shops.values("village_id").annotate(total=Count("pk")).values("total")[:1],
                output_field=IntegerField(),
            ),
            0,
            output_field=IntegerField(),
        ),
    )


def with_platform_figures(reports, tolerance: int | None = None):
    """`reports` annotated with the platform's figures (`platform_figures`) and the comparison in SQL, to filter
    and order by: `sales_flagged`, `shops_flagged`, `reconciliation_flagged` and `gap_percent` (the larger of the
    two relative differences, −1 without platform figures; for "largest gaps first")."""
    tolerance = tolerance_percent() if tolerance is None else tolerance
    return platform_figures(reports).alias(
        sales_gap_x100=_gap_times_100("ecommerce_sales", "platform_sales"),
        sales_allowed_x100=Cast(F("platform_sales"), FloatField()) * Value(float(tolerance)),
        shops_gap_x100=_gap_times_100("active_shops", "platform_active_shops"),
        shops_allowed_x100=Cast(F("platform_active_shops"), FloatField()) * Value(float(tolerance)),
    ).annotate(
        sales_flagged=_true_when(_flag("sales")),
        shops_flagged=_true_when(_flag("shops")),
        reconciliation_flagged=_true_when(_flag("sales") | _flag("shops")),
        gap_percent=Greatest(
            _gap_percent("ecommerce_sales", "platform_sales"), _gap_percent("active_shops", "platform_active_shops")
        ),
    )


def _flag(figure: str) -> Q:
    """SQL twin of `reconciliation.beyond_tolerance`: |declared − platform| × 100 > tolerance × platform,
    in floating point so that no product overflows (NULL without a platform figure: not flagged)."""
    return Q(**{f"{figure}_gap_x100__gt": F(f"{figure}_allowed_x100")})


def _true_when(condition: Q):
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def reconciliation_of(report, tolerance: int | None = None) -> reconciliation.Reconciliation:
    """The pure comparison of one report annotated by `platform_figures` (no query)."""
    return reconciliation.reconcile(
        declared_sales=report.ecommerce_sales,
        declared_active_shops=report.active_shops,
        platform_sales=report.platform_sales,
        platform_active_shops=report.platform_active_shops,
        unregistered_shops=report.unregistered_shops,
        unknown_registered_shops=report.unknown_registered_shops,
        tolerance_percent=tolerance_percent() if tolerance is None else tolerance,
    )


def attach_reconciliations(reports) -> list:
    """The annotated reports as a list, each with its `reconciliation` (no query beyond reading the rows)."""
    tolerance = tolerance_percent()
    rows = list(reports)
    for report in rows:
        report.reconciliation = reconciliation_of(report, tolerance)
    return rows


def reconciliations_in_scope(user):
    """Every report of the user's jurisdiction with its platform figures, the largest gaps first."""
    return (
        with_platform_figures(reports_in_scope_of(user))
        .select_related("village", "village__township")
        .order_by(F("gap_percent").desc(), "-id")
    )


def report_reconciliation(user, report: AnnualReport) -> reconciliation.Reconciliation | None:
    """One report's reconciliation when it lies in the user's jurisdiction (one query), else None."""
    row = platform_figures(reports_in_scope_of(user)).filter(pk=report.pk).first()
    return None if row is None else reconciliation_of(row)


def platform_shop_years_in_scope_of(user):
    return in_jurisdiction(PlatformShopYear.objects.all(), user, "village__code")


@dataclass(frozen=True)
class ShopLists:
    """The shops the two sides disagree on for a report's village and year."""

    unregistered: list  # PlatformShopYear rows, each with `active`
    unknown_registered: list  # OnlineShop rows


def report_shop_lists(user, report: AnnualReport) -> ShopLists:
    """Shops the platform lists in the village that the county has not registered, and registered shops of a
    platform that sent shop figures for the village but not for them (two queries)."""
    unregistered = list(
        platform_shop_years_in_scope_of(user)
        .filter(village_id=report.village_id, year=report.year)
        .exclude(
            Exists(
                OnlineShop.objects.filter(platform=OuterRef("platform"), platform_shop_id=OuterRef("platform_shop_id"))
            )
        )
        .order_by("-sales", "platform", "platform_shop_id")
    )
    platforms_listing = PlatformShopYear.objects.filter(
        village_id=report.village_id, year=report.year
    ).values("platform")
    unknown = list(
        OnlineShop.objects.filter(village_id=report.village_id, platform__in=platforms_listing)
        .exclude(
            Exists(
                PlatformShopYear.objects.filter(
                    platform=OuterRef("platform"), platform_shop_id=OuterRef("platform_shop_id"), year=report.year
                )
            )
        )
        .order_by("platform", "platform_shop_id")
    )
    return ShopLists(unregistered=unregistered, unknown_registered=unknown)


def platform_shop_year_for_registering(user, platform_shop_year_id) -> PlatformShopYear:
    """A platform shop figure in the user's jurisdiction (Http404 otherwise), for "register from the feed"."""
    return get_object_or_404(
        platform_shop_years_in_scope_of(user).select_related("village"), pk=platform_shop_year_id
    )


def report_reconciliation_unscoped(report: AnnualReport) -> reconciliation.Reconciliation:
    """One report's reconciliation for the warnings of whoever may already read the report (one query)."""
    return reconciliation_of(platform_figures(AnnualReport.objects.filter(pk=report.pk)).get())


def page_after_registering(user, platform_shop_year: PlatformShopYear) -> str:
    """Where "register from the feed" returns: the report of the shop's village and year, else the village."""
    report_id = (
        reports_in_scope_of(user)
        .filter(village_id=platform_shop_year.village_id, year=platform_shop_year.year)
        .values_list("pk", flat=True)
        .first()
    )
    if report_id is None:
        return reverse("villages:village_detail", args=[platform_shop_year.village.code])
    return reverse("villages:report_detail", args=[report_id])
