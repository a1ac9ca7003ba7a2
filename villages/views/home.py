"""The logged-in home page: the user's area, their reports by status, the review queue and recent changes."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render

from villages.models import ADMINISTRATORS, REVIEWERS, AnnualReport, Assessment, Village
from villages.selectors.certification import near_miss_assessments
from villages.selectors.jurisdiction import scope_q, user_role
from villages.selectors.review import review_queue
from villages.selectors.visibility import reports_in_scope_of

RECENT_CHANGES = 10
QUEUE_PREVIEW = 10


def home(request):
    if not request.user.is_authenticated:
        return redirect("villages:dashboard")
    return _home(request)


@login_required
def _home(request):
    user = request.user
    counts = dict(reports_in_scope_of(user).values_list("status").annotate(count=Count("pk")).order_by())
    statuses = [(value, label, counts.get(value, 0)) for value, label in AnnualReport.Status.choices]
    own_drafts = (
        reports_in_scope_of(user)
        .filter(status__in=AnnualReport.EDITABLE_STATUSES)
        .select_related("village")
        .order_by("-year", "village__code")[:QUEUE_PREVIEW]
    )
    reviewer = user_role(user) in (REVIEWERS, ADMINISTRATORS)
    return render(
        request,
        "villages/home.html",
        {
            "role": user_role(user),
            "areas": user.jurisdiction_assignments.select_related("division__parent").order_by("division__code"),
            "statuses": statuses,
            "open_reports": own_drafts,
            "queue": review_queue(user)[:QUEUE_PREVIEW] if reviewer else [],
            "near_misses": near_miss_assessments(base=Assessment.objects.filter(scope_q(user, "village__code")))[
                :QUEUE_PREVIEW
            ],
            "recent_villages": Village.history.filter(scope_q(user, "code"))
            .select_related("history_user")
            .order_by("-history_date")[:RECENT_CHANGES],
            "recent_reports": AnnualReport.history.filter(scope_q(user, "village__code"))
            .select_related("history_user", "village")
            .order_by("-history_date")[:RECENT_CHANGES],
        },
    )
