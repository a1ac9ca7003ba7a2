"""The browser scenario of tests/browser/ against the stack, through nginx over TLS, with no CSP violation.

The stack holds the demo data, so the story plays with the demo's 曹县 official and Shandong reviewer, in the
year whose reporting window the demo keeps open, on a village code of 大集镇 that nobody has registered yet.
"""

import pytest

from tests.browser.test_scenario import Scenario, county_to_dashboard
from villages.demo_data import DEMO_YEARS

pytestmark = pytest.mark.deploy

TOWNSHIP = "371721121"


def unregistered_code(stack_database) -> str:
    """A village committee's code (suffix 200–399 in the NBS scheme) of 大集镇 that the stack does not hold."""
    taken = {
        code for (code,) in stack_database.execute(
            "SELECT code FROM villages_village WHERE code LIKE %s", [f"{TOWNSHIP}%"]
        ).fetchall()
    }
    return next(f"{TOWNSHIP}{suffix:03d}" for suffix in range(399, 199, -1) if f"{TOWNSHIP}{suffix:03d}" not in taken)


def test_the_county_to_dashboard_story_runs_on_the_stack_with_no_csp_violation(
    browser, stack_url, stack_database, demo_accounts, stack_demo_password, screenshot
):
    code = unregistered_code(stack_database)
    story = Scenario(
        base=stack_url, official=demo_accounts["official"], reviewer=demo_accounts["reviewer"],
        password=stack_demo_password, village_code=code, village_name=f"演练村{code[-3:]}", year=max(DEMO_YEARS),
        shop_id=f"drill-{code}",
    )
    county_to_dashboard(browser, story, screenshot, ignore_https_errors=True)
    policy_messages = [message for message in story.console if "Content Security Policy" in message]
    assert story.csp_violations == [] and policy_messages == [], story.console
