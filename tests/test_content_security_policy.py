"""The Content-Security-Policy: its header on every page, the tile server's origin, and no inline code to block."""

import re
from pathlib import Path

import pytest

from taobao_site.settings.base import map_tile_origin

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [PROJECT / "templates", PROJECT / "villages" / "templates", PROJECT / "rural_services" / "templates"]
# A JSON data block (json_script) is never executed, so the policy allows it.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:",
    re.IGNORECASE,
)


def directives(response):
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def all_sources(policy):
    return " ".join(value for values in policy.values() for value in values)


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/docs/", "/admin/login/"])
def test_pages_carry_a_policy_without_inline_code(client, db, path):
    policy = directives(client.get(path))

    assert policy["default-src"] == ["'self'"]
    assert policy["img-src"][:2] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in all_sources(policy)
    assert "script-src" not in policy and "style-src" not in policy  # both fall back to default-src 'self'


@pytest.mark.parametrize(
    ("tile_url", "origin"),
    [
        ("", []),
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://tile.openstreetmap.org"]),
        ("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&TILEMATRIX={z}", ["https://*.tianditu.gov.cn"]),
        ("http://127.0.0.1:8090/tiles/{z}/{x}/{y}.png", ["http://127.0.0.1:8090"]),
    ],
)
def test_the_map_tile_server_is_allowed_as_an_image_source(tile_url, origin):
    assert map_tile_origin(tile_url) == origin


def test_no_template_has_inline_script_style_or_event_handler():
    offenders = [
        f"{template.relative_to(PROJECT)}:{number}: {line.strip()}"
        for directory in TEMPLATE_DIRS
        for template in directory.rglob("*.html")
        for number, line in enumerate(template.read_text().splitlines(), start=1)
        if INLINE_CODE.search(line)
    ]
    assert offenders == []


def test_tianditu_tiles_are_allowed_images_when_its_key_selects_it(monkeypatch):
    import importlib

    import taobao_site.settings.base as base

    monkeypatch.setenv("TIANDITU_KEY", "test-key")
    monkeypatch.delenv("MAP_TILE_URL", raising=False)
    try:
        reloaded = importlib.reload(base)
        assert "https://*.tianditu.gov.cn" in reloaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    finally:
        monkeypatch.delenv("TIANDITU_KEY")
        importlib.reload(base)
