"""The map in a real browser: with a Tianditu key it fetches Tianditu tiles with the key and credits Tianditu."""

import base64
import copy
import re

import pytest

from taobao_site.settings.base import TIANDITU_TILE_HOSTS, map_tile_origin

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# A 1×1 transparent PNG stands in for Tianditu's answers: the test must not depend on the internet.
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def test_the_map_loads_tianditu_tiles_with_the_key_and_shows_the_attribution(browser, live_server, settings):
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_ATTRIBUTION = ""
    settings.TIANDITU_KEY = "browser-test-key"
    # The policy is computed when the settings load; with the key set there, img-src allows Tianditu's hosts.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"] = [*policy["DIRECTIVES"]["img-src"], *map_tile_origin(TIANDITU_TILE_HOSTS)]
    settings.CONTENT_SECURITY_POLICY = policy
    tile_requests = []
    context = browser.new_context(locale="en-US")
    page = context.new_page()

    def serve_blank_tile(route):
        tile_requests.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)

    page.route(re.compile(r"^https://t[0-7]\.tianditu\.gov\.cn/"), serve_blank_tile)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector(".leaflet-tile-loaded")

    layers = {re.search(r"\.gov\.cn/(\w+)/wmts", url).group(1) for url in tile_requests}
    assert layers == {"vec_w", "cva_w"}
    assert all("tk=browser-test-key" in url for url in tile_requests)
    assert "Tianditu (tianditu.gov.cn)" in page.inner_text(".leaflet-control-attribution")
    context.close()
