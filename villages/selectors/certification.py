"""Certification reads: the criteria version of a year, a report's assessment, near misses and what-if counts."""

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _

from villages import scoring
from villages.models import Assessment, CriteriaSet, Village


def criteria_set_covering_q(year: int) -> Q:
    return Q(first_year__lte=year) & (Q(last_year__isnull=True) | Q(last_year__gte=year))


def criteria_set_for_year(year: int) -> CriteriaSet:
    """The criteria version that applies to `year`; a ValidationError says so when none does."""
    return criteria_set_among(CriteriaSet.objects.filter(criteria_set_covering_q(year)), year)


def criteria_set_among(criteria_sets, year: int) -> CriteriaSet:
    """The version among `criteria_sets` (loaded, or a queryset) covering `year`; else a ValidationError."""
    for criteria_set in criteria_sets:
        if criteria_set.covers(year):
            return criteria_set
    raise ValidationError(
        _("No criteria version covers the year %(year)s: an administrator must add one first.")
        % {"year": year}
    )


def assessment_of_report(report) -> Assessment | None:
    """The assessment an approved report's scoring gave, or None while there is none."""
    return Assessment.objects.filter(report=report).first()


def _input(key: str):
    return Cast(KeyTextTransform(key, "inputs"), BigIntegerField())


_SHARE_UNITS = 10 ** CriteriaSet._meta.get_field("village_min_household_share").decimal_places


def _integer(expression):
    return ExpressionWrapper(expression, output_field=BigIntegerField())


def near_miss_assessments(*, base=None, margin: float | None = None):
    """Villages a county can help over the line: their latest assessment failed, but within `margin` of every
    threshold it missed (sales, and active shops by count or by household share). Best score first.

    That is: the village rule with every threshold lowered by the margin would pass them. `base` is an
    Assessment queryset to scope the list (a user's visible assessments, a county); the location rule cannot
    be helped, so villages failing it (score 0) are left out. The comparisons are in integers, like the rule
    itself (a float product lands a hair above an exact threshold and drops a village exactly at the
    margin): with a margin of a/b, figure >= threshold·(1 - a/b) is figure·b >= threshold·(b - a), and the
    household share (4 decimals) is compared in ten-thousandths.
    """
    margin = Fraction(str(settings.NEAR_MISS_MARGIN if margin is None else margin))
    keep_numerator, keep_denominator = (1 - margin).numerator, (1 - margin).denominator
    assessments = base if base is not None else Assessment.objects.all()
    later = Assessment.objects.filter(village_id=OuterRef("village_id"), year__gt=OuterRef("year"))

    def at_least(actual, threshold):
        return Q(**{f"{actual}__gte": _integer(threshold * keep_numerator)})

    return (
        assessments.filter(~Exists(later), qualified=False, score__gt=0)
        .alias(
            near_sales=_integer(_input("ecommerce_sales") * keep_denominator),
            near_shops=_integer(_input("active_shops") * keep_denominator),
            near_shop_units=_integer(F("near_shops") * _SHARE_UNITS),
            near_households=_input("households"),
            share_units=Cast(Round(F("criteria_set__village_min_household_share") * _SHARE_UNITS), BigIntegerField()),
        )
        .filter(
            at_least("near_sales", F("criteria_set__village_min_sales")),
            at_least("near_shops", F("criteria_set__village_min_active_shops"))
            | Q(near_households__gt=0) & at_least("near_shop_units", F("share_units") * F("near_households")),
        )
        .select_related("village", "village__township", "criteria_set")
        .order_by("-score", "village__code")
    )


WHAT_IF_FIELDS = (
    "eligible_committee_types",
    "village_min_sales",
    "village_min_active_shops",
    "village_min_household_share",
)


@dataclass(frozen=True)
class WhatIfCount:
    """Villages qualifying under the current version (`now`) and under the trial thresholds (`then`)."""

    province: str
    now: int = 0
    then: int = 0
    gained: int = 0
    lost: int = 0


@dataclass(frozen=True)
class WhatIf:
    year: int
    criteria_set: CriteriaSet
    total: WhatIfCount
    provinces: list[WhatIfCount] = field(default_factory=list)


def _trial_criteria(criteria_set: CriteriaSet, thresholds: dict) -> scoring.VillageCriteria:
    unknown = sorted(set(thresholds) - set(WHAT_IF_FIELDS))
    if unknown:
        raise ValidationError(_("Unknown thresholds: %(names)s.") % {"names": ", ".join(unknown)})
    trial = CriteriaSet(
        **{name: getattr(criteria_set, name) for name in WHAT_IF_FIELDS},
        first_year=criteria_set.first_year,
    )
    for name, value in thresholds.items():
        setattr(trial, name, value)
    errors = {}
    for name in WHAT_IF_FIELDS:
        model_field = CriteriaSet._meta.get_field(name)
        try:
            setattr(trial, name, model_field.clean(getattr(trial, name), trial))
        except ValidationError as error:
            errors[name] = error.messages
    allowed = {choice for choice, _label in Village.CommitteeType.choices}
    types = trial.eligible_committee_types
    if "eligible_committee_types" not in errors and (not isinstance(types, list) or not set(types) <= allowed):
        errors["eligible_committee_types"] = [_("Choose committee types among: %(types)s.") % {
            "types": ", ".join(sorted(allowed))
        }]
    if errors:
        raise ValidationError(errors)
    return scoring.VillageCriteria.of(trial)


def what_if(*, year: int, base=None, **thresholds) -> WhatIf:
    """How many of a year's assessed villages would qualify under trial thresholds that are not saved, and how
    many would be gained or lost against the version in force, nationally and per province.

    Computed from the assessments' input snapshots in one query, with the pure rule; nothing is written.
    """
    criteria_set = criteria_set_for_year(year)
    current = scoring.VillageCriteria.of(criteria_set)
    trial = _trial_criteria(criteria_set, thresholds)
    assessments = base if base is not None else Assessment.objects.all()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for village_code, snapshot in assessments.filter(year=year).values_list("village__code", "inputs"):
        inputs = scoring.VillageInputs.from_dict(snapshot)
        now = scoring.village_qualifies(current, inputs)
        then = scoring.village_qualifies(trial, inputs)
        row = counts[f"{village_code[:2]}0000"]
        row[0] += now
        row[1] += then
        row[2] += then and not now
        row[3] += now and not then
    provinces = [WhatIfCount(province, *values) for province, values in sorted(counts.items())]
    total = WhatIfCount("", *(sum(values[i] for values in counts.values()) for i in range(4)))
    return WhatIf(year=year, criteria_set=criteria_set, total=total, provinces=provinces)


def certified_years() -> list[int]:
    """The years in which at least one village is certified, newest first (one query): the map's year choices."""
    return list(
        Assessment.objects.filter(qualified=True).order_by("-year").values_list("year", flat=True).distinct()
    )


def certified_in_year_q(year: int) -> Q:
    """Villages certified (a qualified assessment) in `year`: the map's villages of that year."""
    return Q(Exists(Assessment.objects.filter(village_id=OuterRef("pk"), year=year, qualified=True)))
