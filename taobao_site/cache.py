"""The shared cache's backend: Django's Redis cache, with one Redis client per connection pool.

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` for every cache operation; redis-py builds a
client's table of response callbacks (some 300 entries) in its constructor, which cost more than the round
trip to a local Redis. A rate-limited API request makes two or three cache operations. A `redis.Redis` holds no
connection of its own (it takes one from the pool for each command and gives it back) and is safe to share
between threads, so one per pool serves every operation; the pools, timeouts and servers are Django's.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RegistryRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient

    def incr_within(self, key, timeout: int, version=None) -> int:
        """Count one more under `key`, a counter that expires `timeout` seconds after its first count; the count.

        One round trip: SET NX EX and INCR in a MULTI, where Django's `add` then `incr` (which asks EXISTS first)
        take two or three.
        """
        key = self.make_and_validate_key(key, version=version)
        pipeline = self._cache.get_client(key, write=True).pipeline(transaction=True)
        pipeline.set(key, 0, ex=timeout, nx=True)
        pipeline.incr(key)
        return pipeline.execute()[1]


def count_in_window(cache, key: str, timeout: int) -> int:
    """One more under the counter `key` of `cache`, which expires `timeout` seconds after its first count; the count.

    In one round trip on the registry's Redis cache; on any other cache (this process's memory in development and
    tests) by `add` for the first count and `incr` for the rest.
    """
    # By the method rather than the class: `django.core.cache.cache`, which DRF's throttles use, is a proxy.
    incr_within = getattr(cache, "incr_within", None)
    if incr_within is not None:
        return incr_within(key, timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # The window's first request; of two at once, one adds the counter and the other counts on it.
        return 1 if cache.add(key, 1, timeout=timeout) else cache.incr(key)
