"""Malformed input answers 4xx, never an empty list or a 500: bad filters, NUL bytes, huge numbers, odd unicode."""

import pytest

from tests.factories import VillageFactory

pytestmark = pytest.mark.django_db

BAD_FILTERS = [
    ("divisions/", {"level": "galaxy"}),
    ("divisions/", {"parent": "12345"}),
    ("divisions/", {"parent": "999999"}),
    ("divisions/", {"search": "a\x00b"}),
    ("villages/", {"province": "371700"}),
    ("villages/", {"province": "37"}),
    ("villages/", {"prefecture": "370000"}),
    ("villages/", {"county": "３７１７２１"}),
    ("villages/", {"county": "999999"}),
    ("villages/", {"township": "371721121227"}),
    ("villages/", {"committee_type": "castle"}),
    ("villages/", {"certified_in": "next year"}),
    ("villages/", {"certified_in": "99999999999999999999999999"}),
    ("villages/", {"certified_in": "1e400"}),
    ("villages/", {"certified_in": "2008"}),
    ("villages/", {"search": "x" * 101}),
    ("villages/geojson/", {"province": "\x00"}),
    ("divisions/", {"parent": "%+I\t"}),
    ("villages/", {"county": "%s%(x)s"}),
    ("shops/", {"village": "37172112122"}),
    ("shops/", {"village": "37172112122７"}),
    ("shops/", {"platform": "ebay"}),
    ("shops/", {"county": "-1"}),
    ("reports/", {"year": "-2022"}),
    ("reports/", {"year": "2022.5"}),
    ("reports/", {"status": "lost"}),
    ("reports/", {"village": "\x00" * 12}),
    ("assessments/", {"qualified": "maybe"}),
    ("assessments/", {"qualified": "1"}),
    ("assessments/", {"year": "NaN"}),
    ("assessments/", {"province": "𠮷𠮷𠮷𠮷𠮷𠮷"}),
    ("taobao-towns/", {"year": "2.1e3"}),
    ("clusters/", {"year": "9" * 50}),
    ("county-centers/", {"status": "\u202eopen"}),
    ("county-centers/", {"county": "３７１７２１"}),
    ("service-points/", {"service": "parcel_pickup\x00"}),
    ("service-points/", {"service": "PARCEL PICKUP"}),
    ("service-points/", {"status": "open\x00"}),
    ("service-points/geojson/", {"county": "abc"}),
]


@pytest.mark.parametrize(("path", "params"), BAD_FILTERS, ids=[f"{p}{q}" for p, q in BAD_FILTERS])
def test_bad_filter_value_is_400_naming_the_parameter(tree, administrator, api_for, path, params):
    response = api_for(administrator).get(f"/api/v1/{path}", params)
    assert response.status_code == 400, response.content
    assert set(response.json()) == set(params)


BAD_PATHS = [
    "divisions/37%000000/",
    "divisions/%EF%BC%93%EF%BC%97%EF%BC%90%EF%BC%90%EF%BC%90%EF%BC%90/",
    "villages/%00/",
    "villages/371721121227%00/",
    "villages/99999999999999999999999999999999/",
    "villages/%F0%A0%AE%B7/",
    "shops/99999999999999999999999999/",
    "shops/-1/",
    "shops/%00/",
    "reports/1e9/",
    "reports/9223372036854775808/",
    "criteria/0/",
    "service-points/%00/",
    "service-points/%E2%80%AE/",
    "service-points/a%2Fb/",
    "no-such-resource/",
]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_malformed_lookup_is_a_json_404(tree, administrator, api_for, path):
    response = api_for(administrator).get(f"/api/v1/{path}")
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "99999999999999999999"}, {"page": "\x00"}])
def test_page_out_of_range_is_404(tree, anonymous_api, params):
    assert anonymous_api.get("/api/v1/divisions/", params).status_code == 404


def test_page_size_is_capped_at_500(tree, anonymous_api):
    body = anonymous_api.get("/api/v1/criteria/", {"page_size": "99999999999999999999"}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 3


def test_odd_unicode_in_a_search_is_just_not_found(tree, administrator, api_for):
    VillageFactory(township=tree.town, name="丁楼村")
    client = api_for(administrator)
    for term in ["𠮷野家", "\u202e村", "e\u0301", "😀", "\ufeff"]:
        response = client.get("/api/v1/villages/", {"search": term})
        assert response.status_code == 200
        assert response.json()["count"] == 0


def test_malformed_json_body_is_400(tree, administrator, api_for):
    response = api_for(administrator).post(
        "/api/v1/auth/token/", data=b'{"username": "a', content_type="application/json"
    )
    assert response.status_code == 400


def test_missing_trailing_slash_redirects_to_the_resource(tree, anonymous_api):
    response = anonymous_api.get("/api/v1/divisions")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/divisions/")
