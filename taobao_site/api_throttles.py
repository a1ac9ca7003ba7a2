"""The API's rate limits, kept in the shared cache, that let requests through while the cache is down."""

import logging

from redis.exceptions import RedisError
from rest_framework import throttling

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


class AnonRateThrottle(CacheOutageOpensThrottle, throttling.AnonRateThrottle):
    """Requests without a login, counted per address."""


class UserRateThrottle(CacheOutageOpensThrottle, throttling.UserRateThrottle):
    """Requests with a login, counted per user."""
