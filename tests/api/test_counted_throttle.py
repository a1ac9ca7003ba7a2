"""The API's rate limits count requests per caller and fixed window: one small counter in the shared cache."""

import secrets

import pytest
import redis
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/criteria/"


@pytest.fixture
def clock(monkeypatch):
    """The throttles' time, set by the test: [seconds since the epoch]."""
    now = [1_800_000_000.0]  # the start of a minute
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda _throttle: now[0])
    return now


@pytest.fixture
def rates(monkeypatch, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": secrets.token_hex(4)}
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})


def test_a_caller_over_the_rate_waits_for_the_window_to_end(anonymous_api, rates, clock):
    clock[0] += 20
    statuses = [anonymous_api.get(URL).status_code for _attempt in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = anonymous_api.get(URL)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"

    clock[0] += 40  # the next minute: a new window
    assert anonymous_api.get(URL).status_code == 200


def test_each_caller_has_a_budget_of_its_own(anonymous_api, api_for, rates, clock):
    first, second = api_for(make_user("first")), api_for(make_user("second"))
    assert [first.get(URL).status_code for _attempt in range(6)] == [200] * 5 + [429]
    assert [second.get(URL).status_code for _attempt in range(5)] == [200] * 5
    assert anonymous_api.get(URL).status_code == 200


@pytest.fixture
def redis_cache(settings):
    location = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(location, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.fail(f"the tests need the Redis that production runs ({location}): {error}")
    prefix = f"test-throttle-{secrets.token_hex(4)}"
    settings.CACHES = {
        "default": {"BACKEND": "taobao_site.cache.RegistryRedisCache", "LOCATION": location,
                    "KEY_PREFIX": prefix}
    }
    yield redis.Redis.from_url(location), prefix
    client = redis.Redis.from_url(location)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_in_redis_the_count_is_one_integer_that_expires_with_its_window(anonymous_api, redis_cache, monkeypatch):
    client, prefix = redis_cache
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000/hour", "user": "1000/hour"})
    for _attempt in range(25):
        assert anonymous_api.get(URL).status_code == 200

    [key] = list(client.scan_iter(f"{prefix}:*throttle_anon*"))
    # DRF's own throttle would hold a pickled list of 25 times here, growing with every request.
    assert client.get(key) == b"25"
    assert 0 < client.ttl(key) <= 3600
    assert cache.get(key.decode().split(":", 2)[2]) == 25
