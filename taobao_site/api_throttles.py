"""The API's rate limits, kept in the shared cache, that let requests through while the cache is down."""

import logging

from redis.exceptions import RedisError
from rest_framework import throttling

from taobao_site.cache import count_in_window

logger = logging.getLogger(__name__)


class CacheOutageOpensThrottle:
    """A rate limit is a comfort, the registry's availability is not: with Redis down the request goes through.

    Login lockouts, the limit that guards accounts, live in the database and stay in force; /healthz reports
    the cache as down.
    """

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("API rate limit skipped: the shared cache is unreachable", exc_info=True)
            return True


class CountedWindowThrottle:
    """The rate as a count per fixed window (an hour for "/hour"): one counter per caller and window in the
    shared cache, incremented atomically, that expires with its window.

    DRF's own throttle keeps a list of the times of the caller's requests in the window, read and written back
    whole on every request: at 10,000 an hour a busy client's request carries a list of 10,000 times to the
    cache and back. A fixed window lets a caller send up to twice the rate across a window's end, which is
    fine for a limit that guards the servers, not a quota. Over the limit, Retry-After says when the window ends.
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window = int(self.timer() // self.duration)
        self.window_ends = (window + 1) * self.duration
        return count_in_window(self.cache, f"{self.key}:{window}", self.duration) <= self.num_requests

    def wait(self):
        return max(0.0, self.window_ends - self.timer())


class AnonRateThrottle(CacheOutageOpensThrottle, CountedWindowThrottle, throttling.AnonRateThrottle):
    """Requests without a login, counted per address."""


class UserRateThrottle(CacheOutageOpensThrottle, CountedWindowThrottle, throttling.UserRateThrottle):
    """Requests with a login, counted per user."""
