"""A small public JSON endpoint that feeds the cascading province → county → township selects."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from villages import codes
from villages.selectors.divisions import divisions_within, provinces, townships_matching


@require_GET
def division_options(request):
    """`?within=<code>&level=county|township`, or `?search=<text>` for townships; provinces otherwise."""
    search = request.GET.get("search", "")[:50]
    if search:
        townships = townships_matching(search, request.GET.get("within", "")[:9])
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
    within = request.GET.get("within", "")[:9]
    if level in (codes.COUNTY, codes.TOWNSHIP) and within.isdigit():
        divisions = divisions_within(within, level)
    else:
        divisions = provinces()
    return JsonResponse(
        {"results": [{"code": code, "name": name} for code, name in divisions.values_list("code", "name")]}
    )
