"""A busy database answers 503 with Retry-After and says the registry is busy, instead of a 500.

"Busy" is a lock that did not come free in time or a transaction the database chose to abort so that another
could go on: SQLite's "database is locked" (one writer at a time; a long import holds the lock), and on
PostgreSQL a lock timeout, a serialization failure or a deadlock. Each is over in seconds and the same request
then succeeds, so the client is told to come back rather than that something broke. The API's exception
handler (`taobao_site.api_errors`) gives the same answer as JSON; this middleware answers for web pages (plain
text in the request's language) and for anything under /api/ that fails outside the API's views.
"""

import logging
import sqlite3

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
# serialization_failure, deadlock_detected, lock_not_available (lock_timeout, NOWAIT)
BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
BUSY_SQLITE_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def is_database_busy(error: BaseException) -> bool:
    """Whether a database error is a lock or a conflict that a retry in a few seconds resolves."""
    if not isinstance(error, OperationalError):
        return False
    driver_error = error.__cause__
    if getattr(driver_error, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    # Extended result codes (SQLITE_BUSY_SNAPSHOT, ...) keep the primary code in their low byte.
    return (getattr(driver_error, "sqlite_errorcode", 0) & 0xFF) in BUSY_SQLITE_CODES


def busy_message() -> str:
    return _(
        "The registry is busy (another change, such as a large import, is being saved). Nothing was changed "
        "by your request; try again in %(seconds)s seconds."
    ) % {"seconds": RETRY_AFTER_SECONDS}


class DatabaseBusyMiddleware:
    """Turns a busy database in a view into a 503 with Retry-After: JSON under /api/, plain text elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": busy_message()}, status=503)
        else:
            response = HttpResponse(busy_message(), content_type="text/plain; charset=utf-8", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
