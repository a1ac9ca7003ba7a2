"""Certification reads: the criteria version of a year, the near-miss watchlist, and what-if counts."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from villages.models import CriteriaSet


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
