"""Small JSON endpoints behind the village forms: the cascading division selects and a township's codes."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from villages import codes
from villages.selectors.divisions import (
    divisions_within,
    picker_options,
    provinces,
    township_code_options,
    townships_matching,
)
from villages.selectors.jurisdiction import may_edit_registry

PICKER_LEVELS = (codes.PREFECTURE, codes.COUNTY, codes.TOWNSHIP)


def _picker_user(request):
    """`scope=mine` (the data-entry forms): only what the user may enter data in; otherwise every division."""
    return request.user if request.GET.get("scope") == "mine" else None


@require_GET
def division_options(request):
    """`?parent=<code>&level=prefecture|county|township[&scope=mine]`, `?search=<text>` for townships,
    the older `?within=<code>&level=county|township` (by code prefix); provinces otherwise."""
    user = _picker_user(request)
    search = request.GET.get("search", "")[:50]
    if search:
        townships = townships_matching(search, request.GET.get("within", "")[:9], user=user)
        return JsonResponse(
            {
                "results": [
                    {
                        "code": township.code,
                        "name": township.name,
                        "county": township.parent.name if township.parent else "",
                        "prefecture": township.parent.parent.name
                        if township.parent and township.parent.parent
                        else "",
                    }
                    for township in townships
                ]
            }
        )
    level = request.GET.get("level", "")
    parent = request.GET.get("parent", "")[:9]
    within = request.GET.get("within", "")[:9]
    if level in PICKER_LEVELS and parent.isascii() and parent.isdigit():
        divisions = picker_options(level, parent=parent, user=user)
    elif level in (codes.COUNTY, codes.TOWNSHIP) and within.isascii() and within.isdigit():
        divisions = divisions_within(within, level)
    else:
        divisions = picker_options(codes.PROVINCE, user=user) if user is not None else provinces()
    return JsonResponse(
        {"results": [{"code": code, "name": name} for code, name in divisions.values_list("code", "name")]}
    )


@require_GET
def village_code_options(request):
    """`?township=<9 digits>`: the township's registered villages and its next free codes, for the village form.

    Only for someone who may register villages there: the codes of unregistered places are nobody else's business.
    """
    township = request.GET.get("township", "")[:9]
    if not (len(township) == 9 and township.isascii() and township.isdigit()):
        return JsonResponse({"detail": _("Give the 9-digit code of a township.")}, status=400)
    if not may_edit_registry(request.user, township):
        refusal = _("You may register villages only in the counties assigned to you.")
        return JsonResponse({"detail": refusal}, status=403)
    return JsonResponse(township_code_options(township))
