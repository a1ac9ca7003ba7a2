"""Template context every page needs: the visitor's registry role, for the navigation."""

from villages.models import ADMINISTRATORS, COUNTY_OFFICIALS, REVIEWERS
from villages.selectors.jurisdiction import user_role


def registry(request):
    role = user_role(getattr(request, "user", None))
    return {
        "registry_role": role,
        "may_enter_data": role in (COUNTY_OFFICIALS, ADMINISTRATORS),
        "may_review_reports": role in (REVIEWERS, ADMINISTRATORS),
    }
