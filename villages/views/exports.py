"""Downloads of the web lists (CSV / Excel): the rows the list shows for the same query string, unpaginated."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from villages.exports.formats import FORMATS
from villages.exports.sources import filtered_export
from villages.selectors.visibility import villages_visible_to

from .editing import refusal_as_messages


def list_download(request, list_name, extension, *, queryset=None, list_url):
    """The export, or back to the list (which shows why) when a filter is invalid."""
    if extension not in FORMATS:
        raise Http404
    with refusal_as_messages(request):
        return filtered_export(request, list_name, extension, queryset=queryset)
    query = request.GET.urlencode()
    return redirect(f"{list_url}?{query}" if query else list_url)


def village_list_export(request, extension):
    return list_download(
        request, "villages", extension, queryset=villages_visible_to(request.user),
        list_url=reverse("villages:village_list"),
    )


def certified_list_export(request, extension):
    return list_download(request, "certified", extension, list_url=reverse("villages:dashboard"))
