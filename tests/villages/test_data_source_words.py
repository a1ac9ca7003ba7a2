"""Where the scored figures came from, in the public words: "declared", or "declared, checked against platform
data (difference …)" — worded from the assessment's `input_sources`, in the status-change log (API and page)
and on the certificate (printable page, PDF, verification), in Chinese and English, for approved data only."""

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from tests.factories import AnnualReportFactory, VillageFactory
from tests.feed_factories import FeedBatchFactory, PlatformShopYearFactory
from villages.models import AnnualReport, Certificate
from villages.services.certification import report_assess
from villages.services.reports import report_approve, report_create, report_reopen, report_submit
from villages.status_reasons import SOURCE_CHECKED, SOURCE_DECLARED, data_source

APPROVED = AnnualReport.Status.APPROVED
CHECKED_EN = "declared, checked against platform data (sales: difference 3 %; active shops: difference 50 %)"
CHECKED_ZH = "申报数据，已与平台数据核对（销售额差异 3%；活跃网店数差异 50%）"


def english():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def chinese():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, households=1200)


def feed(village, *, shops=100, sales=150_000, year=2023):
    """The platform's data for the village: `shops` active shops of `sales` each (15 million, 100 shops)."""
    batch = FeedBatchFactory(year=year)
    for _ in range(shops):
        PlatformShopYearFactory(village=village, year=year, sales=sales, batch=batch)


def gained(village, **figures):
    AnnualReportFactory(village=village, year=2022, status=APPROVED, ecommerce_sales=1_000_000, active_shops=5)
    report = AnnualReportFactory(village=village, year=2023, status=APPROVED, **figures)
    return report_assess(report=report)


def test_the_words_from_the_recorded_sources():
    assert data_source({}) == data_source(None) == data_source("junk")
    assert data_source({}).code == SOURCE_DECLARED and data_source({}).text == "declared"
    unchecked = {"source": "declared", "check": "unchecked", "platform": None, "difference_percent": None}
    assert data_source({"ecommerce_sales": unchecked, "active_shops": unchecked}).code == SOURCE_DECLARED
    checked = {"ecommerce_sales": {"source": "declared", "check": "checked", "difference_percent": -2.5},
               "active_shops": unchecked, "households": unchecked}
    words = data_source(checked)
    assert words.code == SOURCE_CHECKED and words.differences == {"ecommerce_sales": -2.5}
    assert words.text == "declared, checked against platform data (sales: difference -2.5 %)"
    zero = {"active_shops": {"check": "checked", "difference_percent": None}}
    assert data_source(zero).text == (
        "declared, checked against platform data (active shops: no percentage, the platform figure is 0)")
    assert data_source({"ecommerce_sales": {"check": "checked", "difference_percent": True}}).differences == {
        "ecommerce_sales": None}


def test_the_status_change_log_says_declared_and_checked_against_the_platform(village, tree):
    feed(village)
    gained(village, ecommerce_sales=15_450_000, active_shops=150, households=1200)
    plain = VillageFactory(township=tree.town, households=1200)
    gained(plain, ecommerce_sales=15_000_000, active_shops=150, households=1200)

    entries = {entry["village"]: entry for entry in english().get("/api/v1/status-changes/").json()["results"]}
    checked, declared = entries[village.code], entries[plain.code]
    assert checked["data_source_code"] == "checked" and checked["data_source"] == CHECKED_EN
    assert checked["platform_difference_percent"] == {"ecommerce_sales": 3.0, "active_shops": 50.0}
    assert (declared["data_source_code"], declared["data_source"]) == ("declared", "declared")
    assert declared["platform_difference_percent"] == {}
    zh = {entry["village"]: entry for entry in chinese().get("/api/v1/status-changes/").json()["results"]}
    assert zh[village.code]["data_source"] == CHECKED_ZH and zh[plain.code]["data_source"] == "申报数据"

    page = chinese().get("/status-changes/").content.decode()
    assert CHECKED_ZH in page and 'data-source="checked"' in page and 'data-source="declared"' in page
    assert CHECKED_EN in english().get("/status-changes/").content.decode()


@pytest.fixture
def approve(official, reviewer):
    def approve_report(village, **figures):
        report = report_create(by=official, village=village, year=2023, households=1200, **figures)
        report_submit(report=report, by=official)
        return report_approve(report=report, by=reviewer)

    return approve_report


def test_the_certificate_says_checked_against_platform_data_on_its_page_pdf_and_verification(village, approve):
    feed(village)
    approve(village, ecommerce_sales=15_450_000, active_shops=150)
    serial = Certificate.objects.get().serial

    sheet = english().get(f"/certificates/{serial}/").content.decode()
    assert CHECKED_ZH in sheet and 'data-source="checked"' in sheet  # the sheet is Chinese whatever the request
    assert CHECKED_EN in english().get(f"/verify/{serial}/").content.decode()
    assert CHECKED_ZH in chinese().get(f"/verify/{serial}/").content.decode()
    lookup = english().get("/verify/", {"village": village.code, "year": 2023}).content.decode()
    assert CHECKED_EN in lookup

    pdf = PdfReader(io.BytesIO(english().get(f"/certificates/{serial}/certificate.pdf").content))
    text = pdf.pages[0].extract_text().replace(" ", "").replace("\n", "")
    assert CHECKED_ZH.replace(" ", "") in text


def test_a_certificate_without_platform_data_says_declared_only(village, approve):
    approve(village, ecommerce_sales=15_000_000, active_shops=150)
    serial = Certificate.objects.get().serial
    verify = english().get(f"/verify/{serial}/").content.decode()
    assert 'data-source="declared"' in verify and "checked against platform data" not in verify
    sheet = english().get(f"/certificates/{serial}/").content.decode()
    assert 'data-source="declared"' in sheet and "已与平台数据核对" not in sheet
    pdf = PdfReader(io.BytesIO(english().get(f"/certificates/{serial}/certificate.pdf").content))
    text = pdf.pages[0].extract_text().replace(" ", "")
    assert "申报数据" in text and "已与平台数据核对" not in text


def test_a_revoked_certificate_no_longer_vouches_for_its_figures(village, approve, official, reviewer):
    feed(village)
    report = approve(village, ecommerce_sales=15_450_000, active_shops=150)
    serial = Certificate.objects.get().serial
    report_reopen(report=report, by=reviewer, comment="recount")
    verify = english().get(f"/verify/{serial}/").content.decode()
    assert "Revoked" in verify and 'data-source="' not in verify
    assert 'data-source="' not in english().get(f"/certificates/{serial}/").content.decode()
