"""The stored criteria versions, for the public criteria page (one query)."""

from villages.models import CriteriaSet


def criteria_versions() -> list[CriteriaSet]:
    return list(CriteriaSet.objects.order_by("first_year"))
