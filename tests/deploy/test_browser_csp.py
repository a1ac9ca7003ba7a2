"""A real Chromium on the stack: the county official's main pages run under the Content-Security-Policy."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.deploy

# Runs before any page script: every CSP violation of the page is kept where the test can read it.
RECORD_VIOLATIONS = """
window.registryCspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.registryCspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline code"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""
OFFICIAL_PAGES = [
    "/",
    "/dashboard/",
    "/villages/",
    "/villages/{village}/",
    "/villages/new/",
    "/service-points/",
    "/map/",
]


def test_official_pages_carry_a_csp_and_cause_no_violation(
    browser, stack_url, demo_accounts, stack_demo_password, official_village_code
):
    context = browser.new_context(ignore_https_errors=True, locale="en-US", viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"uncaught: {error}"))
    without_policy = []
    violations = {}

    def visit(path):
        response = page.goto(f"{stack_url}{path}", wait_until="networkidle")
        assert response.status == 200, f"{path} answered {response.status}"
        if "content-security-policy" not in response.headers:
            without_policy.append(path)
        violations[path] = page.evaluate("window.registryCspViolations")

    visit("/accounts/login/")
    page.fill("#id_username", demo_accounts["official"])
    page.fill("#id_password", stack_demo_password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{stack_url}/")
    for path in OFFICIAL_PAGES:
        visit(path.format(village=official_village_code))
    page.wait_for_selector(".leaflet-container")
    # The switcher submits its form from script: a policy that blocks that script leaves the page as it was.
    page.select_option("#language-select", "zh-hans")
    try:
        page.wait_for_selector("html[lang='zh-hans']")
    except PlaywrightTimeoutError:
        console.append("the language switcher did not switch")
    language = page.get_attribute("html", "lang")
    violations["/map/ in Chinese"] = page.evaluate("window.registryCspViolations")
    context.close()

    policy_messages = [message for message in console if "Content Security Policy" in message]
    assert without_policy == [], "pages answered without a Content-Security-Policy header"
    assert {path: found for path, found in violations.items() if found} == {}, console
    assert policy_messages == []
    assert language == "zh-hans", console
