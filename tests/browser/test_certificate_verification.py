"""In a real Chromium: a certificate's QR code, read off its printable page, opens the verification page, which
says "valid"; once the report is reopened the same address says "revoked". No page breaks the CSP."""

import io

import pytest
import zxingcpp
from PIL import Image

from tests.conftest import make_user
from tests.factories import DivisionTreeFactory, VillageFactory
from villages.models import COUNTY_OFFICIALS, REVIEWERS, Certificate
from villages.services.reports import report_approve, report_create, report_reopen, report_submit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline code"));
});
"""


def test_the_qr_code_opens_a_valid_certificate_that_turns_revoked_after_reopening(
    live_server, browser, settings, screenshot
):
    settings.SITE_URL = live_server.url
    tree = DivisionTreeFactory.build_tree()
    official = make_user("caoxian", COUNTY_OFFICIALS, [tree.county])
    reviewer = make_user("heze_reviewer", REVIEWERS, [tree.province])
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村", households=1200)
    report = report_create(
        by=official, village=village, year=2023, ecommerce_sales=15_000_000, active_shops=150, households=1200
    )
    report_submit(report=report, by=official)
    report_approve(report=report, by=reviewer)
    serial = Certificate.objects.get().serial

    page = browser.new_context(locale="en-US").new_page()
    page.set_default_timeout(15_000)
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    page.goto(f"{live_server.url}/certificates/{serial}/")
    assert page.locator(".certificate-sheet h1").inner_text() == "淘宝村证书"
    screenshot(page, "certificate-printable")
    qr = page.locator(".certificate-qr img")
    qr_bytes = page.request.get(live_server.url + qr.get_attribute("src")).body()
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_bytes)))
    verify_url = decoded.text
    assert verify_url == f"{live_server.url}/verify/{serial}/"
    violations = page.evaluate("window.__cspViolations")

    page.goto(verify_url)
    verdict = page.locator(".certificate-check")
    assert verdict.get_attribute("data-state") == "valid"
    assert "is valid" in verdict.inner_text()
    screenshot(page, "certificate-valid")

    report.refresh_from_db()
    report_reopen(report=report, by=reviewer, comment="sales to be checked")
    page.reload()
    verdict = page.locator(".certificate-check")
    assert verdict.get_attribute("data-state") == "revoked"
    assert "was reopened for correction" in verdict.inner_text()
    screenshot(page, "certificate-revoked")

    page.goto(f"{live_server.url}/verify/TBV-2023-0000-0000/")
    assert page.locator("h1").inner_text() == "Certificate not found"
    page.goto(f"{live_server.url}/status-changes/")
    violations += page.evaluate("window.__cspViolations")
    assert violations == []
