"""What the shops registered for a village say about a year: how many were active (the registry's rule) and
what they sold, to offer beside a report's declared figures and to warn when the two counts differ."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from villages.models import ShopYear

from .active_shops import active_shop_year_q
from .review import ReportWarning

REGISTERED_SHOPS_DIFFER = "registered_shops_differ"


@dataclass(frozen=True)
class RegisteredFigures:
    """The registered shops' year: rows registered for it, the active ones among them and their summed sales."""

    year: int
    shop_years: int
    active_shops: int
    ecommerce_sales: int

    @property
    def known(self) -> bool:
        """Whether any shop is registered for the year: without one there is nothing to compare with."""
        return self.shop_years > 0


def registered_figures(*, village_id: int, year: int) -> RegisteredFigures:
    """The village's registered shop figures for `year`, in one query whatever the number of shops."""
    totals = ShopYear.objects.filter(shop__village_id=village_id, year=year).aggregate(
        rows=Count("pk"), active=Count("pk", filter=Q(active_shop_year_q())), sales=Sum("sales")
    )
    return RegisteredFigures(
        year=year, shop_years=totals["rows"], active_shops=totals["active"], ecommerce_sales=totals["sales"] or 0
    )


def registered_shops_warning(*, declared_active_shops: int, registered: RegisteredFigures) -> ReportWarning | None:
    """The warning a county must acknowledge before submitting: the declared active shops are not the count its
    registered shops give for the year. None when they agree or when no shop is registered for the year."""
    if not registered.known or declared_active_shops == registered.active_shops:
        return None
    return ReportWarning(
        REGISTERED_SHOPS_DIFFER,
        _(
            "%(declared)s active shops are declared, but the shops registered for this village give %(registered)s "
            "active shops in %(year)s."
        )
        % {"declared": declared_active_shops, "registered": registered.active_shops, "year": registered.year},
    )
