"""Request ids: taken from nginx's `X-Request-ID` or made here, kept for the request, sent back, logged."""

import logging
import re
import time
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
# What nginx's $request_id looks like (32 hex digits) and what other proxies send; anything else is replaced
# so that a client cannot inject text into the logs.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)

request_logger = logging.getLogger("taobao_site.requests")


def request_id_from(incoming: str | None) -> str:
    """The proxy's id if it is well formed, else a fresh one."""
    if incoming and VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives every request an id, answers it in `X-Request-ID`, and logs one line per request at INFO.

    First in MIDDLEWARE, so that the line covers everything below it, redirects and error pages included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            # The path only: query strings can carry search terms typed by people.
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                },
            )
            return response
        finally:
            current_request_id.reset(token)
