"""Province approval policies: how many review levels a province's reports pass, set by administrators.

`villages.services.reports` reads the policy inside each review step's conditional UPDATE; a province without a
policy (or with one level) approves in one step. Only administrators set, change or remove a policy: the chain
of approval is a rule for every reviewer of the province.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from villages.models import ProvinceApprovalPolicy
from villages.selectors.jurisdiction import is_administrator

from .recording import delete_recorded, refuse_unknown_fields, require, save_validated

POLICY_FIELDS = ("province", "levels")

ADMINISTRATORS_ONLY = _("Only an administrator may set a province's approval levels.")


@transaction.atomic
def approval_policy_create(*, by, reason: str = "", **fields) -> ProvinceApprovalPolicy:
    require(is_administrator(by), ADMINISTRATORS_ONLY)
    refuse_unknown_fields(fields, POLICY_FIELDS)
    return save_validated(ProvinceApprovalPolicy(**fields), by=by, reason=reason)


@transaction.atomic
def approval_policy_update(
    *, policy: ProvinceApprovalPolicy, by, reason: str = "", **changes
) -> ProvinceApprovalPolicy:
    """Change the levels (or the province); the row is locked meanwhile, so two edits apply one after the other.

    Reports waiting at a level keep their status: a report that passed first review still waits for the
    province, and a submitted one goes to whichever level now comes first.
    """
    require(is_administrator(by), ADMINISTRATORS_ONLY)
    refuse_unknown_fields(changes, POLICY_FIELDS)
    fresh = ProvinceApprovalPolicy.objects.select_for_update().get(pk=policy.pk)
    for name, value in changes.items():
        setattr(fresh, name, value)
    return save_validated(fresh, by=by, reason=reason)


@transaction.atomic
def approval_policy_delete(*, policy: ProvinceApprovalPolicy, by, reason: str = "") -> None:
    """Remove the policy: the province approves in one step again."""
    require(is_administrator(by), ADMINISTRATORS_ONLY)
    delete_recorded(policy, by=by, reason=reason)
