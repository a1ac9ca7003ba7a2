"""Evidence and discussion in Chromium: the county attaches a file on the report page, a reviewer downloads it
and comments, and a disguised file is refused with the reason beside the field."""

import pytest

from tests.conftest import make_user
from tests.factories import AnnualReportFactory, DivisionTreeFactory, VillageFactory
from tests.villages.evidence_files import EXE_BYTES, PNG_BYTES
from villages.models import COUNTY_OFFICIALS, REVIEWERS, ReportAttachment, ReportComment

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-pass-123"


@pytest.fixture
def report():
    tree = DivisionTreeFactory.build_tree()
    make_user("caoxian", COUNTY_OFFICIALS, [tree.county])
    make_user("heze_reviewer", REVIEWERS, [tree.province])
    return AnnualReportFactory(village=VillageFactory(township=tree.town, name="丁楼村"))


def open_page(browser, live_server, username, path):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{path}")
    return page


def test_the_county_attaches_evidence_and_the_reviewer_downloads_it_and_comments(
    live_server, browser, report, screenshot
):
    path = f"/reports/{report.pk}/"
    clerk = open_page(browser, live_server, "caoxian", path)

    clerk.set_input_files("#id_attachment-file", files=[
        {"name": "setup.pdf", "mimeType": "application/pdf", "buffer": EXE_BYTES}])
    clerk.click("#evidence button[type=submit]")
    assert "a renamed program or web page is refused" in clerk.inner_text("#field-attachment-file")
    clerk.set_input_files("#id_attachment-file", files=[
        {"name": "店铺截图.png", "mimeType": "image/png", "buffer": PNG_BYTES}])
    clerk.click("#evidence button[type=submit]")
    clerk.wait_for_selector("#evidence table")
    assert "店铺截图.png" in clerk.inner_text("#evidence")
    screenshot(clerk, "evidence_county")

    reviewer = open_page(browser, live_server, "heze_reviewer", path)
    assert reviewer.locator("#id_attachment-file").count() == 0
    with reviewer.expect_download() as download_info:
        reviewer.click("#evidence a:has-text('店铺截图.png')")
    download = download_info.value
    assert download.suggested_filename == "店铺截图.png"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == PNG_BYTES
    reviewer.fill("#id_comment-text", "<b>请补充</b> the platform statement")
    reviewer.click("#discussion button[type=submit]")
    reviewer.wait_for_selector("#discussion li:has-text('the platform statement')")
    assert "<b>请补充</b>" in reviewer.inner_text("#discussion")
    screenshot(reviewer, "evidence_reviewer")

    assert ReportAttachment.objects.get().content_type == "image/png"
    assert ReportComment.objects.get().author.username == "heze_reviewer"
