"""Template context every page needs: the visitor's registry role and unread inbox count, other apps' page parts."""

from villages.page_parts import PAGE_PARTS
from villages.selectors.inbox import unread_count
from villages.selectors.jurisdiction import may_enter_data, may_review_reports, user_role


def registry(request):
    user = getattr(request, "user", None)
    return {
        "registry_role": user_role(user),
        "may_enter_data": may_enter_data(user),
        "may_review_reports": may_review_reports(user),
        "page_parts": PAGE_PARTS,
        "inbox_unread_count": unread_count(user),
    }
