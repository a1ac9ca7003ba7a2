"""Certificates: issued on approval, revoked on reopening and on a rescoring loss, re-issued with a new serial;
the verification pages in each state, a forged serial "not found", the PDF and its QR code."""

import io
import re

import pytest
import zxingcpp
from django.test import Client, override_settings
from PIL import Image
from pypdf import PdfReader

from tests.factories import AnnualReportFactory, VillageFactory
from tests.villages.test_rescore import stricter_version_from
from villages.models import AnnualReport, Certificate
from villages.services.certificates import SERIAL_ALPHABET, certificate_serial, certificates_sync
from villages.services.certification import assessments_rescore, report_assess
from villages.services.reports import report_approve, report_create, report_reopen, report_submit

SITE = "https://registry.example.gov.cn"
SERIAL_FORM = re.compile(rf"^TBV-2023-[{SERIAL_ALPHABET}]{{4}}-[{SERIAL_ALPHABET}]{{4}}$")


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, code="371721121227", name="丁楼村", households=1200)


@pytest.fixture
def approve(official, reviewer):
    def approve_report(village, *, year=2023, ecommerce_sales=15_000_000, active_shops=150):
        report = report_create(
            by=official,
            village=village,
            year=year,
            ecommerce_sales=ecommerce_sales,
            active_shops=active_shops,
            households=1200,
        )
        report_submit(report=report, by=official)
        return report_approve(report=report, by=reviewer)

    return approve_report


def english_client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def test_a_serial_is_readable_and_not_guessable():
    serials = {certificate_serial(2023) for _ in range(200)}
    assert len(serials) == 200
    assert all(SERIAL_FORM.match(serial) for serial in serials)


@override_settings(CERTIFICATE_AUTHORITIES={"37": "山东省商务厅"}, CERTIFICATE_AUTHORITY_DEFAULT="登记机关")
def test_approval_issues_a_certificate_from_the_province_authority(village, approve, tree):
    approve(village)
    other = VillageFactory(township=tree.other_town)
    report_assess(report=AnnualReportFactory(village=other, status=AnnualReport.Status.APPROVED))

    certificate = Certificate.objects.get(village=village)
    assert SERIAL_FORM.match(certificate.serial)
    assert (certificate.year, certificate.criteria_set.name) == (2023, "AliResearch 2020 onward")
    assert certificate.issuing_authority == "山东省商务厅"
    assert certificate.revoked_on is None and certificate.state == "valid"
    assert Certificate.objects.get(village=other).issuing_authority == "登记机关"


def test_a_failing_approval_issues_no_certificate(village, approve):
    approve(village, ecommerce_sales=5_000_000)
    assert not Certificate.objects.exists()


def test_reopening_revokes_and_qualifying_again_issues_a_new_serial(village, approve, reviewer, official):
    report = approve(village)
    first = Certificate.objects.get()

    report_reopen(report=report, by=reviewer, comment="sales figure to be checked")
    first.refresh_from_db()
    assert first.state == "revoked"
    assert first.revoked_reason == Certificate.RevokedReason.REPORT_REOPENED
    assert first.revoked_on is not None

    report.refresh_from_db()
    report_submit(report=report, by=official)
    report_approve(report=report, by=reviewer)
    second = Certificate.objects.get(revoked_on__isnull=True)
    assert second.serial != first.serial
    assert Certificate.objects.count() == 2
    old_page = english_client().get(f"/verify/{first.serial}/").content.decode()
    assert 'data-state="revoked"' in old_page
    assert f'A new certificate was issued for this village and year: <a href="/verify/{second.serial}/">' in old_page


def test_a_rescoring_that_takes_the_status_away_revokes_the_certificate(tree):
    reports = [
        AnnualReportFactory(village=VillageFactory(township=tree.town), status=AnnualReport.Status.APPROVED,
                            ecommerce_sales=sales)
        for sales in (10_500_000, 12_000_000)
    ]
    summary = assessments_rescore(years=[2023])
    assert summary.assessed == 2
    assert Certificate.objects.filter(revoked_on__isnull=True).count() == 2

    stricter_version_from(2023)
    assessments_rescore(years=[2023])
    lost = Certificate.objects.get(village=reports[0].village)
    assert (lost.state, lost.revoked_reason) == ("revoked", Certificate.RevokedReason.STATUS_LOST)
    kept = Certificate.objects.get(village=reports[1].village)
    assert kept.state == "valid"
    # Synchronising again changes nothing: one valid certificate per qualified assessment.
    assert certificates_sync(years=[2023]) == (0, 0)


def test_issuing_for_many_villages_costs_the_same_few_queries(tree, django_assert_max_num_queries):
    for _ in range(30):
        AnnualReportFactory(village=VillageFactory(township=tree.town), status=AnnualReport.Status.APPROVED)
    assessments_rescore(years=[2023])
    Certificate.objects.all().delete()
    with django_assert_max_num_queries(4):  # revoke, what to issue, the insert, nothing left to issue
        changes = certificates_sync(years=[2023])
    assert changes.issued == 30
    assert len(set(Certificate.objects.values_list("serial", flat=True))) == 30


@override_settings(SITE_URL=SITE)
def test_the_verification_page_says_valid_then_revoked_with_date_and_reason(village, approve, reviewer):
    report = approve(village)
    serial = Certificate.objects.get().serial
    page = english_client().get(f"/verify/{serial}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-state="valid"' in text and f"Certificate {serial} is valid." in text
    assert "丁楼村" in text and "371721121227" in text
    assert "official" not in text and "reviewer" not in text  # no person appears

    report_reopen(report=report, by=reviewer, comment="check")
    text = english_client().get(f"/verify/{serial}/").content.decode()
    revoked = Certificate.objects.get()
    assert 'data-state="revoked"' in text
    assert f"was revoked on {revoked.revoked_on:%Y-%m-%d}" in text
    assert "the annual report it rests on was reopened for correction" in text
    assert "check" not in text.split("Reason:")[1].split("</p>")[0]  # the reviewer's comment stays private


@pytest.mark.parametrize(
    "serial", ["TBV-2023-AAAA-BBBB", "tbv-2023-0000-0000", "nonsense", "x" * 300, "'%3B--", "TBV-2023-%00AA-BBBB"]
)
def test_a_forged_or_malformed_serial_answers_not_found(db, serial):
    page = english_client().get(f"/verify/{serial}/")
    assert page.status_code == 404
    assert "Certificate not found" in page.content.decode()
    assert english_client().get(f"/certificates/{serial}/certificate.pdf").status_code == 404


def test_a_serial_typed_in_lower_case_still_verifies(village, approve):
    approve(village)
    serial = Certificate.objects.get().serial
    assert english_client().get(f"/verify/{serial.lower()}/").status_code == 200


def test_lookup_by_village_and_year(village, approve):
    approve(village)
    found = english_client().get("/verify/", {"village": village.code, "year": 2023})
    assert found.status_code == 200 and 'data-state="valid"' in found.content.decode()
    missing = english_client().get("/verify/", {"village": village.code, "year": 2022})
    assert missing.status_code == 404
    assert "No certificate was issued to village 371721121227 for 2022." in missing.content.decode()
    bad = english_client().get("/verify/", {"village": "12ab", "year": "1800"})
    assert bad.status_code == 400
    assert "A village code has exactly 12 digits." in bad.content.decode()
    assert english_client().get("/verify/").status_code == 200


@override_settings(SITE_URL=SITE)
def test_the_pdf_parses_carries_the_serial_and_a_qr_code_of_the_verification_url(village, approve):
    approve(village)
    serial = Certificate.objects.get().serial
    response = english_client().get(f"/certificates/{serial}/certificate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert serial in page.extract_text()
    assert reader.metadata.subject == serial
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842  # A4
    fonts = {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert "/STSong-Light" in fonts

    (image,) = page.images
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)).convert("L"))
    assert [barcode.text for barcode in decoded] == [f"{SITE}/verify/{serial}/"]


@override_settings(SITE_URL=SITE)
def test_the_printable_page_is_chinese_a4_with_a_qr_code_of_the_verification_url(village, approve):
    approve(village)
    serial = Certificate.objects.get().serial
    page = english_client().get(f"/certificates/{serial}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "淘宝村证书" in text and serial in text and "css/certificate.css" in text
    qr = english_client().get(f"/certificates/{serial}/qr.png")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.content)))
    assert [barcode.text for barcode in decoded] == [f"{SITE}/verify/{serial}/"]


def test_the_admin_lists_certificates_read_only_and_only_in_the_staff_members_area(tree, client):
    from tests.conftest import make_user
    from villages.models import REVIEWERS

    for township in (tree.town, tree.other_town):
        report_assess(report=AnnualReportFactory(village=VillageFactory(township=township),
                                                 status=AnnualReport.Status.APPROVED))
    client.force_login(make_user("staff_reviewer", REVIEWERS, [tree.province], is_staff=True))
    changelist = client.get("/admin/villages/certificate/")
    assert changelist.status_code == 200
    assert [certificate.village.code[:2] for certificate in changelist.context["cl"].result_list] == ["37"]
    assert client.get("/admin/villages/certificate/add/").status_code == 403
    outside = Certificate.objects.get(village__code__startswith="32")
    assert client.get(f"/admin/villages/certificate/{outside.pk}/change/").status_code == 302
