"""Public pages (no login, no personal data): the national dashboard of Taobao villages, towns and clusters."""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from villages.charts import grouped_bar_chart
from villages.selectors.data_version import cached_for_version, published_data_version
from villages.selectors.public_face import public_dashboard

# The 2018 national plan: more than 5,000 Taobao villages by 2020 (DOMAIN.md).
TAOBAO_VILLAGE_GOAL_2020 = 5_000


def dashboard(request):
    """The figures part is the same for everybody who reads in one language until the published data change: it
    is rendered once per data version and language and kept in the shared cache; the page around it (the
    header with the user, the service network's part) is rendered for each request."""
    version = published_data_version()
    body = cached_for_version(
        version,
        "dashboard-html",
        lambda: str(render_to_string("villages/dashboard_body.html", _dashboard_figures(version), request=request)),
        key_parts=[get_language()],
    )
    return render(request, "villages/dashboard.html", {"dashboard_body": mark_safe(body)})


def _dashboard_figures(version) -> dict:
    content = public_dashboard(version)
    village_rows = [
        (row["year"], {"registry": row["taobao_villages"], "published": row["published_taobao_villages"]})
        for row in content.yearly
    ]
    town_rows = [
        (row["year"], {"registry": row["taobao_towns"], "published": row["published_taobao_towns"]})
        for row in content.yearly
    ]
    series = (("published", "bar-published"), ("registry", "bar-registry"))
    return {
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
    }
