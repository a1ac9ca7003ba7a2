"""What a report's figures would give under its year's criteria, in words, before anyone submits or approves it.

Pure: the village rule of `scoring` applied to plain values, each criterion said as a sentence with its gap
("sales RMB 8,200,000: RMB 1,800,000 short of RMB 10,000,000"). Nothing here is stored; the approval's
scoring (`services.certification`) runs the same `scoring.assess_village` on the same inputs, so the county
reads in advance the verdict the reviewer's approval will record.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from villages import codes, scoring
from villages.money import format_yuan, grouped_number, trimmed_decimal


@dataclass(frozen=True)
class CriterionLine:
    """One criterion of the expected result: the check it comes from and the sentence that says it."""

    key: str
    passed: bool
    actual: object
    required: object
    gap: object
    text: str


@dataclass(frozen=True)
class ExpectedResult:
    year: int
    criteria_name: str
    qualified: bool
    score: object
    lines: tuple[CriterionLine, ...]

    def line(self, key: str) -> CriterionLine:
        return next(line for line in self.lines if line.key == key)


def _committee_type_words(committee_type: str) -> str:
    return {
        codes.VILLAGE_COMMITTEE: _("a village committee"),
        codes.NEIGHBOURHOOD_COMMITTEE: _("a neighbourhood committee"),
    }.get(committee_type, _("another kind of village-level unit"))


def _location_text(check: scoring.Check, year: int) -> str:
    unit = _committee_type_words(check.actual)
    if not check.passed:
        return _("location: %(unit)s in %(year)s, not eligible under this year's criteria") % {
            "unit": unit, "year": year}
    certified_in = (check.details or {}).get("certified_in")
    if certified_in is not None:
        return _("location: %(unit)s, eligible as a Taobao village of %(certified_in)s") % {
            "unit": unit, "certified_in": certified_in}
    return _("location: %(unit)s, eligible") % {"unit": unit}


def _sales_text(check: scoring.Check) -> str:
    figures = {"sales": format_yuan(check.actual), "required": format_yuan(check.required)}
    if check.passed:
        return _("sales %(sales)s: reaches %(required)s") % figures
    return _("sales %(sales)s: %(gap)s short of %(required)s") % {**figures, "gap": format_yuan(check.gap)}


def _shops_text(check: scoring.Check) -> str:
    details = check.details or {}
    figures = {
        "shops": grouped_number(check.actual),
        "required": grouped_number(check.required),
        "share": trimmed_decimal(Decimal(str(details.get("share_required") or 0)), 2),
    }
    for_share = details.get("shops_for_share")
    if check.passed:
        if details.get("route") == scoring.SHOP_ROUTE_SHARE:
            return _("active shops %(shops)s: reach %(share)s %% of households (%(for_share)s)") % {
                **figures, "for_share": grouped_number(for_share)}
        return _("active shops %(shops)s: reach %(required)s") % figures
    if for_share is None:
        return _("active shops %(shops)s: %(gap)s short of %(required)s (no households declared)") % {
            **figures, "gap": grouped_number(check.gap)}
    return _("active shops %(shops)s: %(gap)s short of %(required)s, or %(share)s %% of households (%(for_share)s)") % {
        **figures,
        "gap": grouped_number(max(0, check.required - check.actual)),
        "for_share": grouped_number(for_share),
    }


def expected_result(
    *, year: int, criteria_name: str, criteria: scoring.VillageCriteria, inputs: scoring.VillageInputs
) -> ExpectedResult:
    """The verdict and every criterion's gap that approving these figures for `year` would record."""
    result = scoring.assess_village(criteria, inputs)
    location, sales, shops = (result.check(key) for key in (scoring.LOCATION, scoring.SALES, scoring.SHOPS))
    return ExpectedResult(
        year=year,
        criteria_name=criteria_name,
        qualified=result.qualified,
        score=result.score,
        lines=(
            CriterionLine(location.key, location.passed, location.actual, location.required, location.gap,
                          _location_text(location, year)),
            CriterionLine(sales.key, sales.passed, sales.actual, sales.required, sales.gap, _sales_text(sales)),
            CriterionLine(shops.key, shops.passed, shops.actual, shops.required, shops.gap, _shops_text(shops)),
        ),
    )
