"""State the app servers must agree on lives outside them: one API throttle across both gunicorn servers."""

import secrets

import pytest

from tests.deploy.conftest import StackClient

pytestmark = pytest.mark.deploy


def test_anonymous_api_throttle_is_one_budget_across_both_app_servers(stack_layout, stack_app_env):
    rate = stack_app_env.get("API_THROTTLE_ANON")
    if not rate:
        pytest.fail("the stack runs the default anonymous API rate: start it with STACK_API_THROTTLE_ANON=30/minute")
    limit = int(rate.split("/")[0])
    # Straight to the app servers, as nginx would forward them: a client address of its own (a documentation
    # prefix, fresh each run) gives the test a throttle bucket that no other request has touched.
    client_address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "X-Forwarded-For": client_address}
    servers = [StackClient(url, headers=headers) for url in stack_layout["STACK_APP_SERVERS"].split(",")]

    answers = [
        (servers[attempt % 2].base_url, servers[attempt % 2].get("/api/v1/criteria/").status)
        for attempt in range(limit + 2)
    ]

    assert [status for _, status in answers[:limit]] == [200] * limit, answers
    assert [status for _, status in answers[limit:]] == [429, 429], (
        f"after {limit} requests in total, both app servers must refuse the next ones: {answers[limit:]}"
    )
