"""Charts that tell the truth: missing figures marked, axis breaks marked, each series on a scale of its own."""

import pytest
from django.urls import reverse

from tests.factories import AnnualReportFactory, VillageFactory
from villages import charts
from villages.models import AnnualReport
from villages.services.certification import report_assess


def test_a_year_without_a_published_figure_gets_a_mark_and_no_bar():
    chart = charts.grouped_bar_chart(
        [(2022, {"published": 7780}), (2023, {"published": None})], (("published", "bar-published"),)
    )
    published_2023 = chart.groups[1]
    assert published_2023.bars == ()
    assert len(published_2023.not_published) == 1
    assert published_2023.not_published[0].height == pytest.approx(chart.plot_height)


def test_a_jump_in_the_years_is_marked_between_its_neighbours():
    chart = charts.grouped_bar_chart([(2009, {"a": 3}), (2013, {"a": 20}), (2014, {"a": 212})], (("a", "bar"),))
    assert [(gap.first_missing, gap.last_missing) for gap in chart.axis_breaks] == [(2010, 2012)]
    assert chart.groups[0].label_x < chart.axis_breaks[0].x < chart.groups[1].label_x


@pytest.mark.parametrize("tallest", [1, 2, 3, 7, 11, 21, 26, 41, 51, 99, 101, 251, 4310, 7780, 99_999])
def test_the_tallest_bar_reaches_at_least_half_the_plot_height(tallest):
    chart = charts.grouped_bar_chart(
        [(2022, {"registry": tallest // 2}), (2023, {"registry": tallest})], (("registry", "bar-registry"),)
    )
    highest = max(bar.height for group in chart.groups for bar in group.bars)
    assert highest >= chart.plot_height / 2
    ticks = [tick.value for tick in chart.ticks]
    assert ticks == sorted(set(ticks)) and all(isinstance(value, int) for value in ticks)


def test_the_registry_years_run_without_holes_a_year_without_villages_is_a_true_zero():
    assert charts.consecutive_years({2021: 2, 2023: 5}) == [
        (2021, {"registry": 2}),
        (2022, {"registry": 0}),
        (2023, {"registry": 5}),
    ]


@pytest.mark.django_db
def test_the_dashboard_draws_the_registry_on_its_own_scale_and_marks_2023_and_2024_not_published(client, tree):
    for index in range(3):
        village = VillageFactory(township=tree.town, name=f"图表村{index}")
        report_assess(report=AnnualReportFactory(village=village, year=2023, status=AnnualReport.Status.APPROVED))
    response = client.get(reverse("villages:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    registry = response.context["registry_village_chart"]
    bar = registry.groups[-1].bars[0]
    assert bar.value == 3 and bar.height >= registry.plot_height / 2

    published_section = page.split('id="published-series"')[1].split("</section>")[0]
    assert published_section.count('class="not-published" data-year="2023"') == 2  # villages and towns
    assert 'class="not-published" data-year="2024"' in published_section
    assert "not published</text>" in published_section
    assert 'data-missing="2010-2012"' in published_section
    # The accessible table under the chart says it in words, and the unit and legend are there.
    assert "not-published-cell" in published_section
    assert "Unit: Taobao villages" in page
    chinese = client.get(reverse("villages:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "未公布</text>" in chinese
    assert 'aria-describedby="published-table"' in page
