"""Public pages (no login, no personal data): the national dashboard of Taobao villages, towns and clusters."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max
from django.shortcuts import render

from villages.models import Assessment, TaobaoTown, VillageCluster

CERTIFIED_LIST_SIZE = 50


def dashboard(request):
    anonymous = AnonymousUser()
    latest_year = Assessment.objects.filter(qualified=True).aggregate(year=Max("year"))["year"]
    certified = (
        Assessment.objects.filter(qualified=True, year=latest_year)
        .select_related("village__township__parent")
        .order_by("village__code")[:CERTIFIED_LIST_SIZE]
        if latest_year
        else []
    )
    return render(
        request,
        "villages/dashboard.html",
        {
            "viewer": anonymous,
            "latest_year": latest_year,
            "certified": certified,
            "towns": TaobaoTown.objects.select_related("township__parent").order_by("-year", "township")[:20],
            "clusters": VillageCluster.objects.order_by("-year", "-village_count")[:20],
        },
    )
