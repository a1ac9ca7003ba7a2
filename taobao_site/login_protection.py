"""Login protection (django-axes): the answer to a locked-out login, and the client address behind nginx."""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.services.inbox import lockout_record

API_PREFIX = "/api/"


def lockout_response(request, original_response, credentials):
    """429 with Retry-After: the site's lockout page, or `{"detail": ...}` on the API, saying when to try again.

    Axes counts an attempt made while locked out as another failure and restarts the cool-off from it, so the
    lock lifts exactly one cool-off after this request.

    The attempt that locks the account (its failures reach the limit) also tells the account's owner, in their
    inbox; the attempts refused while it stays locked do not tell them again.
    """
    if getattr(request, "axes_failures_since_start", None) == get_failure_limit(request, credentials):
        lockout_record(
            username=get_client_username(request, credentials), address=getattr(request, "axes_ip_address", None)
        )
    cool_off = get_cool_off(request)
    retry_at = timezone.localtime(timezone.now() + cool_off)
    minutes = int(cool_off.total_seconds() // 60)
    message = _(
        "Too many failed logins for this account from your address. Logins are blocked until %(time)s "
        "(%(minutes)d minutes from now); try again then, or ask an administrator to unlock the account."
    ) % {"time": retry_at.strftime("%H:%M"), "minutes": minutes}
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def address_behind_proxy(request):
    """The client's address as nginx saw it: the last X-Forwarded-For entry, which nginx itself appends.

    Entries to its left come from the client and can be forged; without the header (a request that did not
    come through nginx) the socket's address is the client's.
    """
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded_for.strip():
        return forwarded_for.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")
