"""The logged-in home page: the user's area, their reports by status, the review queue and recent changes."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from villages.models import AnnualReport
from villages.selectors.certification import near_miss_assessments
from villages.selectors.jurisdiction import may_review_reports, user_role
from villages.selectors.review import open_reports, report_status_counts, review_queue
from villages.selectors.visibility import (
    assessments_in_scope_of,
    report_changes_in_scope_of,
    village_changes_in_scope_of,
)

RECENT_CHANGES = 10
QUEUE_PREVIEW = 10


def home(request):
    if not request.user.is_authenticated:
        return redirect("villages:dashboard")
    return _home(request)


@login_required
def _home(request):
    user = request.user
    counts = report_status_counts(user)
    statuses = [(value, label, counts.get(value, 0)) for value, label in AnnualReport.Status.choices]
    return render(
        request,
        "villages/home.html",
        {
            "role": user_role(user),
            "areas": user.jurisdiction_assignments.select_related("division__parent").order_by("division__code"),
            "statuses": statuses,
            "open_reports": open_reports(user)[:QUEUE_PREVIEW],
            "queue": review_queue(user)[:QUEUE_PREVIEW] if may_review_reports(user) else [],
            "near_misses": near_miss_assessments(base=assessments_in_scope_of(user))[:QUEUE_PREVIEW],
            "recent_villages": village_changes_in_scope_of(user)
            .select_related("history_user")
            .order_by("-history_date")[:RECENT_CHANGES],
            "recent_reports": report_changes_in_scope_of(user)
            .select_related("history_user", "village")
            .order_by("-history_date")[:RECENT_CHANGES],
        },
    )
