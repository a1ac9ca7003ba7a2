"""Division facts as of a year: villages' committee types and townships' types where a later conversion changed them.

A conversion that took effect in year E governs E and the years after it; for a year before E the old type
holds. Conversions are few (a few thousand a year nationally), so each read is one query over them, never
over the villages.
"""

import datetime

from django.db.models import Q

from villages.models import TownshipConversion, VillageConversion


def after_year_q(year: int) -> Q:
    """Conversions that took effect after `year` (so `year` still had the old facts)."""
    return Q(effective_on__gt=datetime.date(year, 12, 31))


def _first_old_value(rows) -> dict:
    """{key: old value of its earliest conversion} from (key, old value) rows ordered by key, then date."""
    earliest = {}
    for key, old_value in rows:
        earliest.setdefault(key, old_value)
    return earliest


def committee_types_in_year(year: int, *, village_ids=None) -> dict:
    """{village id: committee type in `year`} for the villages a later conversion changed (others: as now)."""
    conversions = VillageConversion.objects.filter(after_year_q(year))
    if village_ids is not None:
        conversions = conversions.filter(village_id__in=village_ids)
    return _first_old_value(
        conversions.order_by("village_id", "effective_on").values_list("village_id", "old_committee_type")
    )


def township_kinds_in_year(year: int, *, township_codes=None) -> dict:
    """{township code: its type in `year`} for the townships a later conversion changed (others: their code's)."""
    conversions = TownshipConversion.objects.filter(after_year_q(year))
    if township_codes is not None:
        conversions = conversions.filter(township_id__in=township_codes)
    return _first_old_value(
        conversions.order_by("township_id", "effective_on").values_list("township_id", "old_kind")
    )


def conversions_of_village(village):
    return VillageConversion.objects.filter(village=village).select_related("recorded_by").order_by("effective_on")
