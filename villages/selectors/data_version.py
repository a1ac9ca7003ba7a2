"""Reads cached under the published data version: computed once per version, shared by every app server."""

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from villages.models import PublishedDataVersion

Computed = TypeVar("Computed")

# Correctness comes from the token in the key, never from expiry: an entry under a replaced token is simply
# never read again, and the timeout only gives its memory back.
CACHED_FOR_SECONDS = 24 * 60 * 60


def published_data_version() -> PublishedDataVersion | None:
    """The current version row (one indexed read), or None while nothing published has changed since install."""
    return PublishedDataVersion.objects.filter(pk=PublishedDataVersion.SINGLETON_ID).first()


def cached_for_version(
    version: PublishedDataVersion | None, name: str, compute: Callable[[], Computed], *, key_parts=()
) -> Computed:
    """`compute()`'s result for this data version, from the shared cache when another request computed it.

    `key_parts` (JSON-serialisable) tell apart results of the same name, such as one per filter. Without a
    version row there is no key that a later change would replace, so the result is computed and not cached.
    """
    if version is None:
        return compute()
    key = f"published:{version.token}:{name}"
    if key_parts:
        key += ":" + hashlib.sha256(json.dumps(key_parts, sort_keys=True).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHED_FOR_SECONDS)
    return value
