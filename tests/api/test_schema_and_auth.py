"""The OpenAPI schema validates without warnings, the docs page is self-hosted, tokens and throttling work."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from tests.conftest import make_user
from tests.feed_clients import feed_client, issue_token, make_feed_user

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    output = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(output), stderr=io.StringIO())
    assert "/api/v1/villages/{code}/" in output.read_text()


def test_schema_and_docs_are_served(anonymous_api):
    schema = anonymous_api.get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/v1/divisions/",
        "/api/v1/divisions/{code}/",
        "/api/v1/villages/",
        "/api/v1/villages/{code}/",
        "/api/v1/shops/",
        "/api/v1/shops/{id}/",
        "/api/v1/reports/",
        "/api/v1/reports/{id}/",
        "/api/v1/assessments/",
        "/api/v1/taobao-towns/",
        "/api/v1/clusters/",
        "/api/v1/criteria/",
        "/api/v1/county-centers/",
        "/api/v1/service-points/",
        "/api/v1/service-points/{code}/",
        "/api/v1/villages/geojson/",
        "/api/v1/service-points/geojson/",
        "/api/v1/auth/token/",
        "/api/v1/stats/yearly/",
        "/api/v1/criteria/simulate/",
    ]:
        assert path in paths, path
    docs = anonymous_api.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


def test_file_paths_document_their_allowed_values(anonymous_api):
    """An API consumer (and the fuzzer) learns from the schema which lists, kinds and formats exist."""
    from villages.exports.formats import FORMATS
    from villages.exports.sources import EXPORT_SOURCES
    from villages.imports import IMPORT_KINDS

    paths = anonymous_api.get("/api/v1/schema/", {"format": "json"}).json()["paths"]

    def path_enums(path):
        parameters = paths[path]["get"]["parameters"]
        return {p["name"]: sorted(p["schema"]["enum"]) for p in parameters if p["in"] == "path"}

    assert path_enums("/api/v1/exports/{list_name}.{extension}") == {
        "list_name": sorted(EXPORT_SOURCES),
        "extension": sorted(FORMATS),
    }
    assert "service_points" in EXPORT_SOURCES and "service_points" in IMPORT_KINDS
    assert path_enums("/api/v1/imports/templates/{kind}.{extension}") == {
        "kind": sorted(IMPORT_KINDS),
        "extension": sorted(FORMATS),
    }


def test_every_operation_documents_its_error_responses(anonymous_api):
    paths = anonymous_api.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            errors = {code for code in operation["responses"] if code.startswith("4")}
            assert errors - {"429"}, (method, path)
            assert "429" in operation["responses"], (method, path)


def test_token_round_trip(anonymous_api, tree):
    make_user("clerk", "county_official", [tree.county])
    response = anonymous_api.post(
        "/api/v1/auth/token/", {"username": "clerk", "password": "secret-pass-123"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anonymous_api.get("/api/v1/shops/").status_code == 200


def test_wrong_password_gets_no_token(anonymous_api, tree):
    make_user("clerk", "county_official", [tree.county])
    response = anonymous_api.post("/api/v1/auth/token/", {"username": "clerk", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_bad_token_is_401(anonymous_api, db):
    anonymous_api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert anonymous_api.get("/api/v1/divisions/").status_code == 401


def test_anonymous_callers_are_throttled_at_the_configured_rate(anonymous_api, db, monkeypatch, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "1000/minute"})
    statuses = [anonymous_api.get("/api/v1/criteria/").status_code for _attempt in range(3)]
    assert statuses == [200, 200, 429]


def test_browser_session_authenticates_the_api(tree, client_for):
    official = make_user("clerk", "county_official", [tree.county])
    assert client_for(official).get("/api/v1/shops/").status_code == 200


def test_session_writes_need_the_csrf_token(tree):
    official = make_user("clerk", "county_official", [tree.county])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(official)
    response = browser.post(
        "/api/v1/villages/", {"code": "371721121227", "name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_data_feed_token_opens_no_other_door(db, anonymous_api):
    """The data-feed role in the auth matrix: its token is refused on public reads, and it is no ordinary token."""
    _token, secret = issue_token(make_feed_user())
    assert feed_client(secret).get("/api/v1/divisions/").status_code == 403
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert anonymous_api.get("/api/v1/divisions/").status_code == 401
    assert feed_client(secret).get("/api/v1/feed/batches/").status_code == 200
