"""The public dashboard: yearly series beside the published one with the 2020 goal, regions, towns, clusters."""

import pytest
from django.urls import reverse

from tests.factories import AnnualReportFactory, VillageFactory
from villages.charts import grouped_bar_chart
from villages.models import Assessment, CriteriaSet

pytestmark = pytest.mark.django_db


def test_dashboard_counts_registry_villages_beside_published_series_and_marks_the_goal(client, tree):
    village = VillageFactory(township=tree.town, name="公开村")
    report = AnnualReportFactory(village=village, year=2023, status="approved")
    Assessment.objects.create(
        village=village, year=2023, report=report, criteria_set=CriteriaSet.objects.last(), qualified=True, score=100
    )
    response = client.get(reverse("villages:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    rows = {row["year"]: row for row in response.context["yearly"]}
    assert rows[2023]["taobao_villages"] == 1
    assert rows[2020]["published_taobao_villages"] == 5425
    assert "2020 goal: 5,000" in page
    assert "公开村" in page
    assert 'class="goal"' in page
    east = next(row for row in response.context["regions"] if row["region"] == "east")
    assert east["taobao_villages"] == 1


def test_dashboard_hides_drafts_and_personal_data(client, tree):
    AnnualReportFactory(village=VillageFactory(township=tree.town, name="草稿村"), year=2023)
    page = client.get(reverse("villages:dashboard")).content.decode()
    assert "草稿村" not in page


def test_dashboard_in_chinese_shows_chinese_labels(client, tree):
    page = client.get(reverse("villages:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "淘宝村" in page
    assert 'lang="zh-hans"' in page


def test_bar_chart_scales_to_a_round_top_and_places_the_goal():
    chart = grouped_bar_chart([(2019, {"a": 4310}), (2020, {"a": 5425})], (("a", "bar"),), goal=5000)
    assert chart.ticks[-1].value == 10_000
    tallest = max(bar.height for group in chart.groups for bar in group.bars)
    assert chart.goal_y == pytest.approx(chart.baseline - tallest * 5000 / 5425)
