"""axe-core over the main pages in Chromium, in Chinese and English: no serious or critical violation.

axe-core comes from npm into the project's node_modules (`make test` runs `npm ci`) and is injected into each
page by Playwright for this test only; the app never serves it, and nothing comes from a CDN.
"""

import datetime
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from tests.factories import (
    AnnualReportFactory,
    AssessmentFactory,
    DivisionTreeFactory,
    OnlineShopFactory,
    ServicePointFactory,
    UserFactory,
    VillageFactory,
)
from villages.models import COUNTY_OFFICIALS, REVIEWERS, JurisdictionAssignment, ReportingWindow

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "secret-pass-123"
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
BLOCKING = ("serious", "critical")


@pytest.fixture
def axe_script():
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci` (make test does) to install axe-core for this test."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return str(AXE)


@pytest.fixture
def registry():
    tree = DivisionTreeFactory.build_tree()
    for username, role, division in (("caoxian", COUNTY_OFFICIALS, tree.county),
                                     ("heze_reviewer", REVIEWERS, tree.province)):
        user = UserFactory(username=username)
        user.groups.add(Group.objects.get(name=role))
        JurisdictionAssignment.objects.create(user=user, division=division)
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村", households=800,
                             latitude=34.8, longitude=115.6)
    OnlineShopFactory(village=village)
    approved = AnnualReportFactory(village=village, year=2023, status="approved")
    AssessmentFactory(village=village, year=2023, report=approved)
    submitted = AnnualReportFactory(village=village, year=2024, status="submitted")
    ServicePointFactory(village=village, latitude="34.81", longitude="115.61")
    today = datetime.date.today()
    ReportingWindow.objects.create(year=2024, opens_on=today - datetime.timedelta(days=5),
                                   closes_on=today + datetime.timedelta(days=5))
    return {"village": village, "report": submitted}


def violations(page, axe_script) -> list[dict]:
    page.add_script_tag(path=axe_script)
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": item["id"], "impact": item["impact"], "nodes": [node["target"] for node in item["nodes"]][:5]}
        for item in found if item["impact"] in BLOCKING
    ]


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_main_pages_have_no_serious_or_critical_accessibility_violation(
    live_server, browser, registry, axe_script, language
):
    base = live_server.url
    # The site's Content-Security-Policy rightly refuses the injected script; the test context bypasses it.
    context = browser.new_context(locale=LOCALES[language], viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    village, report = registry["village"], registry["report"]
    public = ["/", "/dashboard/", "/villages/", f"/villages/{village.code}/", "/map/", "/accounts/login/"]
    clerk = ["/", "/villages/new/", f"/villages/{village.code}/reports/new/", "/imports/", "/service-points/",
             f"/reports/{report.pk}/"]
    reviewer = ["/review/", f"/reports/{report.pk}/"]
    problems = {}

    def check(paths, who):
        for path in paths:
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            found = violations(page, axe_script)
            if found:
                problems[f"{who} {path}"] = found

    check(public, "anonymous")
    log_in(page, base, "caoxian")
    check(clerk, "clerk")
    page.click("header form button")
    log_in(page, base, "heze_reviewer")
    check(reviewer, "reviewer")
    context.close()
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
