"""Fixtures for the villages tests: the full official division list, loaded once per test module."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from tests.conftest import make_user
from tests.factories import (
    AnnualReportFactory,
    AssessmentFactory,
    CountyOperationCenterFactory,
    JurisdictionAssignmentFactory,
    OnlineShopFactory,
    ReportingWindowFactory,
    ReviewEventFactory,
    ServiceActivityFactory,
    ServicePointFactory,
    ShopYearFactory,
    TaobaoTownFactory,
    VillageClusterFactory,
    VillageFactory,
)
from tests.feed_factories import PlatformShopYearFactory
from villages.models import (
    Division,
    ImportJob,
    Notification,
    OutboundMail,
    ProvinceApprovalPolicy,
    ReportAttachment,
    ReportComment,
    ReportingReminder,
    ReportingTrack,
    TownshipConversion,
    TownshipPoint,
    TownshipReport,
    VillageConversion,
)
from villages.services.certificates import certificates_sync
from villages.services.inbox import notifications_record, report_facts


def delete_all_divisions():
    """Empty the division table in one statement (the ORM would check 41,934 rows for protected children)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Division._meta.db_table}")


def run_load_divisions() -> str:
    output = io.StringIO()
    call_command("load_divisions", stdout=output)
    return output.getvalue()


@pytest.fixture(scope="module")
def official_divisions(django_db_setup, django_db_blocker):
    """All 41,934 MCA divisions, committed for the module's tests and removed afterwards."""
    with django_db_blocker.unblock():
        run_load_divisions()
    yield
    with django_db_blocker.unblock():
        delete_all_divisions()


@pytest.fixture
def one_of_everything(tree):
    """One record of every model the admin lists, linked as the registry links them; the village."""
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    shop = OnlineShopFactory(village=village)
    ShopYearFactory(shop=shop)
    report = AnnualReportFactory(village=village)
    ReviewEventFactory(report=report)
    attachment = ReportAttachment(report=report, name="statement.pdf", content_type="application/pdf", size=9,
                                  sha256="0" * 64, uploaded_by=make_user("county_clerk"))
    attachment.file.save("statement.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    comment = ReportComment.objects.create(report=report, author=attachment.uploaded_by, text="see the statement")
    notifications_record(
        recipient_ids=[make_user("reviewer_told").pk], kind=Notification.Kind.COMMENT,
        params={**report_facts(report, comment.author), "comment": comment.text}, report=report,
    )
    ReportingWindowFactory(year=2023)
    JurisdictionAssignmentFactory(division=tree.county)
    AssessmentFactory(village=village, report=report)
    certificates_sync(years=[2023])
    TaobaoTownFactory(township=tree.town)
    VillageClusterFactory().villages.add(village)
    centre = CountyOperationCenterFactory(county=tree.county)
    ServiceActivityFactory(point=ServicePointFactory(village=village, county_center=centre))
    ImportJob.objects.create(
        uploaded_by=make_user("uploader"), kind="villages", file="imports/v.csv", file_name="v.csv"
    )
    OutboundMail.objects.create(
        recipient="official@example.gov.cn", subject="s", body="b", report=report, next_attempt_at=report.created_at
    )
    ReportingTrack.objects.create(village=village, year=2023)
    ReportingReminder.objects.create(recipient=make_user("reminded"), year=2023, closes_on=datetime.date(2023, 10, 31),
                                     village_codes=[village.code])
    VillageConversion.objects.create(
        village=village,
        effective_on=datetime.date(2021, 6, 1),
        old_code="371721121201",
        new_code=village.code,
        old_committee_type="village_committee",
        new_committee_type="village_committee",
    )
    TownshipPoint.objects.create(township=tree.town, latitude=35, longitude=115.6)
    PlatformShopYearFactory(village=village)
    TownshipReport.objects.create(township=tree.town, year=2023, ecommerce_sales=40_000_000, active_shops=400)
    TownshipConversion.objects.create(
        township=tree.subdistrict,
        effective_on=datetime.date(2021, 1, 1),
        old_code="371721104",
        new_code=tree.subdistrict.code,
        old_kind="town",
        new_kind="subdistrict",
    )
    ProvinceApprovalPolicy.objects.create(province=tree.other_province, levels=1)
    return village
