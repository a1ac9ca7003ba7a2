"""Reads of the in-app inbox: a user's own notifications, their text in the reader's language, the unread count.

Nobody reads another user's inbox, administrators included: every read here is filtered by the recipient, and
an entry of someone else is "not found". The header's unread count rides on the query that loads the logged-in
user for each request (`with_unread_count`, used by the login backend), so a page pays no query for it; a
user loaded some other way (an API token, a test's request) costs one.
"""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from villages import stored_messages
from villages.models import Notification

UNREAD_ATTRIBUTE = "inbox_unread_count"
# Ids beyond a 64-bit integer would overflow the database's parameter: no such row, so "not found".
MAX_ID = 2**63 - 1


def with_unread_count(users: QuerySet) -> QuerySet:
    """The users, each annotated with the number of their unread notifications (a subquery in the same SELECT)."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return users.annotate(
        **{UNREAD_ATTRIBUTE: Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))}
    )


def unread_count(user) -> int:
    """How many of the user's notifications are unread: from the user's row when it came with it, else counted."""
    if user is None or not user.is_authenticated:
        return 0
    counted = getattr(user, UNREAD_ATTRIBUTE, None)
    if counted is None:
        counted = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        setattr(user, UNREAD_ATTRIBUTE, counted)
    return counted


def inbox_of(user, *, unread_only: bool = False) -> QuerySet:
    """The user's own notifications, newest first (one query a page: the text and links need no join)."""
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def notification_of(user, notification_id: int) -> Notification:
    """One of the user's own notifications; Http404 for anyone else's entry, as for one that does not exist."""
    if not 0 < notification_id <= MAX_ID:
        raise Http404
    return get_object_or_404(Notification, pk=notification_id, recipient=user)


def notification_text(notification: Notification) -> str:
    """The entry's sentence in the active language."""
    return stored_messages.render(notification.message)


def notification_url(notification: Notification) -> str:
    """The page the entry leads to: its report's, or its own link (a reminder's completeness page), or none."""
    if notification.report_id is not None:
        return reverse("villages:report_detail", args=[notification.report_id])
    if notification.township_report_id is not None:
        return reverse("villages:township_report_detail", args=[notification.township_report_id])
    return notification.link
