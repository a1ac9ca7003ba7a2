"""Small things every page shows: the badges' contrast, the favicon, and the API root (issue 19, items 6 and 8)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static

SITE_CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"
BADGES = ("badge-draft", "badge-submitted", "badge-returned", "badge-approved", "badge-pass", "badge-fail",
          "badge-certified")


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(digit * 2 for digit in hex_digits)
    red, green, blue = (_channel(int(hex_digits[index:index + 2], 16)) for index in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def computed_badge_colours(css: str, badge: str) -> tuple[str, str]:
    """The colour and background a `.badge.<badge>` element ends with: the rules in order, var() resolved."""
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", css))
    declared = {"color": variables["ink"], "background": variables["paper"]}
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        names = {selector.strip() for selector in selectors.split(",")}
        if not names & {".badge", f".{badge}"}:
            continue
        for prop, value in re.findall(r"(?<![-\w])(color|background)\s*:\s*([^;]+)", body):
            value = value.strip()
            variable = re.fullmatch(r"var\(--([\w-]+)\)", value)
            declared[prop] = variables[variable.group(1)] if variable else value
    return declared["color"], declared["background"]


def test_the_contrast_computation_matches_the_reported_one():
    assert round(contrast("#ad6800", "#fffbe6"), 2) == 4.25


@pytest.mark.parametrize("badge", BADGES)
def test_every_status_badge_meets_wcag_aa(badge):
    foreground, background = computed_badge_colours(SITE_CSS.read_text(), badge)
    assert contrast(foreground, background) >= 4.5, (badge, foreground, background)


def test_favicon_is_a_static_file_linked_from_the_layout_and_answered_at_the_root(client, db):
    assert finders.find("favicon.ico")
    assert Path(finders.find("favicon.ico")).read_bytes()[:4] == b"\x00\x00\x01\x00"
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == static("favicon.ico")
    page = client.get("/dashboard/").content.decode()
    assert f'<link rel="icon" href="{static("favicon.ico")}"' in page


def test_the_api_root_lists_every_resource_the_schema_and_the_docs(client, db):
    response = client.get("/api/v1/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    body = response.json()
    for resource in ("divisions", "villages", "shops", "reports", "assessments", "taobao-towns", "clusters",
                     "stats/yearly", "criteria", "county-centers", "service-points", "imports"):
        assert body["resources"][resource] == f"http://testserver/api/v1/{resource}/"
        assert client.get(f"/api/v1/{resource}/").status_code in (200, 401, 403, 405)
    assert body["schema"] == "http://testserver/api/v1/schema/"
    assert body["docs"] == "http://testserver/api/v1/docs/"


def test_the_api_root_is_in_the_schema(client, db):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/" in schema["paths"]
    assert "resources" in schema["components"]["schemas"]["ApiRoot"]["properties"]


@pytest.mark.parametrize(("language", "expected", "foreign"), [
    ("zh-hans", {"村", "网店", "年度报表", "区划"}, {"villages", "online shops", "divisions"}),
    ("en", {"villages", "online shops", "annual reports", "divisions"}, {"村", "网店"}),
])
def test_swagger_tags_and_summaries_are_in_the_request_language(client, db, language, expected, foreign):
    schema = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE=language).json()
    tags = {tag for operations in schema["paths"].values() for operation in operations.values()
            for tag in operation.get("tags", ())}
    summaries = [operation["summary"] for operations in schema["paths"].values()
                 for operation in operations.values() if operation.get("summary")]
    assert expected <= tags and not tags & foreign
    ascii_words = re.compile(r"[A-Za-z]{4,}")
    if language == "zh-hans":
        assert all(not ascii_words.search(summary.replace("API", "").replace("GeoJSON", "")) for summary in summaries)
        assert not any(ascii_words.search(tag) for tag in tags)
    else:
        assert all(not re.search(r"[\u4e00-\u9fff]", text) for text in [*summaries, *tags])
