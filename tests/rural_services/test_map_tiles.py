"""The map's background reaches the page in data-* attributes: a configured tile URL, Tianditu with its key, or none."""

import html
import re

import pytest
from django.urls import reverse


@pytest.fixture
def no_tiles(settings):
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_ATTRIBUTION = ""
    settings.TIANDITU_KEY = ""
    return settings


def map_attributes(client):
    page = client.get(reverse("rural_services:map"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    (element,) = re.findall(r'<div id="map"[^>]*>', page)
    return {name: html.unescape(value) for name, value in re.findall(r'(data-[\w-]+)="([^"]*)"', element)}, page


def test_with_nothing_configured_the_page_carries_no_tile_url(client, db, no_tiles):
    attributes, page = map_attributes(client)

    assert "data-tiles" not in attributes
    assert "data-tile-attribution" not in attributes
    assert "markers are shown on a plain background" in page


def test_with_a_tianditu_key_the_page_carries_tianditus_vector_tiles_with_the_key(client, db, no_tiles):
    no_tiles.TIANDITU_KEY = "0123456789abcdef0123456789abcdef"

    attributes, page = map_attributes(client)

    tiles = attributes["data-tiles"]
    assert tiles.startswith("https://t{s}.tianditu.gov.cn/vec_w/wmts?")
    assert "LAYER=vec" in tiles
    assert "TILEMATRIXSET=w" in tiles
    assert "TILEMATRIX={z}&TILEROW={y}&TILECOL={x}" in tiles
    assert tiles.endswith("&tk=0123456789abcdef0123456789abcdef")
    assert attributes["data-tile-labels"].startswith("https://t{s}.tianditu.gov.cn/cva_w/wmts?")
    assert attributes["data-tile-subdomains"] == "01234567"
    assert "Tianditu" in attributes["data-tile-attribution"]
    assert "plain background" not in page


def test_the_tianditu_key_is_url_encoded(client, db, no_tiles):
    no_tiles.TIANDITU_KEY = "key&with=odd"

    attributes, _ = map_attributes(client)

    assert attributes["data-tiles"].endswith("&tk=key%26with%3Dodd")


def test_the_tianditu_attribution_can_be_set_with_its_map_approval_number(client, db, no_tiles):
    no_tiles.TIANDITU_KEY = "k"
    no_tiles.MAP_TILE_ATTRIBUTION = "天地图 审图号：GS(0000)0000号"

    attributes, _ = map_attributes(client)

    assert attributes["data-tile-attribution"] == "天地图 审图号：GS(0000)0000号"


def test_an_explicit_tile_url_wins_over_tianditu(client, db, no_tiles):
    no_tiles.TIANDITU_KEY = "k"
    no_tiles.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    no_tiles.MAP_TILE_ATTRIBUTION = "Provincial survey <office>"

    attributes, page = map_attributes(client)

    assert attributes["data-tiles"] == "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    assert "data-tile-labels" not in attributes
    assert "data-tile-subdomains" not in attributes
    assert attributes["data-tile-attribution"] == "Provincial survey <office>"
    assert "Provincial survey &lt;office&gt;" in page
