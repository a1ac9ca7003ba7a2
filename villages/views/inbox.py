"""The in-app inbox on the web: the user's notifications, newest first, a page at a time, and marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from villages.selectors.inbox import inbox_of, notification_of, notification_text, notification_url
from villages.services.inbox import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 30


@require_GET
@login_required
def inbox_page(request):
    page = Paginator(inbox_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [
        {"notification": notification, "text": notification_text(notification), "url": notification_url(notification)}
        for notification in page.object_list
    ]
    return render(request, "villages/inbox.html", {"page": page, "entries": entries})


@require_POST
@login_required
def notification_read_view(request, notification_id):
    notification_mark_read(notification=notification_of(request.user, notification_id), by=request.user)
    return redirect("villages:inbox")


@require_POST
@login_required
def inbox_mark_all_read_view(request):
    marked = notifications_mark_all_read(by=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", marked)
        % {"count": marked},
    )
    return redirect("villages:inbox")
