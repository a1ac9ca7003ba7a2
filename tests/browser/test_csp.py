"""Every kind of page the site serves, in a real Chromium, breaks no rule of the Content-Security-Policy."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import AssessmentFactory, DivisionTreeFactory, ServicePointFactory, UserFactory, VillageFactory
from villages.models import ADMINISTRATORS, COUNTY_OFFICIALS, JurisdictionAssignment

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-pass-123"
# Runs before any page script: collects what the browser blocked, in the page itself.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline code")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


@pytest.fixture
def registry():
    tree = DivisionTreeFactory.build_tree()
    official = UserFactory(username="caoxian")
    official.groups.add(Group.objects.get(name=COUNTY_OFFICIALS))
    JurisdictionAssignment.objects.create(user=official, division=tree.county)
    administrator = UserFactory(username="province_admin", is_staff=True)
    administrator.groups.add(Group.objects.get(name=ADMINISTRATORS))
    village = VillageFactory(township=tree.town, latitude="34.83", longitude="115.54")
    AssessmentFactory(village=village)
    ServicePointFactory(village=village, latitude="34.84", longitude="115.55")
    return village


class CspWatch:
    """A browser page that records CSP violations and console errors about the policy."""

    def __init__(self, context, base):
        self.base = base
        self.page = context.new_page()
        self.page.set_default_timeout(15_000)
        self.console = []
        self.page.on("console", self._console)
        self.page.add_init_script(LISTEN_FOR_VIOLATIONS)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, path):
        response = self.page.goto(f"{self.base}{path}")
        self.page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        return self.violations(path)

    def violations(self, path):
        return [f"{path}: {text}" for text in self.page.evaluate("window.__cspViolations") + self.console]

    def log_in(self, username):
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(f"{self.base}/")


def test_public_pages_and_the_api_docs_have_no_csp_violation(live_server, browser, registry):
    watch = CspWatch(browser.new_context(locale="en-US"), live_server.url)
    violations = []
    for path in [
        "/",
        "/dashboard/",
        "/villages/",
        f"/villages/{registry.code}/",
        "/map/",
        "/accounts/login/",
        "/api/v1/docs/",
    ]:
        violations += watch.visit(path)

    watch.visit("/map/")
    watch.page.wait_for_function("document.getElementById('map').dataset.loaded === '2'")
    watch.visit("/api/v1/docs/")
    watch.page.wait_for_selector(".swagger-ui .opblock", state="attached")
    violations += watch.violations("after the map and Swagger UI ran")

    assert violations == []


def test_an_officials_pages_have_no_csp_violation_and_the_language_switch_works(live_server, browser, registry):
    watch = CspWatch(browser.new_context(locale="en-US"), live_server.url)
    watch.log_in("caoxian")
    violations = []
    for path in ["/", "/villages/", "/villages/new/", "/service-points/", f"/villages/{registry.code}/edit/"]:
        violations += watch.visit(path)

    watch.page.select_option("#language-select", "zh-hans")
    watch.page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    violations += watch.violations("after switching the language")

    assert violations == []


def test_the_admin_has_no_csp_violation(live_server, browser, registry):
    watch = CspWatch(browser.new_context(locale="en-US"), live_server.url)
    violations = watch.visit("/admin/login/")
    watch.page.fill("#id_username", "province_admin")
    watch.page.fill("#id_password", PASSWORD)
    watch.page.click("input[type=submit]")
    watch.page.wait_for_url(f"{live_server.url}/admin/")
    violations += watch.violations("/admin/ after logging in")
    for path in [
        "/admin/",
        "/admin/villages/village/",
        f"/admin/villages/village/?q={registry.code}",
        "/admin/axes/accessattempt/",
        "/admin/auth/user/add/",
    ]:
        violations += watch.visit(path)

    assert violations == []
