"""The statistics portal in a real browser: the dashboard filtered to one province, its chart's data as CSV."""

import csv
import io

import pytest

from tests.factories import AnnualReportFactory, DivisionTreeFactory, VillageFactory
from villages.models import AnnualReport
from villages.services.certification import report_assess

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_dashboard_filtered_to_one_province_downloads_its_chart_as_csv(browser, live_server, tmp_path):
    tree = DivisionTreeFactory.build_tree()
    for township, name in (
        (tree.town, "浏览器村"),
        (tree.second_county_town, "单县浏览器村"),
        (tree.other_town, "江苏村"),
    ):
        village = VillageFactory(township=township, name=name)
        report_assess(report=AnnualReportFactory(village=village, year=2023, status=AnnualReport.Status.APPROVED))
    context = browser.new_context(locale="en-US", accept_downloads=True, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/dashboard/")
    page.select_option("#public-province", "370000")
    page.click(".public-filters button[type=submit]")
    page.wait_for_url("**/dashboard/?*province=370000*")

    assert page.is_visible("h1 >> text=Taobao villages in 山东省")
    assert page.locator("#certified-table tbody tr").count() == 2
    with page.expect_download() as download_info:
        page.click("#chart-villages [data-table-downloads] >> text=CSV")
    download = download_info.value
    assert "province=370000" in download.url
    path = tmp_path / "chart.csv"
    download.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows == [["Year", "Taobao villages (registry)"], ["2023", "2"]]

    # At a phone's width the chart keeps its labels readable: it scrolls rather than shrinking them.
    font_size = page.eval_on_selector("#chart-villages svg text", "t => getComputedStyle(t).fontSize")
    width = page.eval_on_selector("#chart-villages svg", "svg => svg.getBoundingClientRect().width")
    assert width * 16 / 860 >= 11, (font_size, width)
    context.close()
