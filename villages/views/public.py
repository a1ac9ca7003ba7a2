"""Public pages (no login, no personal data): the national dashboard of Taobao villages, towns and clusters."""

from django.shortcuts import render

from villages.charts import grouped_bar_chart
from villages.selectors.public_face import public_dashboard

# The 2018 national plan: more than 5,000 Taobao villages by 2020 (DOMAIN.md).
TAOBAO_VILLAGE_GOAL_2020 = 5_000


def dashboard(request):
    content = public_dashboard()
    village_rows = [
        (row["year"], {"registry": row["taobao_villages"], "published": row["published_taobao_villages"]})
        for row in content.yearly
    ]
    town_rows = [
        (row["year"], {"registry": row["taobao_towns"], "published": row["published_taobao_towns"]})
        for row in content.yearly
    ]
    series = (("published", "bar-published"), ("registry", "bar-registry"))
    return render(
        request,
        "villages/dashboard.html",
        {
            "yearly": content.yearly,
            "village_chart": grouped_bar_chart(village_rows, series, goal=TAOBAO_VILLAGE_GOAL_2020),
            "town_chart": grouped_bar_chart(town_rows, series),
            "goal": TAOBAO_VILLAGE_GOAL_2020,
            "regions": content.regions,
            "latest_year": content.latest_year,
            "latest_year_text": str(content.latest_year or ""),
            "certified": content.certified,
            "towns": content.towns,
            "clusters": content.clusters,
            "data_as_of": content.data_as_of,
        },
    )
