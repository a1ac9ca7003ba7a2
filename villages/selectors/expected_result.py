"""The expected result of figures not yet approved: loads what the village rule needs for the year (its criteria
version, the committee type as of the year, the last earlier certification) and hands it to the pure
`villages.expected_result`. Three queries; nothing is stored."""

from django.core.exceptions import ValidationError

from villages import scoring
from villages.expected_result import ExpectedResult, expected_result
from villages.models import Assessment, Village

from .certification import criteria_set_for_year
from .conversions import committee_types_in_year


def expected_result_of(
    *, village: Village, year: int, ecommerce_sales: int, active_shops: int, households: int
) -> ExpectedResult | None:
    """What approving these figures of `village` for `year` would give; None when no criteria version covers
    the year (the form then says nothing rather than guess)."""
    try:
        criteria_set = criteria_set_for_year(year)
    except ValidationError:
        return None
    committee_type = committee_types_in_year(year, village_ids=[village.pk]).get(village.pk, village.committee_type)
    certified_in = (
        Assessment.objects.filter(village_id=village.pk, year__lt=year, qualified=True)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    inputs = scoring.VillageInputs(
        committee_type=committee_type,
        ecommerce_sales=ecommerce_sales,
        active_shops=active_shops,
        households=households,
        certified_in=certified_in,
    )
    return expected_result(
        year=year, criteria_name=criteria_set.name, criteria=scoring.VillageCriteria.of(criteria_set), inputs=inputs
    )


def expected_result_of_report(report) -> ExpectedResult | None:
    """The expected result of a saved report's figures."""
    return expected_result_of(
        village=report.village,
        year=report.year,
        ecommerce_sales=report.ecommerce_sales,
        active_shops=report.active_shops,
        households=report.households,
    )
