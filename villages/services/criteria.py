"""Criteria versions: an administrator adds a version; a version already used for assessments stays as it was."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from villages.models import CriteriaSet
from villages.selectors.jurisdiction import is_administrator
from villages.services.errors import ConflictError

CRITERIA_FIELDS = (
    "name",
    "first_year",
    "last_year",
    "eligible_committee_types",
    "village_min_sales",
    "village_min_active_shops",
    "village_min_household_share",
    "town_min_taobao_villages",
    "town_scale_route",
    "town_min_sales",
    "town_min_active_shops",
    "subdistricts_can_be_towns",
    "neighbourhood_committee_rule",
    "cluster_min_villages",
    "cluster_large_min_villages",
    "cluster_super_large_over_villages",
    "source",
)


def _require_administrator(by) -> None:
    if by is not None and not is_administrator(by):
        raise PermissionDenied(_("Only an administrator may change the certification criteria."))


def _unknown_fields(fields: dict) -> None:
    unknown = sorted(set(fields) - set(CRITERIA_FIELDS))
    if unknown:
        raise TypeError(f"Not criteria fields: {', '.join(unknown)}")


def criteria_set_create(*, by=None, **fields) -> CriteriaSet:
    """Add a criteria version; its years may not overlap those of another version (ValidationError)."""
    _require_administrator(by)
    _unknown_fields(fields)
    with transaction.atomic():
        # Serialise additions so that two overlapping versions cannot both pass the overlap check.
        list(CriteriaSet.objects.select_for_update().values_list("pk", flat=True))
        criteria_set = CriteriaSet(**fields)
        criteria_set.full_clean()
        criteria_set.save()
    return criteria_set


def criteria_set_update(*, criteria_set: CriteriaSet, by=None, **fields) -> CriteriaSet:
    """Edit a version. Once it has assessments only its name, source and end year may change (else ConflictError)."""
    _require_administrator(by)
    _unknown_fields(fields)
    with transaction.atomic():
        list(CriteriaSet.objects.select_for_update().values_list("pk", flat=True))
        for name, value in fields.items():
            setattr(criteria_set, name, value)
        criteria_set.clean_fields()
        locked = criteria_set.locked_changes()
        if locked:
            criteria_set.refresh_from_db()
            raise ConflictError(
                _(
                    "This version has assessments, so %(fields)s can no longer change: add a new version "
                    "for the coming years instead."
                )
                % {"fields": ", ".join(locked)}
            )
        criteria_set.full_clean()
        criteria_set.save()
    return criteria_set
