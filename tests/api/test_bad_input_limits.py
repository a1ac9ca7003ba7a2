"""Bodies the API cannot take answer JSON 4xx, never a 500 or an HTML page: deep nesting, oversize bodies."""

import pytest

from taobao_site.api_parsers import MAX_DEPTH, nesting_depth_exceeds

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deeply_nested_json_to_the_token_endpoint_is_a_json_400(anonymous_api):
    response = anonymous_api.post("/api/v1/auth/token/", "[" * 990, content_type="application/json", **ENGLISH)
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]



@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 200, 5000])
def test_json_deeper_than_the_limit_is_a_json_400_on_any_endpoint(api_for, administrator, depth):
    response = api_for(administrator).post(
        "/api/v1/villages/", nested(depth), content_type="application/json", **ENGLISH)
    assert response.status_code == 400
    assert response.json() == {"detail": f"The JSON is nested more than {MAX_DEPTH} levels deep."}


def test_json_within_the_limit_reaches_validation(api_for, administrator):
    body = '{"name": ' + nested(MAX_DEPTH - 1) + "}"
    response = api_for(administrator).post("/api/v1/villages/", body, content_type="application/json", **ENGLISH)
    assert response.status_code == 400
    assert "nested" not in str(response.json())


def test_nesting_depth_counts_lists_and_objects():
    assert not nesting_depth_exceeds({"a": [1, {"b": []}]}, 4)
    assert nesting_depth_exceeds({"a": [1, {"b": []}]}, 3)
    assert not nesting_depth_exceeds("text", 0)


def test_a_ten_megabyte_body_is_a_json_413(anonymous_api, settings):
    body = b'{"username": "' + b"x" * (10 * 1024 * 1024) + b'", "password": "x"}'
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = anonymous_api.post("/api/v1/auth/token/", body, content_type="application/json", **ENGLISH)
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_a_ten_megabyte_body_to_an_authenticated_write_is_a_json_413(api_for, administrator):
    body = b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = api_for(administrator).post("/api/v1/villages/", body, content_type="application/json", **ENGLISH)
    assert response.status_code == 413
    assert set(response.json()) == {"detail"}
