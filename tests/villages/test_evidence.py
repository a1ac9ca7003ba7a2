"""A report's evidence and discussion: content checks, who may upload, read, delete and comment, web pages."""

import hashlib
import io
import threading
import time
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_user
from tests.factories import AnnualReportFactory, VillageFactory
from tests.villages.evidence_files import (
    EXE_BYTES,
    HTML_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    upload,
    xlsx_bytes,
    zip_without_workbook_bytes,
)
from villages import evidence_types
from villages.models import COUNTY_OFFICIALS, AnnualReport, ReportAttachment, ReportComment
from villages.services import evidence as evidence_services
from villages.services.errors import ConflictError
from villages.services.evidence import attachment_delete, attachment_upload, comment_add
from villages.services.reports import report_approve, report_delete, report_submit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def report(tree):
    return AnnualReportFactory(village=VillageFactory(township=tree.town))


@pytest.fixture
def other_report(tree):
    return AnnualReportFactory(village=VillageFactory(township=tree.other_town))


def attach(report, by, name="statement.pdf", content=PDF_BYTES):
    return attachment_upload(report=report, by=by, uploaded_file=upload(name, content))


def download_url(attachment):
    return reverse("villages:report_attachment", args=[attachment.report_id, attachment.pk])


# The content decides, not the name.


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF_BYTES, evidence_types.PDF), (PNG_BYTES, evidence_types.PNG), (JPEG_BYTES, evidence_types.JPEG)],
)
def test_each_signature_is_recognised_by_its_bytes(content, expected):
    assert evidence_types.sniff_content_type(io.BytesIO(content)) == expected


def test_an_xlsx_workbook_is_recognised_and_other_zip_archives_are_not():
    assert evidence_types.sniff_content_type(io.BytesIO(xlsx_bytes())) == evidence_types.XLSX
    assert evidence_types.sniff_content_type(io.BytesIO(zip_without_workbook_bytes())) is None
    assert evidence_types.sniff_content_type(io.BytesIO(b"PK\x03\x04 broken archive")) is None


@pytest.mark.parametrize("content", [EXE_BYTES, HTML_BYTES, b"", b"plain text"])
def test_anything_else_is_not_recognised(content):
    assert evidence_types.sniff_content_type(io.BytesIO(content)) is None


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("statement.pdf", PDF_BYTES, evidence_types.PDF),
        ("screenshot.png", PNG_BYTES, evidence_types.PNG),
        ("photo.jpeg", JPEG_BYTES, evidence_types.JPEG),
        ("shops.xlsx", xlsx_bytes(), evidence_types.XLSX),
        # A misnamed file is stored as what its content is, and under a name of the registry's own.
        ("screenshot.pdf", PNG_BYTES, evidence_types.PNG),
    ],
)
def test_the_county_attaches_each_accepted_kind_typed_by_its_content(report, official, name, content, expected):
    attachment = attach(report, official, name, content)

    attachment.refresh_from_db()
    assert attachment.content_type == expected
    assert attachment.name == name
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by == official
    assert attachment.file.name.endswith("." + evidence_types.EXTENSIONS[expected])
    assert name not in attachment.file.name
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(("name", "content"), [("evidence.pdf", EXE_BYTES), ("photo.png", HTML_BYTES)])
def test_a_renamed_program_or_web_page_is_refused_with_the_reason(report, official, name, content):
    with pytest.raises(ValidationError) as refusal:
        attach(report, official, name, content)

    assert "not a PDF, PNG, JPEG or XLSX file" in refusal.value.message_dict["file"][0]
    assert "a renamed program or web page is refused" in refusal.value.message_dict["file"][0]
    assert not ReportAttachment.objects.exists()


def test_a_file_over_the_limit_is_refused(report, official, settings):
    settings.ATTACHMENT_MAX_BYTES = len(PDF_BYTES) - 1

    with pytest.raises(ValidationError) as refusal:
        attach(report, official)

    assert "the limit is" in refusal.value.message_dict["file"][0]
    assert not ReportAttachment.objects.exists()


def test_a_path_and_control_characters_in_the_uploaded_name_are_dropped(report, official):
    attachment = attach(report, official, "..\\..\\etc/pass\x00wd\n.pdf")

    assert attachment.name == "passwd.pdf"


# Who may upload, and when.


def test_reviewers_and_other_counties_may_not_upload(report, reviewer, other_official):
    for user in (reviewer, other_official):
        with pytest.raises(PermissionDenied):
            attach(report, user)
    assert not ReportAttachment.objects.exists()


def test_an_administrator_may_upload(report, administrator):
    assert attach(report, administrator).uploaded_by == administrator


def test_a_submitted_report_takes_no_new_evidence_and_keeps_what_it_has(report, official):
    attachment = attach(report, official)
    report_submit(report=report, by=official)

    with pytest.raises(ConflictError):
        attach(report, official, "later.pdf")
    with pytest.raises(ConflictError):
        attachment_delete(attachment=attachment, by=official)
    assert list(ReportAttachment.objects.values_list("name", flat=True)) == ["statement.pdf"]


def test_an_approved_reports_attachment_cannot_be_deleted(report, official, reviewer, administrator):
    attachment = attach(report, official)
    report_submit(report=report, by=official)
    report_approve(report=report, by=reviewer)

    for user in (official, administrator):
        with pytest.raises(ConflictError):
            attachment_delete(attachment=attachment, by=user)
    assert ReportAttachment.objects.filter(pk=attachment.pk).exists()


def test_the_county_deletes_an_attachment_of_its_draft_and_the_file_goes(
    report, official, django_capture_on_commit_callbacks
):
    attachment = attach(report, official)
    storage, stored_name = attachment.file.storage, attachment.file.name

    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment=attachment, by=official)

    assert not ReportAttachment.objects.exists()
    assert not storage.exists(stored_name)


def test_reviewers_may_not_delete_evidence(report, official, reviewer):
    attachment = attach(report, official)
    with pytest.raises(PermissionDenied):
        attachment_delete(attachment=attachment, by=reviewer)
    assert ReportAttachment.objects.exists()


def test_a_report_with_evidence_is_not_deleted_with_it(report, official, administrator):
    attach(report, official)
    with pytest.raises(ConflictError):
        report_delete(report=report, by=administrator)
    assert AnnualReport.objects.filter(pk=report.pk).exists()


# Downloads: only to those who work on the report.


def test_the_download_is_an_attachment_that_is_never_sniffed(report, official, reviewer, administrator, client_for):
    attachment = attach(report, official, "统计表.pdf")

    for user in (official, reviewer, administrator):
        response = client_for(user).get(download_url(attachment))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_another_countys_or_provinces_users_get_404_for_a_download(
    report, official, other_official, other_reviewer, client_for
):
    attachment = attach(report, official)

    for user in (other_official, other_reviewer):
        assert client_for(user).get(download_url(attachment)).status_code == 404


def test_an_attachment_asked_for_under_another_report_is_404(report, other_report, official, client_for, tree):
    attachment = attach(report, official)
    wrong = reverse("villages:report_attachment", args=[other_report.pk, attachment.pk])
    assert client_for(official).get(wrong).status_code == 404


def test_approved_reports_are_public_but_their_evidence_is_not(report, official, reviewer, client, tree):
    attachment = attach(report, official)
    comment_add(report=report, by=reviewer, text="内部讨论")
    report_submit(report=report, by=official)
    report_approve(report=report, by=reviewer)
    stranger = make_user("stranger", COUNTY_OFFICIALS, [tree.other_county])
    stranger_client = Client()
    stranger_client.force_login(stranger)

    page = stranger_client.get(reverse("villages:report_detail", args=[report.pk]))
    assert page.status_code == 200
    assert "statement.pdf" not in page.content.decode()
    assert "内部讨论" not in page.content.decode()
    assert 'id="discussion"' not in page.content.decode()
    assert stranger_client.get(download_url(attachment)).status_code == 404
    anonymous = client.get(download_url(attachment))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/reports/99999999999999999999999/evidence/",
        "/reports/1/attachments/99999999999999999999999/",
        "/reports/99999999999999999999999/attachments/1/delete/",
    ],
)
def test_huge_ids_in_the_evidence_pages_are_404(official, client_for, path):
    assert client_for(official).get(path).status_code == 404


def test_nothing_serves_the_media_folder(report, official, client_for):
    attachment = attach(report, official)

    assert client_for(official).get(f"/media/{attachment.file.name}").status_code == 404
    for config in (ROOT / "deploy").rglob("*"):
        if config.is_file() and "nginx" in str(config):
            text = config.read_text(encoding="utf-8", errors="replace")
            assert "media" not in text.lower(), config


# The report page: the section, its forms and its cost.


def test_the_county_uploads_on_the_report_page_and_sees_the_file_listed(report, official, client_for):
    client = client_for(official)
    response = client.post(
        reverse("villages:report_attachment_upload", args=[report.pk]),
        {"attachment-file": upload("shops.xlsx", xlsx_bytes())},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "shops.xlsx" in page
    assert "was attached to the report" in page
    assert ReportAttachment.objects.get().content_type == evidence_types.XLSX


def test_the_report_timeline_lists_each_attached_file_among_the_review_steps(report, official, client_for):
    client = client_for(official)
    client.post(
        reverse("villages:report_attachment_upload", args=[report.pk]),
        {"attachment-file": upload("shops.xlsx", xlsx_bytes())},
    )
    report_submit(report=AnnualReport.objects.get(pk=report.pk), by=official)

    page = client.get(reverse("villages:report_detail", args=[report.pk]))
    timeline = page.context["timeline"]
    assert [type(entry).__name__ for entry in timeline] == ["ReportAttachment", "ReviewEvent"]
    html = page.content.decode()
    section = html[html.index("Review timeline"):]
    assert "Evidence attached" in section and "shops.xlsx" in section[: section.index("</section>")]


def test_a_refused_upload_on_the_web_answers_400_with_the_reason(report, official, client_for):
    response = client_for(official).post(
        reverse("villages:report_attachment_upload", args=[report.pk]),
        {"attachment-file": upload("evidence.pdf", EXE_BYTES)},
    )
    assert response.status_code == 400
    assert "a renamed program or web page is refused" in response.content.decode()
    assert not ReportAttachment.objects.exists()


def test_a_reviewer_sees_no_upload_form_and_an_upload_is_refused(report, reviewer, client_for):
    client = client_for(reviewer)
    page = client.get(reverse("villages:report_detail", args=[report.pk])).content.decode()
    assert 'id="evidence"' in page
    assert "attachment-file" not in page
    response = client.post(
        reverse("villages:report_attachment_upload", args=[report.pk]), {"attachment-file": upload("a.pdf", PDF_BYTES)}
    )
    assert response.status_code == 302
    assert not ReportAttachment.objects.exists()


def test_another_county_cannot_upload_on_the_web(report, other_official, client_for):
    response = client_for(other_official).post(
        reverse("villages:report_attachment_upload", args=[report.pk]), {"attachment-file": upload("a.pdf", PDF_BYTES)}
    )
    assert response.status_code == 404
    assert not ReportAttachment.objects.exists()


def test_an_approved_reports_attachment_cannot_be_deleted_on_the_web(report, official, reviewer, client_for):
    attachment = attach(report, official)
    report_submit(report=report, by=official)
    report_approve(report=report, by=reviewer)
    delete_url = reverse("villages:report_attachment_delete", args=[report.pk, attachment.pk])
    client = client_for(official)

    confirmation = client.get(delete_url).content.decode()
    assert "It cannot be removed now" in confirmation
    response = client.post(delete_url)
    assert response.status_code == 302
    assert ReportAttachment.objects.filter(pk=attachment.pk).exists()


def test_the_county_removes_an_attachment_of_its_draft_on_the_web(report, official, client_for):
    attachment = attach(report, official)
    delete_url = reverse("villages:report_attachment_delete", args=[report.pk, attachment.pk])

    response = client_for(official).post(delete_url)

    assert response.status_code == 302
    assert not ReportAttachment.objects.exists()


def test_comments_are_shown_escaped_to_everyone_on_the_report(report, official, reviewer, administrator, client_for):
    response = client_for(official).post(
        reverse("villages:report_comment_add", args=[report.pk]), {"comment-text": "<script>alert(1)</script> 见附件"}
    )
    assert response.status_code == 302
    client_for(reviewer).post(reverse("villages:report_comment_add", args=[report.pk]), {"comment-text": "请补充"})

    for user in (official, reviewer, administrator):
        page = client_for(user).get(reverse("villages:report_detail", args=[report.pk])).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt; 见附件" in page
        assert "<script>alert(1)</script>" not in page
        assert "请补充" in page
    assert [comment.author for comment in ReportComment.objects.order_by("pk")] == [official, reviewer]


def test_an_empty_comment_answers_400_and_others_cannot_comment(report, official, other_official, other_reviewer,
                                                                client_for):
    url = reverse("villages:report_comment_add", args=[report.pk])
    empty = client_for(official).post(url, {"comment-text": "   "})
    assert empty.status_code == 400
    assert "This field is required" in empty.content.decode()
    for user in (other_official, other_reviewer):
        assert client_for(user).post(url, {"comment-text": "hello"}).status_code == 404
    assert not ReportComment.objects.exists()


def test_the_comment_service_refuses_outsiders_and_empty_or_long_text(report, official, other_official):
    with pytest.raises(PermissionDenied):
        comment_add(report=report, by=other_official, text="hello")
    with pytest.raises(ValidationError):
        comment_add(report=report, by=official, text=" \n ")
    with pytest.raises(ValidationError):
        comment_add(report=report, by=official, text="x" * (ReportComment.MAX_LENGTH + 1))
    assert comment_add(report=report, by=official, text="  ok  ").text == "ok"


def test_the_report_page_costs_the_same_whatever_the_number_of_files_and_comments(report, official, client_for):
    client = client_for(official)
    url = reverse("villages:report_detail", args=[report.pk])
    attach(report, official)
    comment_add(report=report, by=official, text="first")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for number in range(6):
        attach(report, official, f"file{number}.pdf")
        comment_add(report=report, by=official, text=f"comment {number}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert "file5.pdf" in page.content.decode()
    assert len(many) == len(few)


# The admin.


def test_the_admin_lists_attachments_read_only_without_a_storage_link(report, official, superuser, client_for):
    attachment = attach(report, official)
    comment_add(report=report, by=official, text="see the statement")
    client = client_for(superuser)

    changelist = client.get(reverse("admin:villages_reportattachment_changelist")).content.decode()
    assert "statement.pdf" in changelist
    assert download_url(attachment) in changelist
    assert "/media/" not in changelist
    change = client.get(reverse("admin:villages_reportattachment_change", args=[attachment.pk])).content.decode()
    assert attachment.file.name not in change
    assert 'name="_save"' not in change
    comments = client.get(reverse("admin:villages_reportcomment_changelist")).content.decode()
    assert "see the statement" in comments


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Needs PostgreSQL: SQLite has no row locks and serialises whole-database writes.",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_upload_racing_a_submission_lands_before_it(tree, official, monkeypatch):
    report = AnnualReportFactory(village=VillageFactory(township=tree.town))
    real_sha256 = evidence_services._sha256

    def slow_sha256(uploaded_file):
        # The upload holds the report's row lock here: the submission's UPDATE must wait for it.
        time.sleep(0.5)
        return real_sha256(uploaded_file)

    monkeypatch.setattr(evidence_services, "_sha256", slow_sha256)
    outcomes = {}

    def upload_evidence():
        try:
            outcomes["upload"] = attach(AnnualReport.objects.get(pk=report.pk), official)
        finally:
            connection.close()

    def submit():
        try:
            time.sleep(0.2)
            outcomes["submit"] = report_submit(report=AnnualReport.objects.get(pk=report.pk), by=official)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload_evidence), threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    submitted = AnnualReport.objects.get(pk=report.pk)
    attachment = ReportAttachment.objects.get()
    assert submitted.status == AnnualReport.Status.SUBMITTED
    # The submission's claim dates it once the upload's lock is granted, and its history holds the same date.
    assert attachment.uploaded_at < submitted.submitted_at
    assert submitted.history.latest().submitted_at == submitted.submitted_at


def test_staff_of_another_county_see_no_attachment_or_comment_in_the_admin(report, official, tree, client_for):
    attach(report, official, "曹县流水.pdf")
    comment_add(report=report, by=official, text="曹县内部")
    own_staff = make_user("own_staff", COUNTY_OFFICIALS, [tree.county], is_staff=True)
    other_staff = make_user("other_staff", COUNTY_OFFICIALS, [tree.other_county], is_staff=True)
    attachments = reverse("admin:villages_reportattachment_changelist")
    comments = reverse("admin:villages_reportcomment_changelist")

    own = client_for(own_staff)
    assert "曹县流水.pdf" in own.get(attachments).content.decode()
    assert "曹县内部" in own.get(comments).content.decode()
    other = client_for(other_staff)
    assert other.get(attachments).status_code == 200
    assert "曹县流水.pdf" not in other.get(attachments).content.decode()
    assert "曹县内部" not in other.get(comments).content.decode()
