"""Before the county submits: the expected result and its gaps, the registered shops' figures (prefilled and
shown), the warnings, and the acknowledgement a difference from the registered active shops takes."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import AnnualReportFactory, OnlineShopFactory, ShopYearFactory, VillageFactory
from tests.villages.test_scoring import RULES_2020
from villages import codes
from villages.expected_result import expected_result
from villages.models import AnnualReport, CriteriaSet, ReportingWindow, VillageConversion
from villages.scoring import VillageInputs, is_active_shop
from villages.selectors.expected_result import expected_result_of
from villages.selectors.registered_figures import registered_figures


def expected(sales=10_000_000, shops=100, households=5000, committee_type=codes.VILLAGE_COMMITTEE):
    inputs = VillageInputs(committee_type, ecommerce_sales=sales, active_shops=shops, households=households)
    return expected_result(year=2023, criteria_name="2020", criteria=RULES_2020, inputs=inputs)


# The pure expected result, at the scoring tests' boundaries (no database).


def test_figures_exactly_at_the_thresholds_are_expected_to_qualify():
    result = expected(sales=10_000_000, shops=100)
    assert result.qualified
    assert result.line("sales").text == "sales RMB 10,000,000: reaches RMB 10,000,000"
    assert result.line("shops").text == "active shops 100: reach 100"
    assert result.line("location").text == "location: a village committee, eligible"


def test_one_yuan_under_the_sales_threshold_is_expected_to_fail_by_one_yuan():
    result = expected(sales=9_999_999)
    assert not result.qualified
    sales = result.line("sales")
    assert not sales.passed and sales.gap == 1
    assert sales.text == "sales RMB 9,999,999: RMB 1 short of RMB 10,000,000"


def test_the_issues_example_gives_both_routes_of_the_shop_gap():
    result = expected(sales=8_200_000, shops=95, households=1200)
    assert result.line("sales").text == "sales RMB 8,200,000: RMB 1,800,000 short of RMB 10,000,000"
    assert result.line("shops").text == "active shops 95: 5 short of 100, or 10 % of households (120)"
    assert not result.qualified


def test_99_shops_in_990_households_are_expected_to_pass_by_share():
    result = expected(shops=99, households=990)
    assert result.qualified
    assert result.line("shops").text == "active shops 99: reach 10 % of households (99)"


def test_99_shops_in_991_households_are_one_short_both_ways():
    shops = expected(shops=99, households=991).line("shops")
    assert not shops.passed and shops.gap == 1
    assert shops.text == "active shops 99: 1 short of 100, or 10 % of households (100)"


def test_a_neighbourhood_committee_is_expected_to_fail_the_location_from_2020():
    result = expected(sales=50_000_000, shops=500, committee_type=codes.NEIGHBOURHOOD_COMMITTEE)
    assert not result.qualified
    assert result.line("location").text == (
        "location: a neighbourhood committee in 2023, not eligible under this year's criteria"
    )


def test_the_expected_result_reads_in_chinese():
    with translation.override("zh-hans"):
        result = expected(sales=8_200_000, shops=95, households=1200)
        assert result.line("sales").text == "销售额 820 万元：距 1,000 万元 还差 180 万元"
        assert result.line("shops").text == "活跃网店 95 家：距 100 家还差 5 家，或占户数的 10%（120 家）"


# Loading: the year's criteria, the committee type as of the year, and the registered shops.

@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, households=800)


@pytest.fixture
def open_window(db):
    today = datetime.date.today()
    for year in range(2019, today.year + 1):
        ReportingWindow.objects.create(
            year=year, opens_on=today - datetime.timedelta(days=30), closes_on=today + datetime.timedelta(days=30)
        )


def register_shops(village, year=2023, active=0, inactive=0, sales=100_000):
    for _ in range(active):
        ShopYearFactory(shop=OnlineShopFactory(village=village), year=year, sales=sales,
                        days_open=365, orders_last_3_months=30)
    for _ in range(inactive):
        ShopYearFactory(shop=OnlineShopFactory(village=village), year=year, sales=sales,
                        days_open=365, orders_last_3_months=2)


@pytest.mark.django_db
def test_registered_active_shops_follow_the_pure_rule_on_its_boundaries(village):
    grid = list(itertools.product((29, 30, 59, 60, 89, 90, 366), (0, 1, 2, 3, 4)))
    for days_open, orders in grid:
        ShopYearFactory(shop=OnlineShopFactory(village=village), year=2023, sales=1000,
                        days_open=days_open, orders_last_3_months=orders)
    ShopYearFactory(shop=OnlineShopFactory(village=village), year=2022, days_open=365, orders_last_3_months=30)
    figures = registered_figures(village_id=village.pk, year=2023)
    expected_active = sum(is_active_shop(days_open=d, orders_last_3_months=o) for d, o in grid)
    assert 0 < expected_active < len(grid)
    assert figures.active_shops == expected_active
    assert figures.shop_years == len(grid)
    assert figures.ecommerce_sales == 1000 * len(grid)


@pytest.mark.django_db
def test_the_committee_type_as_of_the_year_decides_the_location(tree):
    # Now a neighbourhood committee (0xx), converted in 2024 from a village committee: 2023 still counts.
    community = VillageFactory(township=tree.town, code=f"{tree.town.code}005")
    assert community.committee_type == codes.NEIGHBOURHOOD_COMMITTEE
    VillageConversion.objects.create(
        village=community, effective_on=datetime.date(2024, 3, 1), old_code=f"{tree.town.code}205",
        new_code=community.code, old_committee_type=codes.VILLAGE_COMMITTEE,
        new_committee_type=codes.NEIGHBOURHOOD_COMMITTEE,
    )
    figures = {"ecommerce_sales": 12_000_000, "active_shops": 120, "households": 800}
    assert expected_result_of(village=community, year=2023, **figures).qualified
    assert not expected_result_of(village=community, year=2024, **figures).qualified


@pytest.mark.django_db
def test_no_criteria_version_for_the_year_gives_no_expected_result(village):
    first_year = CriteriaSet.objects.order_by("first_year").values_list("first_year", flat=True).first()
    figures = {"ecommerce_sales": 1, "active_shops": 1, "households": 1}
    assert expected_result_of(village=village, year=first_year - 1, **figures) is None


# The pages.


@pytest.mark.django_db
def test_a_new_report_is_prefilled_with_the_registered_shops_figures(client_for, official, village):
    register_shops(village, year=2023, active=7, inactive=3, sales=200_000)
    response = client_for(official).get(reverse("villages:report_create", args=[village.code]) + "?year=2023")
    form = response.context["form"]
    assert form.initial["active_shops"] == 7
    assert form.initial["ecommerce_sales"] == 2_000_000
    assert form.initial["year"] == 2023
    assert "Registered shops say for 2023: 7 active, RMB 2,000,000 sales." in response.content.decode()


@pytest.mark.django_db
def test_a_new_report_without_registered_shops_is_not_prefilled(client_for, official, village):
    response = client_for(official).get(reverse("villages:report_create", args=[village.code]) + "?year=2023")
    assert "active_shops" not in response.context["form"].initial
    assert "No shop figures are registered for this village for 2023." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["abcd", "99999", "1900", "２０２３", ""])
def test_a_bad_prefill_year_falls_back_to_the_season(client_for, official, village, year):
    response = client_for(official).get(reverse("villages:report_create", args=[village.code]), {"year": year})
    assert response.status_code == 200
    assert response.context["form"].initial["year"] == datetime.date.today().year


@pytest.mark.django_db
def test_the_edit_form_shows_registered_figures_expected_result_and_warnings(client_for, official, village):
    register_shops(village, active=95)
    report = AnnualReportFactory(village=village, ecommerce_sales=8_200_000, active_shops=120, households=1200)
    page = client_for(official).get(reverse("villages:report_edit", args=[report.pk])).content.decode()
    assert "Registered shops say for 2023: 95 active" in page
    assert "would not qualify" in page
    assert "sales RMB 8,200,000: RMB 1,800,000 short of RMB 10,000,000" in page
    assert "but the shops registered for this village give 95 active shops in 2023" in page


def _submit_page(report):
    return reverse("villages:report_submit", args=[report.pk])


@pytest.mark.django_db
def test_a_difference_from_the_registered_shops_must_be_acknowledged(client_for, official, village, open_window):
    register_shops(village, active=100)
    report = AnnualReportFactory(village=village, active_shops=120)
    client = client_for(official)
    page = client.get(_submit_page(report))
    assert 'name="acknowledge_warnings"' in page.content.decode()
    refused = client.post(_submit_page(report), {"confirmed": "yes"})
    assert refused.status_code == 400
    assert "Tick this box to submit despite the difference" in refused.content.decode()
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DRAFT
    client.post(_submit_page(report), {"confirmed": "yes", "acknowledge_warnings": "on"})
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize("registered_active", [120, None])
def test_no_acknowledgement_without_a_difference(client_for, official, village, open_window, registered_active):
    if registered_active:
        register_shops(village, active=registered_active, inactive=5)
    report = AnnualReportFactory(village=village, active_shops=120)
    client = client_for(official)
    assert 'name="acknowledge_warnings"' not in client.get(_submit_page(report)).content.decode()
    client.post(_submit_page(report), {"confirmed": "yes"})
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.SUBMITTED


@pytest.mark.django_db
def test_the_submit_confirmation_reads_in_chinese(client_for, official, village, open_window):
    register_shops(village, active=100)
    report = AnnualReportFactory(village=village, ecommerce_sales=8_200_000, active_shops=120)
    client = client_for(official)
    page = client.get(_submit_page(report), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "按 2023 年标准" in page and "不能认定为淘宝村" in page
    assert "销售额 820 万元：距 1,000 万元 还差 180 万元" in page
    refused = client.post(_submit_page(report), {"confirmed": "yes"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "要在与登记网店有差异的情况下提交，请勾选此框" in refused.content.decode()


@pytest.mark.django_db
def test_another_countys_official_sees_no_submit_page(client_for, other_official, village):
    report = AnnualReportFactory(village=village)
    assert client_for(other_official).get(_submit_page(report)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("shops", [3, 40])
def test_the_report_pages_run_a_constant_number_of_queries(
    client_for, official, village, django_assert_num_queries, shops
):
    register_shops(village, active=shops, inactive=2)
    report = AnnualReportFactory(village=village)
    client = client_for(official)
    client.get(reverse("villages:report_edit", args=[report.pk]))  # the first request of a session writes it
    with django_assert_num_queries(EDIT_FORM_QUERIES):
        client.get(reverse("villages:report_edit", args=[report.pk]))
    with django_assert_num_queries(SUBMIT_PAGE_QUERIES):
        client.get(_submit_page(report))
    with django_assert_num_queries(NEW_FORM_QUERIES):
        client.get(reverse("villages:report_create", args=[village.code]) + "?year=2023")


# Session, user, and the groups and area in one read (3), the report, the registered figures (1), the reviewer's
# warnings with the platforms' figures (3), the expected result (3); the confirmation also reads the
# reconciliation card (1). A new form: the village and the registered figures.
EDIT_FORM_QUERIES = 11
SUBMIT_PAGE_QUERIES = 12
NEW_FORM_QUERIES = 5


@pytest.mark.django_db
def test_a_reviewer_confirming_a_submission_is_refused_by_the_service_not_asked_for_a_tick(
    client_for, reviewer, village, open_window
):
    register_shops(village, active=100)
    report = AnnualReportFactory(village=village, active_shops=120)
    response = client_for(reviewer).post(_submit_page(report), {"confirmed": "yes"}, follow=True)
    assert response.redirect_chain and "acknowledge_warnings" not in response.content.decode()
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DRAFT
