"""Public pages (no login, no personal data): the national dashboard of Taobao villages, towns and clusters."""

from django.db.models import Max
from django.shortcuts import render

from villages.charts import grouped_bar_chart
from villages.models import Assessment, TaobaoTown, VillageCluster
from villages.selectors.statistics import yearly_statistics, yearly_statistics_by_region

CERTIFIED_LIST_SIZE = 50
# The 2018 national plan: more than 5,000 Taobao villages by 2020 (DOMAIN.md).
TAOBAO_VILLAGE_GOAL_2020 = 5_000


def dashboard(request):
    latest_year = Assessment.objects.filter(qualified=True).aggregate(year=Max("year"))["year"]
    certified = (
        Assessment.objects.filter(qualified=True, year=latest_year)
        .select_related("village__township__parent")
        .order_by("village__code")[:CERTIFIED_LIST_SIZE]
        if latest_year
        else []
    )
    yearly = yearly_statistics()
    village_rows = [
        (row["year"], {"registry": row["taobao_villages"], "published": row["published_taobao_villages"]})
        for row in yearly
    ]
    town_rows = [
        (row["year"], {"registry": row["taobao_towns"], "published": row["published_taobao_towns"]}) for row in yearly
    ]
    series = (("published", "bar-published"), ("registry", "bar-registry"))
    regions = yearly_statistics_by_region(year=latest_year) if latest_year else []
    return render(
        request,
        "villages/dashboard.html",
        {
            "yearly": yearly,
            "village_chart": grouped_bar_chart(village_rows, series, goal=TAOBAO_VILLAGE_GOAL_2020),
            "town_chart": grouped_bar_chart(town_rows, series),
            "goal": TAOBAO_VILLAGE_GOAL_2020,
            "regions": regions,
            "latest_year": latest_year,
            "latest_year_text": str(latest_year or ""),
            "certified": certified,
            "towns": TaobaoTown.objects.select_related("township__parent").order_by("-year", "township")[:20],
            "clusters": VillageCluster.objects.order_by("-year", "-village_count")[:20],
        },
    )
