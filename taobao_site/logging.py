"""Log records with the request id, as plain text on a terminal or as JSON lines for a log collector."""

import datetime
import json
import logging

from taobao_site.request_id import current_request_id

# Set by RequestIdMiddleware on its one line per request.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the current request's id, or "-" outside a request."""

    def filter(self, record):
        # Django logs a 4xx/5xx answer after the middleware has returned, passing the request along instead.
        logged_request = getattr(record, "request", None)
        record.request_id = current_request_id.get() or getattr(logged_request, "request_id", None) or "-"
        return True


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, the request fields when present."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update({field: getattr(record, field) for field in REQUEST_FIELDS if hasattr(record, field)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
