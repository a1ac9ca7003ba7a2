"""API v1 `reports/{id}/attachments/` and `reports/{id}/comments/`: shapes, content checks, rights, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AnnualReportFactory, VillageFactory
from tests.villages.evidence_files import EXE_BYTES, HTML_BYTES, JPEG_BYTES, PDF_BYTES, upload, xlsx_bytes
from villages import evidence_types
from villages.models import ReportAttachment, ReportComment
from villages.services.evidence import attachment_upload, comment_add
from villages.services.reports import report_approve, report_submit

ATTACHMENT_FIELDS = {"id", "name", "content_type", "size", "uploaded_by", "uploaded_at", "url"}
COMMENT_FIELDS = {"id", "author", "text", "at"}


@pytest.fixture
def api_for(api_for):
    """The API clients of the other API tests, asking for English answers (the site's default is Chinese)."""

    def authenticate(user):
        client = api_for(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return authenticate


@pytest.fixture
def report(tree):
    return AnnualReportFactory(village=VillageFactory(township=tree.town))


def attachments_url(report_id):
    return f"/api/v1/reports/{report_id}/attachments/"


def comments_url(report_id):
    return f"/api/v1/reports/{report_id}/comments/"


def attach(report, by, name="statement.pdf", content=PDF_BYTES):
    return attachment_upload(report=report, by=by, uploaded_file=upload(name, content))


def test_the_county_uploads_and_lists_evidence_with_the_contract_fields(report, official, api_for):
    client = api_for(official)

    created = client.post(attachments_url(report.pk), {"file": upload("photo.jpg", JPEG_BYTES, "text/html")},
                          format="multipart")

    assert created.status_code == 201, created.content
    item = created.json()
    assert set(item) == ATTACHMENT_FIELDS
    assert item["content_type"] == evidence_types.JPEG  # what the content proved, not what the client said
    assert item["name"] == "photo.jpg"
    assert item["size"] == len(JPEG_BYTES)
    assert item["uploaded_by"] == "official"
    listed = client.get(attachments_url(report.pk)).json()["results"]
    assert [row["id"] for row in listed] == [item["id"]]
    downloaded = client.get(item["url"])
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == JPEG_BYTES
    assert downloaded["Content-Disposition"].startswith("attachment;")
    assert downloaded["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "content"), [("evidence.pdf", EXE_BYTES), ("photo.png", HTML_BYTES)])
def test_a_renamed_program_or_web_page_is_a_400_naming_the_file(report, official, api_for, name, content):
    response = api_for(official).post(attachments_url(report.pk), {"file": upload(name, content)}, format="multipart")

    assert response.status_code == 400
    assert "a renamed program or web page is refused" in response.json()["file"][0]
    assert not ReportAttachment.objects.exists()


def test_the_refusal_is_in_chinese_for_a_chinese_caller(report, official, api_for):
    client = api_for(official)
    client.credentials(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post(attachments_url(report.pk), {"file": upload("a.pdf", EXE_BYTES)}, format="multipart")
    assert response.status_code == 400
    assert "改了扩展名的程序或网页文件会被拒绝" in response.json()["file"][0]


def test_an_oversized_file_is_a_400(report, official, api_for, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    content = xlsx_bytes()
    response = api_for(official).post(attachments_url(report.pk), {"file": upload("a.xlsx", content)},
                                      format="multipart")

    assert response.status_code == 400
    assert "the limit is" in response.json()["file"][0]


def test_a_missing_file_or_a_json_body_is_refused(report, official, api_for):
    client = api_for(official)
    assert client.post(attachments_url(report.pk), {}, format="multipart").status_code == 400
    assert client.post(attachments_url(report.pk), {"file": "x"}, format="json").status_code == 415


def test_another_countys_report_is_404_for_every_evidence_route(
    report, official, other_official, other_reviewer, api_for
):
    attachment = attach(report, official)
    comment_add(report=report, by=official, text="secret")
    file_url = f"{attachments_url(report.pk)}{attachment.pk}/file/"
    for user in (other_official, other_reviewer):
        client = api_for(user)
        assert client.get(attachments_url(report.pk)).status_code == 404
        assert client.post(attachments_url(report.pk), {"file": upload("a.pdf", PDF_BYTES)},
                           format="multipart").status_code == 404
        assert client.get(file_url).status_code == 404
        assert client.delete(f"{attachments_url(report.pk)}{attachment.pk}/").status_code == 404
        assert client.get(comments_url(report.pk)).status_code == 404
        assert client.post(comments_url(report.pk), {"text": "hi"}, format="json").status_code == 404
    assert ReportAttachment.objects.count() == 1
    assert ReportComment.objects.count() == 1


def test_anonymous_callers_get_401(report, official, anonymous_api):
    attachment = attach(report, official)
    assert anonymous_api.get(attachments_url(report.pk)).status_code == 401
    assert anonymous_api.get(f"{attachments_url(report.pk)}{attachment.pk}/file/").status_code == 401
    assert anonymous_api.get(comments_url(report.pk)).status_code == 401


def test_an_attachment_under_another_report_is_404(report, official, api_for, tree):
    attachment = attach(report, official)
    second = AnnualReportFactory(village=VillageFactory(township=tree.town), year=2022)
    assert api_for(official).get(f"{attachments_url(second.pk)}{attachment.pk}/file/").status_code == 404


@pytest.mark.parametrize("report_id", ["abc", "0", "99999999999999999999999", "1%00"])
def test_malformed_ids_are_404(official, api_for, report_id):
    client = api_for(official)
    assert client.get(attachments_url(report_id)).status_code == 404
    assert client.get(comments_url(report_id)).status_code == 404
    assert client.delete(f"{attachments_url(1)}{report_id}/").status_code == 404


def test_reviewers_read_evidence_but_may_not_upload_or_delete(report, official, reviewer, api_for):
    attachment = attach(report, official)
    client = api_for(reviewer)

    assert len(client.get(attachments_url(report.pk)).json()["results"]) == 1
    assert client.post(attachments_url(report.pk), {"file": upload("a.pdf", PDF_BYTES)},
                       format="multipart").status_code == 403
    assert client.delete(f"{attachments_url(report.pk)}{attachment.pk}/").status_code == 403
    assert ReportAttachment.objects.count() == 1


def test_the_county_deletes_a_drafts_attachment_but_not_an_approved_reports(report, official, reviewer, api_for):
    client = api_for(official)
    first, second = attach(report, official), attach(report, official, "second.pdf")
    assert client.delete(f"{attachments_url(report.pk)}{first.pk}/").status_code == 204

    report_submit(report=report, by=official)
    report_approve(report=report, by=reviewer)
    refused = client.delete(f"{attachments_url(report.pk)}{second.pk}/")

    assert refused.status_code == 409
    assert "approved one keeps it" in refused.json()["detail"]
    assert list(ReportAttachment.objects.values_list("pk", flat=True)) == [second.pk]


def test_comments_by_the_county_reviewers_and_administrators(report, official, reviewer, administrator, api_for):
    for user, text in ((official, "附件已上传"), (reviewer, "<b>请核对</b>"), (administrator, "ok")):
        response = api_for(user).post(comments_url(report.pk), {"text": text}, format="json")
        assert response.status_code == 201, response.content
        assert set(response.json()) == COMMENT_FIELDS
        assert response.json()["author"] == user.username

    thread = api_for(official).get(comments_url(report.pk)).json()["results"]
    assert [row["text"] for row in thread] == ["附件已上传", "<b>请核对</b>", "ok"]


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "   "}, {"text": "x" * 2001}, {"text": ["a"]}])
def test_an_empty_or_bad_comment_is_a_400(report, official, api_for, body):
    response = api_for(official).post(comments_url(report.pk), body, format="json")
    assert response.status_code == 400
    assert "text" in response.json()
    assert not ReportComment.objects.exists()


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_lists_cost_a_constant_number_of_queries(report, official, api_for, django_assert_max_num_queries):
    client = api_for(official)
    attach(report, official)
    comment_add(report=report, by=official, text="one")
    few = (_queries(client, attachments_url(report.pk)), _queries(client, comments_url(report.pk)))
    for number in range(8):
        attach(report, official, f"f{number}.pdf")
        comment_add(report=report, by=official, text=f"c{number}")
    many = (_queries(client, attachments_url(report.pk)), _queries(client, comments_url(report.pk)))
    assert many == few
    with django_assert_max_num_queries(6):
        client.get(attachments_url(report.pk))
    with django_assert_max_num_queries(6):
        client.get(comments_url(report.pk))


def test_the_schema_documents_the_evidence_routes_and_their_errors(anonymous_api):
    paths = anonymous_api.get("/api/v1/schema/?format=json").json()["paths"]
    attachments = paths["/api/v1/reports/{report_id}/attachments/"]
    assert "multipart/form-data" in attachments["post"]["requestBody"]["content"]
    assert {"400", "403", "404", "409"} <= set(attachments["post"]["responses"])
    deletion = paths["/api/v1/reports/{report_id}/attachments/{attachment_id}/"]["delete"]
    assert {"204", "403", "404", "409"} <= set(deletion["responses"])
    assert {"201", "400", "404"} <= set(paths["/api/v1/reports/{report_id}/comments/"]["post"]["responses"])
    assert "/api/v1/reports/{report_id}/attachments/{attachment_id}/file/" in paths
