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
