"""Through nginx over TLS: the main pages and the admin answer 200, with hashed, long-cached static files."""

import re
import urllib.parse

import pytest

pytestmark = pytest.mark.deploy

# (name, path, who asks): the official's own county pages, the reviewer's queue, the administrator's admin.
MAIN_PAGES = [
    ("home", "/", "official"),
    ("dashboard", "/dashboard/", "official"),
    ("village list", "/villages/", "official"),
    ("village page", "/villages/{village}/", "official"),
    ("service points", "/service-points/", "official"),
    ("map", "/map/", "official"),
    ("map data", "/map/data.geojson", "official"),
    ("login", "/accounts/login/", None),
    ("API list", "/api/v1/villages/", "official"),
    ("API schema", "/api/v1/schema/", "official"),
    ("API docs", "/api/v1/docs/", "official"),
    ("review queue", "/review/", "reviewer"),
    ("admin login", "/admin/login/", None),
    ("admin", "/admin/", "administrator"),
    ("admin villages", "/admin/villages/village/", "administrator"),
]
# Django's manifest storage inserts the first 12 hex digits of the file's MD5 before the extension.
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
STATIC_URL = re.compile(r"""/static/[^"'\s<>()]+""")
ONE_YEAR = 365 * 24 * 3600
PAGE_PARAMS = [pytest.param(path, role, id=name) for name, path, role in MAIN_PAGES]


def fetch_page(client_as, anonymous_client, official_village_code, path, role):
    client = client_as(role) if role else anonymous_client
    return client.get(path.format(village=official_village_code))


def static_urls(html: str) -> set[str]:
    return {urllib.parse.urlsplit(url).path for url in STATIC_URL.findall(html)}


def max_age(cache_control: str) -> int:
    match = re.search(r"max-age=(\d+)", cache_control)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize(("path", "role"), PAGE_PARAMS)
def test_main_page_answers_200_through_nginx(client_as, anonymous_client, official_village_code, path, role):
    response = fetch_page(client_as, anonymous_client, official_village_code, path, role)

    assert response.status == 200, f"{response.url} answered {response.status}"
    assert response.headers.get("X-Request-ID"), "nginx must hand back the request id it passed upstream"


def test_every_static_file_of_the_main_pages_is_hashed_and_cached_for_a_year(
    client_as, anonymous_client, official_village_code
):
    pages = {
        name: fetch_page(client_as, anonymous_client, official_village_code, path, role)
        for name, path, role in MAIN_PAGES
    }
    urls = set().union(*(static_urls(page.text) for page in pages.values() if page.is_html))
    unhashed = sorted(url for url in urls if not HASHED_NAME.search(url))
    answers = {url: anonymous_client.get(url) for url in sorted(urls)}
    not_served = {url: answer.status for url, answer in answers.items() if answer.status != 200}
    short_lived = {
        url: answer.headers.get("Cache-Control")
        for url, answer in answers.items()
        if max_age(answer.headers.get("Cache-Control", "")) < ONE_YEAR
    }

    assert len(urls) >= len([page for page in pages.values() if page.is_html]), "every page has its stylesheet"
    assert unhashed == [], "static URLs without a content hash (collectstatic's manifest missed them)"
    assert not_served == {}
    assert short_lived == {}


def test_plain_http_redirects_to_the_same_address_over_https(stack_layout, stack_url, anonymous_client):
    response = anonymous_client.get(f"{stack_layout['STACK_HTTP_URL']}/villages/?year=2023")

    assert response.status == 301
    assert response.headers["Location"] == f"{stack_url}/villages/?year=2023"
