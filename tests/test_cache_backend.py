"""The shared cache's backend (taobao_site/cache.py) against the Redis that production runs."""

import pytest
import redis
from django.core.cache import cache, caches

from tests.api.test_counted_throttle import redis_cache as redis_client_and_prefix  # noqa: F401 (a fixture)

LOCATION = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_cache(request):
    """The default cache, the registry's backend on the Redis that production runs (a key prefix of its own)."""
    request.getfixturevalue("redis_client_and_prefix")
    return caches["default"]


def test_every_operation_uses_one_client_of_the_pool(redis_cache, monkeypatch):
    made = []
    original = redis.Redis.__init__

    def counted(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)
    redis_cache.set("a", 1)
    assert redis_cache.incr("a") == 2
    assert redis_cache.add("b", "x", timeout=60)
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": 2, "b": "x"}
    redis_cache.delete("a")
    assert redis_cache.get("a") is None
    assert len(made) == 1


def test_the_values_are_djangos(redis_cache):
    """What the backend writes is what Django's own Redis cache reads: same keys, same serialisation."""
    from django.core.cache.backends.redis import RedisCache

    redis_cache.set("shared", {"year": 2023, "codes": ["371721"]}, timeout=60)
    plain = RedisCache(LOCATION, {"KEY_PREFIX": redis_cache.key_prefix})
    assert plain.get("shared") == {"year": 2023, "codes": ["371721"]}
    plain.set("back", 7, timeout=60)
    assert redis_cache.get("back") == 7


def test_a_counter_in_a_window_costs_one_round_trip_and_expires_with_its_window(redis_cache, monkeypatch):
    from redis.client import Pipeline

    from taobao_site.cache import count_in_window

    sent = []
    original_execute = Pipeline.execute
    original_command = redis.Redis.execute_command

    def counted_execute(self, *args, **kwargs):
        sent.append([command for command, _options in self.command_stack])
        return original_execute(self, *args, **kwargs)

    def counted_command(self, *args, **kwargs):
        sent.append(args[:1])
        return original_command(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counted_execute)
    monkeypatch.setattr(redis.Redis, "execute_command", counted_command)
    # Through the proxy that DRF's throttles hold, as they call it.
    assert [count_in_window(cache, "calls", 60) for _ in range(3)] == [1, 2, 3]
    assert len(sent) == 3
    assert all(len(batch) == 2 for batch in sent)
    monkeypatch.undo()
    assert redis_cache.get("calls") == 3
    client = redis.Redis.from_url(LOCATION)
    assert 0 < client.ttl(redis_cache.make_key("calls")) <= 60


def test_a_counter_in_a_window_on_another_cache_counts_the_same(settings):
    from django.core.cache.backends.locmem import LocMemCache

    from taobao_site.cache import count_in_window

    memory = LocMemCache("counter-test", {})
    assert [count_in_window(memory, "calls", 60) for _ in range(3)] == [1, 2, 3]
    assert memory.get("calls") == 3
