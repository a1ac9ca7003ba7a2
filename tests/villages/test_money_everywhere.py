"""One money format everywhere: notification e-mails, review warnings, and export headers that name the unit."""

import datetime

import pytest
from django.utils import timezone, translation

from tests.factories import AnnualReportFactory, VillageFactory
from villages.exports.sources import EXPORT_SOURCES
from villages.models import AnnualReport, ReportingWindow
from villages.selectors.review import report_warnings
from villages.services.reports import report_create, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(db):
    today = timezone.localdate()
    return ReportingWindow.objects.create(
        year=2023, opens_on=today - datetime.timedelta(days=5), closes_on=today + datetime.timedelta(days=5)
    )


@pytest.mark.parametrize(("language", "shown"), [("en", "E-commerce sales: RMB 11,700,000"), ("zh-hans", "1,170 万元")])
def test_the_submission_email_shows_the_amount_in_the_one_money_format(
    tree, official, reviewer, window, mailoutbox, django_capture_on_commit_callbacks, language, shown
):
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    report = report_create(
        by=official, village=village, year=2023, ecommerce_sales=11_700_000, active_shops=150, households=1200
    )

    with translation.override(language), django_capture_on_commit_callbacks(execute=True):
        report_submit(report=report, by=official)

    body = mailoutbox[0].body
    assert shown in body
    assert "11700000" not in body


def test_the_sales_jump_warning_shows_money_not_raw_integers(tree):
    village = VillageFactory(township=tree.town)
    AnnualReportFactory(village=village, year=2022, ecommerce_sales=2_000_000, status=AnnualReport.Status.APPROVED)
    report = AnnualReportFactory(village=village, year=2023, ecommerce_sales=11_800_000)

    (warning,) = [warning for warning in report_warnings(report) if warning.key == "sales_jump"]

    assert "RMB 11,800,000" in warning.message and "RMB 2,000,000" in warning.message


def test_every_money_column_of_the_exports_names_its_unit():
    money_fields = {"ecommerce_sales", "sales"}
    columns = [column for source in EXPORT_SOURCES.values() for column in source.columns]
    money_columns = [column for column in columns if column.path.split("__")[-1] in money_fields]
    assert money_columns
    for column in money_columns:
        assert "yuan" in column.header.english and "元" in column.header.chinese
