"""Who answers for which divisions: an administrator assigns a division to a user or takes it back, in the history.

An assignment decides what a county official may change and what a reviewer may approve (`villages.selectors.
jurisdiction`), so only administrators make or remove one, and each is recorded with who did it. An
assignment is never edited in place: moving a user to another division is taking one back and assigning
another, two facts in the history.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from villages.models import Division, JurisdictionAssignment
from villages.selectors.jurisdiction import forget_cached_jurisdiction, is_administrator

from .recording import delete_recorded, require, save_validated

ADMINISTRATORS_ONLY = _("Only an administrator may assign divisions to users or take them back.")


@transaction.atomic
def jurisdiction_assign(*, user, division: Division, by, reason: str = "") -> JurisdictionAssignment:
    """Make `user` answer for `division` (a province, prefecture or county); a second identical one is refused."""
    require(is_administrator(by), ADMINISTRATORS_ONLY)
    assignment = save_validated(JurisdictionAssignment(user=user, division=division), by=by, reason=reason)
    forget_cached_jurisdiction(user)
    return assignment


@transaction.atomic
def jurisdiction_unassign(*, assignment: JurisdictionAssignment, by, reason: str = "") -> None:
    """Take the division back from the user; the deletion stays in the history with who did it."""
    require(is_administrator(by), ADMINISTRATORS_ONLY)
    delete_recorded(assignment, by=by, reason=reason)
    forget_cached_jurisdiction(assignment.user)
