"""Request ids: the proxy's id or a new one, sent back in X-Request-ID, on every log record of the request."""

import json
import logging
import sys

import pytest
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import include, path

from taobao_site.logging import JsonLinesFormatter, RequestIdFilter

view_logger = logging.getLogger("tests.request_id_view")


def logging_view(request):
    view_logger.warning("inside the view")
    return HttpResponse("logged")


def refusing_view(request):
    return HttpResponseBadRequest("refused")


urlpatterns = [
    path("logging-view/", logging_view),
    path("refusing-view/", refusing_view),
    path("", include("taobao_site.urls")),
]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def request_id_records(caplog):
    """Log records as the site's console handler sees them: through the request id filter."""
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    return caplog


def test_the_proxy_request_id_comes_back_in_the_response(client):
    response = client.get("/logging-view/", HTTP_X_REQUEST_ID="3f2a9c0d-nginx-42")

    assert response["X-Request-ID"] == "3f2a9c0d-nginx-42"


@pytest.mark.parametrize(
    "incoming",
    ["", "a" * 65, "id with spaces", "id\nforged-log-line", "../etc", "编号"],
)
def test_a_malformed_request_id_is_replaced_by_a_new_one(client, incoming):
    response = client.get("/logging-view/", HTTP_X_REQUEST_ID=incoming)

    sent_back = response["X-Request-ID"]
    assert sent_back != incoming
    assert len(sent_back) == 32
    assert int(sent_back, 16) >= 0


def test_requests_without_an_id_get_different_ones(client):
    first = client.get("/logging-view/")["X-Request-ID"]
    second = client.get("/logging-view/")["X-Request-ID"]

    assert first != second


def test_a_record_logged_inside_a_view_carries_the_request_id(client, request_id_records):
    response = client.get("/logging-view/", HTTP_X_REQUEST_ID="view-request-7")

    (record,) = [record for record in request_id_records.records if record.name == view_logger.name]
    assert record.request_id == "view-request-7"
    assert response["X-Request-ID"] == "view-request-7"


def test_each_request_is_logged_once_with_method_path_status_and_duration(client, request_id_records):
    client.get("/logging-view/?search=张三", HTTP_X_REQUEST_ID="line-1")

    lines = [record for record in request_id_records.records if record.name == "taobao_site.requests"]
    assert len(lines) == 1
    (line,) = lines
    assert line.levelno == logging.INFO
    assert (line.method, line.path, line.status, line.request_id) == ("GET", "/logging-view/", 200, "line-1")
    assert line.duration_ms >= 0
    assert "张三" not in line.getMessage()


def test_a_not_found_page_is_logged_with_its_status(client, request_id_records):
    client.get("/no-such-page/")

    (line,) = [record for record in request_id_records.records if record.name == "taobao_site.requests"]
    assert line.status == 404


def test_django_logs_a_refused_request_with_its_id(client, request_id_records):
    client.get("/refusing-view/", HTTP_X_REQUEST_ID="refused-3")

    (record,) = [record for record in request_id_records.records if record.name == "django.request"]
    assert record.status_code == 400
    assert record.request_id == "refused-3"


def test_records_outside_a_request_have_a_placeholder_id(request_id_records):
    view_logger.warning("outside any request")

    (record,) = [record for record in request_id_records.records if record.name == view_logger.name]
    assert record.request_id == "-"


def test_the_json_formatter_writes_one_object_per_line_with_the_request_fields():
    record = logging.LogRecord("taobao_site.requests", logging.INFO, __file__, 1, "GET %s", ("/村/",), None)
    record.request_id = "abc-1"
    record.method, record.path, record.status, record.duration_ms = "GET", "/村/", 200, 12.5

    line = JsonLinesFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET /村/"
    assert (entry["level"], entry["logger"], entry["request_id"]) == ("INFO", "taobao_site.requests", "abc-1")
    assert (entry["method"], entry["path"], entry["status"], entry["duration_ms"]) == ("GET", "/村/", 200, 12.5)
    assert entry["time"].endswith("+00:00")


def test_the_json_formatter_keeps_a_traceback_inside_its_one_line():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    record.request_id = "-"

    line = JsonLinesFormatter().format(record)

    assert "\n" not in line
    assert "ValueError: broken" in json.loads(line)["exception"]
    assert "method" not in json.loads(line)
